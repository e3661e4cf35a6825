/**
 * Hand-written packets, as data: what must be refused (with which code and where) and which real-world
 * deviations must be accepted (with which warnings). `edxml.inline.test.ts` walks both tables.
 *
 * Every case starts from one of two small valid packets and changes one thing, so each row shows exactly what
 * it is about. Hostile cases that must fail fast are endless streams: if the parser tried to read them to the
 * end, the test would never finish.
 */
import type { EdxmlErrorCode, EdxmlWarningCode } from './errors.ts';
import type { ParseEdxmlOptions } from './parse.ts';

const QCVN = 'http://www.mic.gov.vn/TBT/QCVN_102_2016';

/** A minimal valid status packet; line numbers below refer to it. */
export const BASE_STATUS = `<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="${QCVN}">
  <edXML:edXMLEnvelope xmlns:edXML="${QCVN}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:OrganName>UBND Tỉnh Nghệ An</edXML:OrganName></edXML:From>
        <edXML:ResponseFor><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:Code>7816/VPCP-TTĐT</edXML:Code><edXML:PromulgationDate>2015/09/30</edXML:PromulgationDate><edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId></edXML:ResponseFor>
        <edXML:StatusCode>03</edXML:StatusCode>
        <edXML:Description>Đã tiếp nhận</edXML:Description>
        <edXML:Timestamp>2015/09/20 11:08:36</edXML:Timestamp>
      </edXML:MessageHeader>
    </edXML:edXMLHeader>
  </edXML:edXMLEnvelope>
</edXML>
`;

/** A minimal valid document packet with one attachment ("Hello", 5 bytes); line numbers below refer to it. */
export const BASE_DOCUMENT = `<?xml version="1.0" encoding="UTF-8"?>
<edXML xmlns="${QCVN}">
  <edXML:edXMLEnvelope xmlns:edXML="${QCVN}">
    <edXML:edXMLHeader>
      <edXML:MessageHeader>
        <edXML:From><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:OrganName>Văn phòng Chính phủ</edXML:OrganName></edXML:From>
        <edXML:To><edXML:OrganId>000.00.00.H41</edXML:OrganId><edXML:OrganName>UBND Tỉnh Nghệ An</edXML:OrganName></edXML:To>
        <edXML:DocumentId>000.00.00.G22,2018/09/28,7816/VPCP-TTĐT</edXML:DocumentId>
        <edXML:Code><edXML:CodeNumber>7816</edXML:CodeNumber><edXML:CodeNotation>VPCP-TTĐT</edXML:CodeNotation></edXML:Code>
        <edXML:PromulgationInfo><edXML:Place>Hà Nội</edXML:Place><edXML:PromulgationDate>2018/09/28</edXML:PromulgationDate></edXML:PromulgationInfo>
        <edXML:DocumentType><edXML:Type>1</edXML:Type><edXML:TypeName>Công văn</edXML:TypeName></edXML:DocumentType>
        <edXML:Subject>V/v kết nối, liên thông phần mềm quản lý văn bản</edXML:Subject>
        <edXML:DueDate>2018/10/28</edXML:DueDate>
        <edXML:OtherInfo><edXML:Priority>0</edXML:Priority><edXML:PageAmount>2</edXML:PageAmount></edXML:OtherInfo>
        <edXML:SteeringType>1</edXML:SteeringType>
      </edXML:MessageHeader>
      <edXML:TraceHeaderList>
        <edXML:TraceHeader><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:Timestamp>2018/09/28 08:00:00</edXML:Timestamp></edXML:TraceHeader>
        <edXML:Bussiness><edXML:BussinessDocType>0</edXML:BussinessDocType><edXML:Paper>0</edXML:Paper></edXML:Bussiness>
      </edXML:TraceHeaderList>
    </edXML:edXMLHeader>
    <edXML:edXMLBody>
      <edXML:edXMLManifest version="1.0">
        <edXML:Reference><edXML:ContentId>cid:1</edXML:ContentId><edXML:ContentType>application/zip</edXML:ContentType><edXML:AttachmentName>a.doc</edXML:AttachmentName></edXML:Reference>
      </edXML:edXMLManifest>
    </edXML:edXMLBody>
  </edXML:edXMLEnvelope>
  <AttachmentEncoded>
    <Attachment><ContentId>cid:1</ContentId><AttachmentName>a.doc</AttachmentName><ContentType>application/zip</ContentType><edXML:ContentTransferEncoded xmlns:edXML="${QCVN}">SGVsbG8=</edXML:ContentTransferEncoded></Attachment>
  </AttachmentEncoded>
</edXML>
`;

/** The base packet with some text replaced (each `from` must occur in it). */
function edit(base: string, ...replacements: Array<[string, string]>): string {
  let text = base;
  for (const [from, to] of replacements) {
    if (!text.includes(from)) throw new Error(`table error: "${from}" is not in the base packet`);
    text = text.replace(from, to);
  }
  return text;
}
const status = (...r: Array<[string, string]>): string => edit(BASE_STATUS, ...r);
const document = (...r: Array<[string, string]>): string => edit(BASE_DOCUMENT, ...r);

/** An endless source: `head`, then `repeat` forever, in pieces of about 64 KiB. */
function endless(head: string, repeat: string): () => AsyncGenerator<string> {
  return async function* () {
    yield head;
    const piece = repeat.repeat(Math.max(1, Math.floor(65536 / repeat.length)));
    for (;;) yield piece;
  };
}
/** The input cut into pieces at the given offsets (to prove that chunk boundaries do not matter). */
function pieces(text: string, ...cuts: number[]): () => AsyncGenerator<Buffer> {
  return async function* () {
    const bytes = Buffer.from(text, 'utf8');
    let start = 0;
    for (const cut of [...cuts, bytes.length]) {
      yield bytes.subarray(start, cut);
      start = cut;
    }
  };
}

export type TableInput = string | Buffer | (() => AsyncIterable<string | Buffer>);

export interface RejectedCase {
  name: string;
  input: TableInput;
  options?: ParseEdxmlOptions;
  code: EdxmlErrorCode;
  line?: number;
  column?: number;
  path?: string;
  limit?: string;
}

const HEADER = 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader';

export const REJECTED_CASES: RejectedCase[] = [
  // --- forbidden constructs: XXE and entity expansion
  {
    name: 'XXE: DOCTYPE with an external entity',
    input: `<?xml version="1.0"?>\n<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<edXML xmlns="${QCVN}">&xxe;</edXML>`,
    code: 'EDXML_FORBIDDEN_CONSTRUCT',
    line: 2,
    column: 1,
  },
  {
    name: 'billion laughs',
    input:
      '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n' +
      ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n<lolz>&lol3;</lolz>',
    code: 'EDXML_FORBIDDEN_CONSTRUCT',
    line: 2,
    column: 1,
  },
  { name: 'lower-case doctype', input: `<!doctype edXML>\n<edXML/>`, code: 'EDXML_FORBIDDEN_CONSTRUCT', line: 1, column: 1 },
  { name: 'ENTITY declaration inside the root', input: status(['<edXML:StatusCode>03', '<!ENTITY x "y"><edXML:StatusCode>03']), code: 'EDXML_FORBIDDEN_CONSTRUCT', line: 8, column: 9 },
  {
    name: 'DOCTYPE split across two stream pieces',
    input: pieces(`<?xml version="1.0"?>\n<!DOCTYPE edXML SYSTEM "http://attacker.example/x.dtd">\n<edXML/>`, 27),
    code: 'EDXML_FORBIDDEN_CONSTRUCT',
    line: 2,
    column: 1,
  },
  { name: 'endless DOCTYPE internal subset', input: endless('<!DOCTYPE a [', '<!-- x -->'), code: 'EDXML_FORBIDDEN_CONSTRUCT', line: 1, column: 1 },

  // --- hostile shapes: fail fast, bounded memory
  { name: 'endless nesting', input: endless(`<edXML xmlns="${QCVN}">`, '<a>'), code: 'EDXML_LIMIT_EXCEEDED', limit: 'maxDepth' },
  {
    name: 'endless distinct attributes on one element',
    input: async function* () {
      yield `<edXML xmlns="${QCVN}"`;
      for (let i = 0; ; i++) yield ` a${i}="1"`;
    },
    code: 'EDXML_LIMIT_EXCEEDED',
    limit: 'maxAttributesPerElement',
  },
  { name: 'endless repetition of one attribute', input: endless(`<edXML xmlns="${QCVN}"`, ' a="1"'), code: 'EDXML_NOT_WELL_FORMED', line: 1 },
  { name: 'attribute flood (distinct names)', input: `<edXML xmlns="${QCVN}" ${Array.from({ length: 5000 }, (_, i) => `a${i}="1"`).join(' ')}/>`, code: 'EDXML_LIMIT_EXCEEDED', limit: 'maxAttributesPerElement', line: 1 },
  { name: 'endless sibling elements', input: endless(`<edXML xmlns="${QCVN}">`, '<x/>'), code: 'EDXML_LIMIT_EXCEEDED', limit: 'maxElements' },
  { name: 'endless comment', input: endless(`<edXML xmlns="${QCVN}"><!--`, 'x'), code: 'EDXML_LIMIT_EXCEEDED', limit: 'tokenLength' },
  { name: 'endless attribute value', input: endless(`<edXML xmlns="${QCVN}" a="`, 'x'), code: 'EDXML_LIMIT_EXCEEDED', limit: 'tokenLength' },
  { name: 'endless element name', input: endless('<edXML', 'x'), code: 'EDXML_LIMIT_EXCEEDED', limit: 'tokenLength' },
  {
    name: 'endless text in a header field',
    input: endless(BASE_STATUS.split('Đã tiếp nhận')[0]!, 'lorem ipsum '),
    code: 'EDXML_LIMIT_EXCEEDED',
    limit: 'maxRetainedChars',
    path: `${HEADER}/Description`,
  },
  {
    name: 'endless attachment content (bounded by maxBytes)',
    input: endless(BASE_DOCUMENT.split('SGVsbG8=')[0]!, 'QUJD'),
    // 8 MiB of base64 passes through while only 4 MiB of text may be retained: attachment content is not kept.
    options: { limits: { maxBytes: 8 * 1024 * 1024 } },
    code: 'EDXML_TOO_LARGE',
    limit: 'maxBytes',
  },
  { name: 'packet larger than maxBytes', input: BASE_STATUS, options: { limits: { maxBytes: 500 } }, code: 'EDXML_TOO_LARGE', limit: 'maxBytes' },
  { name: 'more elements than maxElements', input: BASE_DOCUMENT, options: { limits: { maxElements: 20 } }, code: 'EDXML_LIMIT_EXCEEDED', limit: 'maxElements' },
  { name: 'deeper than maxDepth', input: BASE_DOCUMENT, options: { limits: { maxDepth: 5 } }, code: 'EDXML_LIMIT_EXCEEDED', limit: 'maxDepth', line: 6, path: HEADER + '/From' },

  // --- not well-formed
  { name: 'mismatched end tag', input: status(['</edXML:From>', '</edXML:Frm>']), code: 'EDXML_NOT_WELL_FORMED', line: 6, path: `${HEADER}/From` },
  { name: 'unbound prefix on an attribute', input: document(['<edXML:Reference>', '<edXML:Reference xlink:href="">']), code: 'EDXML_NOT_WELL_FORMED', line: 24 },
  { name: 'unbound prefix on an element', input: status(['<edXML:StatusCode>03</edXML:StatusCode>', '<x:StatusCode>03</x:StatusCode>']), code: 'EDXML_NOT_WELL_FORMED', line: 8 },
  { name: 'duplicate attribute', input: document(['<edXML:edXMLManifest version="1.0">', '<edXML:edXMLManifest version="1.0" version="2.0">']), code: 'EDXML_NOT_WELL_FORMED', line: 23 },
  { name: 'second root element', input: `${BASE_STATUS}<edXML xmlns="${QCVN}"/>`, code: 'EDXML_NOT_WELL_FORMED', line: 15 },
  { name: 'empty input', input: '', code: 'EDXML_NOT_WELL_FORMED' },
  { name: 'text instead of XML', input: 'hello', code: 'EDXML_NOT_WELL_FORMED', line: 1 },
  { name: 'truncated packet', input: BASE_STATUS.slice(0, 600), code: 'EDXML_NOT_WELL_FORMED' },
  { name: 'control character in text', input: status(['Đã tiếp nhận', 'Đã\u0001 tiếp nhận']), code: 'EDXML_NOT_WELL_FORMED', line: 9 },
  { name: 'undefined entity', input: status(['Đã tiếp nhận', 'Đã&nbsp;tiếp nhận']), code: 'EDXML_NOT_WELL_FORMED', line: 9 },
  { name: 'unquoted attribute', input: status(['<edXML:StatusCode>', '<edXML:StatusCode a=1>']), code: 'EDXML_NOT_WELL_FORMED', line: 8 },
  {
    name: 'bytes that are not UTF-8',
    input: Buffer.concat([Buffer.from(BASE_STATUS.split('Đã tiếp nhận')[0]!, 'utf8'), Buffer.from([0xc3, 0x28]), Buffer.from(BASE_STATUS.split('Đã tiếp nhận')[1]!, 'utf8')]),
    code: 'EDXML_NOT_WELL_FORMED',
    line: 9,
  },
  { name: 'XML declaration not at the start', input: `\n${BASE_STATUS}`, code: 'EDXML_NOT_WELL_FORMED', line: 2 },

  // --- encodings
  { name: 'declared ISO-8859-1', input: BASE_STATUS.replace('UTF-8', 'ISO-8859-1'), code: 'EDXML_UNSUPPORTED_ENCODING', line: 1 },
  { name: 'UTF-16 with byte order mark', input: Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(BASE_STATUS, 'utf16le')]), code: 'EDXML_UNSUPPORTED_ENCODING', line: 1, column: 1 },

  // --- not an edXML packet
  { name: 'HTML page', input: '<html><body>502 Bad Gateway</body></html>', code: 'EDXML_UNKNOWN_ROOT', line: 1, column: 1, path: 'html' },
  { name: 'Envelope outside SOAP', input: '<Envelope xmlns="urn:x"><Header/></Envelope>', code: 'EDXML_UNKNOWN_ROOT', path: 'Envelope' },
  { name: 'edXML without a MessageHeader', input: `<edXML xmlns="${QCVN}"><edXMLEnvelope><edXMLHeader/></edXMLEnvelope></edXML>`, code: 'EDXML_MISSING_ELEMENT', path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader' },

  // --- required elements
  { name: 'status without From', input: status([/<edXML:From>.*<\/edXML:From>/.exec(BASE_STATUS)![0], '']), code: 'EDXML_MISSING_ELEMENT', line: 5, path: `${HEADER}/From` },
  { name: 'From with an empty OrganId', input: status(['<edXML:OrganId>000.00.00.H41</edXML:OrganId>', '<edXML:OrganId> </edXML:OrganId>']), code: 'EDXML_MISSING_ELEMENT', line: 6, path: `${HEADER}/From/OrganId` },
  { name: 'From without OrganId', input: status(['<edXML:OrganId>000.00.00.H41</edXML:OrganId>', '']), code: 'EDXML_MISSING_ELEMENT', path: `${HEADER}/From/OrganId` },
  { name: 'document without To', input: document([/<edXML:To>.*<\/edXML:To>/.exec(BASE_DOCUMENT)![0], '']), code: 'EDXML_MISSING_ELEMENT', line: 5, path: `${HEADER}/To` },
  { name: 'To without OrganId', input: document(['<edXML:OrganId>000.00.00.H41</edXML:OrganId>', '']), code: 'EDXML_MISSING_ELEMENT', line: 7, path: `${HEADER}/To/OrganId` },
  { name: 'document without Code', input: document([/<edXML:Code>.*<\/edXML:Code>/.exec(BASE_DOCUMENT)![0], '']), code: 'EDXML_MISSING_ELEMENT', path: `${HEADER}/Code` },
  { name: 'document with an empty CodeNumber', input: document(['<edXML:CodeNumber>7816</edXML:CodeNumber>', '<edXML:CodeNumber/>']), code: 'EDXML_MISSING_ELEMENT', line: 9, path: `${HEADER}/Code/CodeNumber` },
  { name: 'status without StatusCode', input: status(['<edXML:StatusCode>03</edXML:StatusCode>', '']), code: 'EDXML_MISSING_ELEMENT', line: 5, path: `${HEADER}/StatusCode` },
  { name: 'declared status without StatusCode', input: status(['<edXML:StatusCode>03</edXML:StatusCode>', '']), options: { expectedKind: 'status' }, code: 'EDXML_MISSING_ELEMENT', path: `${HEADER}/StatusCode` },
  { name: 'status with an empty StatusCode', input: status(['<edXML:StatusCode>03</edXML:StatusCode>', '<edXML:StatusCode></edXML:StatusCode>']), code: 'EDXML_MISSING_ELEMENT', line: 8, path: `${HEADER}/StatusCode` },
  { name: 'status without ResponseFor', input: status([/<edXML:ResponseFor>.*<\/edXML:ResponseFor>/.exec(BASE_STATUS)![0], '']), code: 'EDXML_MISSING_ELEMENT', path: `${HEADER}/ResponseFor` },
  {
    name: 'status whose ResponseFor names no document',
    input: status(['<edXML:Code>7816/VPCP-TTĐT</edXML:Code>', ''], ['<edXML:DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</edXML:DocumentId>', '']),
    code: 'EDXML_MISSING_ELEMENT',
    path: `${HEADER}/ResponseFor/DocumentId`,
  },
  { name: 'attachment without content', input: document([/<edXML:ContentTransferEncoded.*<\/edXML:ContentTransferEncoded>/.exec(BASE_DOCUMENT)![0], '']), code: 'EDXML_MISSING_ELEMENT', line: 29, path: 'edXML/AttachmentEncoded/Attachment/ContentTransferEncoded' },

  // --- values
  { name: 'OrganId with five segments', input: status(['000.00.00.H41', '000.00.00.H41.X9']), code: 'EDXML_INVALID_ORGAN_ID', line: 6, path: `${HEADER}/From/OrganId` },
  { name: 'OrganId that is free text', input: document(['<edXML:OrganId>000.00.00.H41</edXML:OrganId>', '<edXML:OrganId>UBND Nghệ An</edXML:OrganId>']), code: 'EDXML_INVALID_ORGAN_ID', path: `${HEADER}/To/OrganId` },
  { name: 'OrganId placeholder with one segment', input: status(['000.00.00.H41', 'from_organid']), code: 'EDXML_INVALID_ORGAN_ID' },
  { name: 'OrganId in Bussiness ReceiverList', input: document(['<edXML:Paper>0</edXML:Paper>', '<edXML:BussinessDocumentInfo><edXML:ReceiverList><edXML:Receiver><edXML:OrganId>?</edXML:OrganId><edXML:ReceiverType>1</edXML:ReceiverType></edXML:Receiver></edXML:ReceiverList></edXML:BussinessDocumentInfo>']), code: 'EDXML_INVALID_ORGAN_ID', path: 'edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/Bussiness/BussinessDocumentInfo/ReceiverList/Receiver/OrganId' },
  { name: 'StatusCode 07 (unused)', input: status(['<edXML:StatusCode>03', '<edXML:StatusCode>07']), code: 'EDXML_INVALID_STATUS_CODE', line: 8, column: 9, path: `${HEADER}/StatusCode` },
  { name: 'StatusCode that is text', input: status(['<edXML:StatusCode>03', '<edXML:StatusCode>accepted']), code: 'EDXML_INVALID_STATUS_CODE' },
  { name: 'StatusCode with three digits', input: status(['<edXML:StatusCode>03', '<edXML:StatusCode>003']), code: 'EDXML_INVALID_STATUS_CODE' },
  { name: 'impossible PromulgationDate', input: document(['<edXML:PromulgationDate>2018/09/28', '<edXML:PromulgationDate>2019/02/30']), code: 'EDXML_INVALID_DATE', line: 10, path: `${HEADER}/PromulgationInfo/PromulgationDate` },
  { name: 'DueDate that is not a date', input: document(['2018/10/28', 'tomorrow']), code: 'EDXML_INVALID_DATE', path: `${HEADER}/DueDate` },
  { name: 'status Timestamp with month 13', input: status(['2015/09/20 11:08:36', '2015/13/20 11:08:36']), code: 'EDXML_INVALID_DATE', line: 10, path: `${HEADER}/Timestamp` },
  { name: 'TraceHeader Timestamp at 25:00', input: document(['2018/09/28 08:00:00', '2018/09/28 25:00:00']), code: 'EDXML_INVALID_DATE', path: 'edXML/edXMLEnvelope/edXMLHeader/TraceHeaderList/TraceHeader/Timestamp' },
  { name: 'impossible ResponseFor/PromulgationDate', input: status(['<edXML:PromulgationDate>2015/09/30', '<edXML:PromulgationDate>2015/02/29']), code: 'EDXML_INVALID_DATE', path: `${HEADER}/ResponseFor/PromulgationDate` },

  // --- ambiguity and kind
  { name: 'two From blocks', input: status(['</edXML:From>', '</edXML:From><edXML:From><edXML:OrganId>000.00.00.G17</edXML:OrganId></edXML:From>']), code: 'EDXML_DUPLICATE_ELEMENT', line: 6, path: `${HEADER}/From` },
  { name: 'two StatusCodes', input: status(['<edXML:StatusCode>03</edXML:StatusCode>', '<edXML:StatusCode>03</edXML:StatusCode><edXML:StatusCode>02</edXML:StatusCode>']), code: 'EDXML_DUPLICATE_ELEMENT', path: `${HEADER}/StatusCode` },
  { name: 'document declared, status sent', input: BASE_STATUS, options: { expectedKind: 'document' }, code: 'EDXML_KIND_MISMATCH', path: HEADER },
  { name: 'status declared, document sent', input: BASE_DOCUMENT, options: { expectedKind: 'status' }, code: 'EDXML_KIND_MISMATCH', path: HEADER },

  // --- strict mode escalates selected warnings
  { name: 'strict: attachment that is not base64', input: document(['SGVsbG8=', '${__StringFromFile(test.txt,,,)}']), options: { strict: true }, code: 'EDXML_INVALID_ATTACHMENT', line: 29, path: 'edXML/AttachmentEncoded/Attachment/ContentTransferEncoded' },
  { name: 'strict: StatusCode without its zero', input: status(['<edXML:StatusCode>03', '<edXML:StatusCode>3']), options: { strict: true }, code: 'EDXML_INVALID_STATUS_CODE' },
  { name: 'strict: day-first PromulgationDate', input: document(['<edXML:PromulgationDate>2018/09/28', '<edXML:PromulgationDate>28/09/2018']), options: { strict: true }, code: 'EDXML_INVALID_DATE', path: `${HEADER}/PromulgationInfo/PromulgationDate` },
  { name: 'strict: manifest entry without attachment', input: document([/<AttachmentEncoded>[\s\S]*<\/AttachmentEncoded>/.exec(BASE_DOCUMENT)![0], '']), options: { strict: true }, code: 'EDXML_INVALID_ATTACHMENT' },
];

export interface ToleratedCase {
  name: string;
  input: TableInput;
  options?: ParseEdxmlOptions;
  kind: 'document' | 'status';
  /** Warning codes in document order. */
  warnings: EdxmlWarningCode[];
  /** Dotted paths into the parsed packet and their expected values. */
  fields: Record<string, unknown>;
}

const E_DOC = 'http://www.e-doc.vn/Schema/';
const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';

export const TOLERATED_CASES: ToleratedCase[] = [
  { name: 'the base status packet', input: BASE_STATUS, kind: 'status', warnings: [], fields: { statusCode: '03', 'from.organId': '000.00.00.H41', 'timestamp.iso': '2015-09-20T11:08:36+07:00', dialect: 'qcvn-102-2016' } },
  {
    name: 'the base document packet',
    input: BASE_DOCUMENT,
    kind: 'document',
    warnings: [],
    fields: { 'to.0.organId': '000.00.00.H41', 'code.value': '7816/VPCP-TTĐT', 'dueDate.iso': '2018-10-28', 'attachments.0.decodedSize': 5, 'attachments.0.sha256': '185f8db32271fe25f561a6fc938b2e264306ec304eda518007d1764826381969', 'otherInfo.pageAmount': 2, 'business.businessDocType': '0' },
  },
  { name: 'StatusCode 1 (Bkav integer)', input: status(['<edXML:StatusCode>03', '<edXML:StatusCode>1']), kind: 'status', warnings: ['EDXML_STATUS_CODE_UNPADDED'], fields: { statusCode: '01' } },
  {
    name: 'TimeStamp spelling and a day-first C# timestamp',
    input: status(['<edXML:Timestamp>2015/09/20 11:08:36</edXML:Timestamp>', '<edXML:TimeStamp>20/09/2015 11:08:36</edXML:TimeStamp>']),
    kind: 'status',
    warnings: ['EDXML_DATE_FORMAT_NONSTANDARD'],
    fields: { 'timestamp.iso': '2015-09-20T11:08:36+07:00', 'timestamp.raw': '20/09/2015 11:08:36' },
  },
  {
    name: 'status fields in another order',
    input: status(['<edXML:StatusCode>03</edXML:StatusCode>', ''], ['</edXML:MessageHeader>', '<edXML:StatusCode>03</edXML:StatusCode></edXML:MessageHeader>'], ['<edXML:From>', '<edXML:StaffInfo><edXML:Staff>Nguyễn Văn A</edXML:Staff></edXML:StaffInfo><edXML:From>']),
    kind: 'status',
    warnings: [],
    fields: { statusCode: '03', 'staffInfo.staff': 'Nguyễn Văn A', 'staffInfo.email': null },
  },
  {
    name: 'e-doc.vn namespace under another prefix',
    input: BASE_STATUS.replaceAll(QCVN, E_DOC).replaceAll('edXML:', 'ed:').replace('xmlns:edXML', 'xmlns:ed'),
    kind: 'status',
    warnings: [],
    fields: { dialect: 'e-doc', namespace: E_DOC, statusCode: '03' },
  },
  {
    name: 'go.vn EdXMLEnvelope root (QĐ 28/2018)',
    input: `<EdXMLEnvelope xmlns="http://www.go.vn/eDoc"><EdXMLHeader><MessageHeader><From><OrganId>000.00.00.H41</OrganId></From><ResponseFor><DocumentId>000.00.00.G22,2015/09/30,7816/VPCP-TTĐT</DocumentId><OrganId>000.00.00.G22</OrganId></ResponseFor><StatusCode>05</StatusCode><Timestamp>2015/09/20 11:08:36</Timestamp></MessageHeader></EdXMLHeader></EdXMLEnvelope>`,
    kind: 'status',
    warnings: [],
    fields: { dialect: 'go-edoc', statusCode: '05', 'responseFor.documentIdInfo.form': 'structured', 'responseFor.code': null },
  },
  {
    name: 'SOAP header carrying edXML:Status (Bkav eDoc)',
    input: `<SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP}" xmlns:edXML="${E_DOC}"><SOAP-ENV:Header><edXML:Status><edXML:From><edXML:OrganId>000.00.11.H53</edXML:OrganId></edXML:From><edXML:ResponseFor><edXML:OrganId>000.00.00.G22</edXML:OrganId><edXML:Code>7816/VPCP-TTĐT</edXML:Code></edXML:ResponseFor><edXML:StatusCode>2</edXML:StatusCode><edXML:TimeStamp>2021/02/26 09:00:00</edXML:TimeStamp></edXML:Status></SOAP-ENV:Header><SOAP-ENV:Body/></SOAP-ENV:Envelope>`,
    kind: 'status',
    warnings: ['EDXML_STATUS_CODE_UNPADDED'],
    fields: { dialect: 'e-doc', statusCode: '02', 'responseFor.documentId': null, 'timestamp.iso': '2021-02-26T09:00:00+07:00' },
  },
  {
    name: 'SOAP header with edXML bound to the SOAP namespace (C# client)',
    input: `<SOAP-ENV:Envelope xmlns:SOAP-ENV="${SOAP}" xmlns:edXML="${SOAP}"><SOAP-ENV:Header><edXML:Status><edXML:From><edXML:OrganId>000.00.11.H53</edXML:OrganId></edXML:From><edXML:ResponseFor><edXML:DocumentId>6b0f0a52-3c0e-4f43-9a57-0c1f3f1c2e11</edXML:DocumentId></edXML:ResponseFor><edXML:StatusCode>06</edXML:StatusCode><edXML:Timestamp>2021/02/26 09:00:00</edXML:Timestamp></edXML:Status></SOAP-ENV:Header></SOAP-ENV:Envelope>`,
    kind: 'status',
    warnings: ['EDXML_UNKNOWN_NAMESPACE', 'EDXML_MISSING_RECOMMENDED'],
    fields: { dialect: 'unknown', statusCode: '06', 'responseFor.documentIdInfo.form': 'uuid', 'responseFor.organId': null },
  },
  {
    name: 'Business spelled correctly',
    input: document(['<edXML:Bussiness><edXML:BussinessDocType>0</edXML:BussinessDocType><edXML:Paper>0</edXML:Paper></edXML:Bussiness>', '<edXML:Business><edXML:BusinessDocType>1</edXML:BusinessDocType><edXML:BusinessDocReason>Thu hồi</edXML:BusinessDocReason></edXML:Business>']),
    kind: 'document',
    warnings: [],
    fields: { 'business.businessDocType': '1', 'business.businessDocReason': 'Thu hồi' },
  },
  {
    name: 'JMeter placeholder instead of base64 (lenient)',
    input: document(['SGVsbG8=', '${__StringFromFile(test.txt,,,)}']),
    kind: 'document',
    warnings: ['EDXML_ATTACHMENT_NOT_BASE64'],
    fields: { 'attachments.0.valid': false, 'attachments.0.decodedSize': null, 'attachments.0.sha256': null, 'attachments.0.encodedLength': 32 },
  },
  {
    name: 'cid: on one side only and ContentType disagreement',
    input: document(['<ContentId>cid:1</ContentId>', '<ContentId>1</ContentId>'], ['<ContentType>application/zip</ContentType>', '<ContentType>application/pdf</ContentType>']),
    kind: 'document',
    warnings: ['EDXML_CID_PREFIX_MISMATCH', 'EDXML_CONTENT_TYPE_MISMATCH'],
    fields: { 'attachments.0.contentId': '1', 'manifest.0.contentId': '1', 'attachments.0.contentType': 'application/pdf' },
  },
  {
    name: 'edXML-prefixed AttachmentEncoded, xmldsig Signature, base64 wrapped with CRLF',
    input: document(['<AttachmentEncoded>', `<edXML:AttachmentEncoded xmlns:edXML="${QCVN}">`], ['</AttachmentEncoded>', '</edXML:AttachmentEncoded>'], ['SGVsbG8=', 'SGVs\r\nbG8g\r\nd29y\r\nbGQ='], ['</edXML:TraceHeaderList>', '</edXML:TraceHeaderList><Signature xmlns="http://www.w3.org/2000/09/xmldsig#"><SignatureValue>AA==</SignatureValue></Signature>']),
    kind: 'document',
    warnings: [],
    fields: { 'attachments.0.decodedSize': 11, 'signature.namespace': 'http://www.w3.org/2000/09/xmldsig#' },
  },
  {
    name: 'attachment missing from the manifest and the reverse',
    input: document(['<ContentId>cid:1</ContentId>', '<ContentId>cid:2</ContentId>']),
    kind: 'document',
    warnings: ['EDXML_ATTACHMENT_NOT_IN_MANIFEST', 'EDXML_MANIFEST_ENTRY_WITHOUT_ATTACHMENT'],
    fields: { 'attachments.length': 1, 'manifest.length': 1 },
  },
  {
    name: 'datetime in PromulgationDate, empty DueDate, SignerInfo and OrganAdd',
    input: document(['<edXML:PromulgationDate>2018/09/28', '<edXML:PromulgationDate>2018/09/28 17:19:16'], ['<edXML:DueDate>2018/10/28</edXML:DueDate>', '<edXML:DueDate></edXML:DueDate><edXML:SignerInfo><edXML:Competence/><edXML:Position></edXML:Position><edXML:FullName/></edXML:SignerInfo>'], ['</edXML:OrganName></edXML:From>', '</edXML:OrganName><edXML:OrganAdd/></edXML:From>']),
    kind: 'document',
    warnings: ['EDXML_DATETIME_IN_DATE_FIELD'],
    fields: { 'promulgationInfo.promulgationDate.iso': '2018-09-28', dueDate: null, 'signerInfo.fullName': null, 'from.organAdd': null },
  },
  {
    name: 'empty ResponseFor block and a UUID DocumentId',
    input: document(['000.00.00.G22,2018/09/28,7816/VPCP-TTĐT', '9fbfbad2-f1f8-4256-a2eb-50fb1061cddb'], ['<edXML:SteeringType>', '<edXML:ResponseFor><edXML:OrganId></edXML:OrganId><edXML:Code/><edXML:PromulgationDate/><edXML:DocumentId/></edXML:ResponseFor><edXML:SteeringType>']),
    kind: 'document',
    warnings: ['EDXML_EMPTY_BLOCK_IGNORED'],
    fields: { responseFor: [], 'documentIdInfo.form': 'uuid' },
  },
  {
    name: 'ResponseFor in a revocation, Priority outside the list, unknown elements',
    input: document(['<edXML:Priority>0</edXML:Priority>', '<edXML:Priority>9</edXML:Priority><edXML:Direction>false</edXML:Direction>'], ['<edXML:SteeringType>', '<edXML:ApplicationType>1</edXML:ApplicationType><edXML:ResponseFor><edXML:OrganId>000.00.00.H14</edXML:OrganId><edXML:Code>267/VPCP-TTĐT</edXML:Code><edXML:DocumentId>000.00.04.G14,2012/08/06,267/VPCP-TTĐT</edXML:DocumentId></edXML:ResponseFor><edXML:SteeringType>']),
    kind: 'document',
    warnings: ['EDXML_UNKNOWN_VALUE'],
    fields: { 'otherInfo.priority': '9', 'responseFor.0.organId': '000.00.00.H14', 'responseFor.0.documentIdInfo.date.iso': '2012-08-06' },
  },
  {
    name: 'UTF-8 byte order mark, CDATA and character references',
    input: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(document(['<edXML:Subject>V/v kết nối, liên thông phần mềm quản lý văn bản</edXML:Subject>', '<edXML:Subject><![CDATA[Báo cáo <quý> & năm]]> &#272;&amp;</edXML:Subject>']), 'utf8')]),
    kind: 'document',
    warnings: [],
    fields: { subject: 'Báo cáo <quý> & năm Đ&' },
  },
  {
    name: 'a document cut into 1-byte stream pieces',
    input: async function* () {
      const bytes = Buffer.from(BASE_DOCUMENT, 'utf8');
      for (let i = 0; i < bytes.length; i++) yield bytes.subarray(i, i + 1);
    },
    kind: 'document',
    warnings: [],
    fields: { 'from.organName': 'Văn phòng Chính phủ', 'attachments.0.decodedSize': 5 },
  },
];
