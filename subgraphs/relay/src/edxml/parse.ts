/**
 * edXML (QCVN 102:2016 + Amendment 1:2022) packets → typed, validated {@link EdxmlPacket}s.
 *
 * Elements are matched by local name, case-insensitively, whatever their namespace or prefix and in any order;
 * `Bussiness…` and `Business…` are the same name. What is truly broken is refused with an {@link EdxmlError};
 * what real systems are known to send is accepted with an {@link EdxmlWarning} (see README.md for both lists).
 */
import { EdxmlError, EdxmlErrorCode, EdxmlWarningCode, STRICT_ESCALATION, type EdxmlWarning } from './errors.ts';
import type {
  EdxmlAttachment,
  EdxmlBusiness,
  EdxmlDialect,
  EdxmlDocumentPacket,
  EdxmlManifestReference,
  EdxmlOrganization,
  EdxmlPacket,
  EdxmlResponseFor,
  EdxmlStaffInfo,
  EdxmlStatusPacket,
  EdxmlTraceHeader,
} from './types.ts';
import { checkOrganId, isoDate, isoTimestamp, normaliseStatusCode, parseDocumentId, parseEdxmlDate, type DocumentIdInfo, type EdxmlDate } from './values.ts';
import { DEFAULT_LIMITS, XmlReader, pathOf, type EdxmlLimits, type XmlElement } from './xml-reader.ts';

export interface ParseEdxmlOptions {
  /** Override any of the reading limits ({@link DEFAULT_LIMITS}). */
  limits?: Partial<EdxmlLimits>;
  /**
   * Strict mode turns the warnings listed in `STRICT_ESCALATION` into errors (non-base64 attachments,
   * non-canonical dates and OrganIds, unpadded status codes, missing recommended elements, unknown codes…).
   */
  strict?: boolean;
  /** The kind the sender declared (EDXML_DOCUMENT / EDXML_STATUS); a packet of the other kind is refused. */
  expectedKind?: 'document' | 'status';
}

export const NAMESPACES = {
  'qcvn-102-2016': 'http://www.mic.gov.vn/TBT/QCVN_102_2016',
  'e-doc': 'http://www.e-doc.vn/Schema/',
  'go-edoc': 'http://www.go.vn/eDoc',
} as const;
const SOAP_NAMESPACES = new Set(['http://schemas.xmlsoap.org/soap/envelope/', 'http://www.w3.org/2003/05/soap-envelope']);
const BASE64_ELEMENTS: ReadonlySet<string> = new Set(['contenttransferencoded']);

/** Parse a whole packet held in memory. */
export function parseEdxml(input: Buffer | Uint8Array | string, options: ParseEdxmlOptions = {}): EdxmlPacket {
  const parser = createEdxmlParser(options);
  parser.write(input);
  return parser.end();
}

/** Parse a packet as it streams (an upload, a file): memory stays bounded by the limits, not the packet size. */
export async function parseEdxmlStream(source: AsyncIterable<Buffer | Uint8Array | string>, options: ParseEdxmlOptions = {}): Promise<EdxmlPacket> {
  const parser = createEdxmlParser(options);
  for await (const chunk of source) parser.write(chunk);
  return parser.end();
}

/** The push form: `write` pieces as they arrive, `end()` for the packet. Both throw {@link EdxmlError}. */
export function createEdxmlParser(options: ParseEdxmlOptions = {}): { write(chunk: Buffer | Uint8Array | string): void; end(): EdxmlPacket } {
  const limits = { ...DEFAULT_LIMITS };
  for (const [name, value] of Object.entries(options.limits ?? {}) as Array<[keyof EdxmlLimits, number | undefined]>) {
    if (value === undefined) continue;
    if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`edXML limit ${name} must be a positive integer, got ${value}`);
    limits[name] = value;
  }
  const reader = new XmlReader({ limits, base64Elements: BASE64_ELEMENTS });
  return {
    write: (chunk) => reader.write(chunk),
    end: () => interpret(reader.end(), options),
  };
}

// ---------------------------------------------------------------------------------------------------------------

const key = (name: string): string => name.toLowerCase().replace(/bussiness/g, 'business');

function where(element: XmlElement): { path: string; line: number; column: number } {
  return { path: pathOf(element), line: element.line, column: element.column };
}

function normaliseText(text: string): string | null {
  const trimmed = text.replace(/\r\n?/g, '\n').trim();
  return trimmed === '' ? null : trimmed;
}

/** Everything needed while turning the tree into a packet: the warnings found so far. */
class Interpreter {
  readonly warnings: EdxmlWarning[] = [];

  warn(code: EdxmlWarning['code'], message: string, element: XmlElement, missingChild?: string): void {
    const w = where(element);
    this.warnings.push({ code, message, ...w, ...(missingChild ? { path: `${w.path}/${missingChild}` } : {}) });
  }

  fail(code: EdxmlErrorCode, message: string, element: XmlElement, missingChild?: string): EdxmlError {
    const w = where(element);
    return new EdxmlError(code, message, { ...w, ...(missingChild ? { path: `${w.path}/${missingChild}` } : {}) });
  }

  all(parent: XmlElement | undefined, name: string): XmlElement[] {
    if (!parent) return [];
    const k = key(name);
    return parent.children.filter((child) => key(child.local) === k);
  }

  /** The single child of that name; two of them make the packet ambiguous. */
  one(parent: XmlElement | undefined, name: string): XmlElement | undefined {
    const found = this.all(parent, name);
    if (found.length > 1) throw this.fail(EdxmlErrorCode.DUPLICATE_ELEMENT, `<${found[1]!.local}> appears more than once in <${parent!.local}>`, found[1]!);
    return found[0];
  }

  text(parent: XmlElement | undefined, name: string): string | null {
    const element = this.one(parent, name);
    return element ? normaliseText(element.text) : null;
  }

  required(parent: XmlElement, name: string): XmlElement {
    const element = this.one(parent, name);
    if (!element) throw this.fail(EdxmlErrorCode.MISSING_ELEMENT, `<${parent.local}> has no <${name}>`, parent, name);
    return element;
  }

  requiredText(parent: XmlElement, name: string): string {
    const element = this.required(parent, name);
    const value = normaliseText(element.text);
    if (value === null) throw this.fail(EdxmlErrorCode.MISSING_ELEMENT, `<${parent.local}/${element.local}> is empty`, element);
    return value;
  }

  recommendedText(parent: XmlElement, name: string): string | null {
    const value = this.text(parent, name);
    if (value === null) this.warn(EdxmlWarningCode.MISSING_RECOMMENDED, `<${parent.local}/${name}> is absent or empty`, parent, name);
    return value;
  }

  organId(element: XmlElement, value: string): string {
    const check = checkOrganId(value);
    if (check === 'invalid') {
      throw this.fail(
        EdxmlErrorCode.INVALID_ORGAN_ID,
        `"${value}" is not a QCVN 102 agency identifier (2–4 dot-separated segments of letters and digits)`,
        element,
      );
    }
    if (check === 'accepted') this.warn(EdxmlWarningCode.ORGAN_ID_NONCANONICAL, `agency identifier "${value}" is not in the NNN.NN.NN.XNN form`, element);
    return value;
  }

  optionalOrganId(parent: XmlElement | undefined, name = 'OrganId'): string | null {
    const element = this.one(parent, name);
    const value = element ? normaliseText(element.text) : null;
    return element && value !== null ? this.organId(element, value) : null;
  }

  organization(element: XmlElement): EdxmlOrganization {
    const organIdElement = this.required(element, 'OrganId');
    const organId = this.requiredText(element, 'OrganId');
    return {
      organId: this.organId(organIdElement, organId),
      organizationInCharge: this.text(element, 'OrganizationInCharge'),
      organName: this.text(element, 'OrganName'),
      organAdd: this.text(element, 'OrganAdd'),
      email: this.text(element, 'Email'),
      telephone: this.text(element, 'Telephone'),
      fax: this.text(element, 'Fax'),
      website: this.text(element, 'Website'),
    };
  }

  /** A date element: impossible or unreadable → error; readable but non-canonical → warning. */
  date(parent: XmlElement | undefined, name: string, form: 'date' | 'timestamp'): EdxmlDate | null {
    const element = this.one(parent, name);
    const raw = element ? normaliseText(element.text) : null;
    if (!element || raw === null) return null;
    const parsed = parseEdxmlDate(raw);
    if (!parsed.ok) {
      throw this.fail(
        EdxmlErrorCode.INVALID_DATE,
        `<${element.local}> "${raw}" is ${parsed.reason === 'impossible' ? 'an impossible date' : 'not a date'}`,
        element,
      );
    }
    const d = parsed.date;
    if (form === 'date') {
      if (d.time) this.warn(EdxmlWarningCode.DATETIME_IN_DATE_FIELD, `<${element.local}> "${raw}" carries a time; the date is used`, element);
      if (!/^\d{4}\/\d{2}\/\d{2}(\s|$)/.test(raw))
        this.warn(EdxmlWarningCode.DATE_FORMAT_NONSTANDARD, `<${element.local}> "${raw}" is not yyyy/MM/dd`, element);
      return { raw, iso: isoDate(d) };
    }
    if (!d.canonicalTimestamp) this.warn(EdxmlWarningCode.DATE_FORMAT_NONSTANDARD, `<${element.local}> "${raw}" is not yyyy/MM/dd HH:mm:ss`, element);
    return { raw, iso: isoTimestamp(d) };
  }

  documentId(parent: XmlElement | undefined, name = 'DocumentId'): { documentId: string | null; documentIdInfo: DocumentIdInfo | null; element?: XmlElement } {
    const element = this.one(parent, name);
    const value = element ? normaliseText(element.text) : null;
    if (!element || value === null) return { documentId: null, documentIdInfo: null };
    const info = parseDocumentId(value);
    if (info.form === 'unstructured') {
      this.warn(EdxmlWarningCode.DOCUMENT_ID_UNSTRUCTURED, `DocumentId "${value}" is neither OrganId,yyyy/MM/dd,Number/Notation nor a UUID`, element);
    } else if (info.form === 'structured' && info.date.iso === null) {
      this.warn(EdxmlWarningCode.DOCUMENT_ID_INVALID_DATE, `DocumentId "${value}" embeds the impossible date ${info.date.raw}; kept as an opaque key`, element);
    }
    return { documentId: value, documentIdInfo: info, element };
  }

  staffInfo(parent: XmlElement | undefined): EdxmlStaffInfo | null {
    const element = this.one(parent, 'StaffInfo');
    if (!element) return null;
    return {
      department: this.text(element, 'Department'),
      staff: this.text(element, 'Staff'),
      email: this.text(element, 'Email'),
      mobile: this.text(element, 'Mobile'),
    };
  }

  responseFor(element: XmlElement): EdxmlResponseFor {
    const { documentId, documentIdInfo } = this.documentId(element);
    return {
      organId: this.optionalOrganId(element),
      code: this.text(element, 'Code'),
      promulgationDate: this.date(element, 'PromulgationDate', 'date'),
      documentId,
      documentIdInfo,
    };
  }

  known(parent: XmlElement | undefined, name: string, allowed: readonly string[], meaning: string): string | null {
    const element = this.one(parent, name);
    const value = element ? normaliseText(element.text) : null;
    if (element && value !== null && !allowed.includes(value)) {
      this.warn(EdxmlWarningCode.UNKNOWN_VALUE, `<${element.local}> "${value}" is not one of ${allowed.join(', ')} (${meaning})`, element);
    }
    return value;
  }

  amount(parent: XmlElement | undefined, name: string): number | null {
    const element = this.one(parent, name);
    const value = element ? normaliseText(element.text) : null;
    if (!element || value === null) return null;
    if (!/^\d{1,9}$/.test(value)) {
      this.warn(EdxmlWarningCode.UNKNOWN_VALUE, `<${element.local}> "${value}" is not a count`, element);
      return null;
    }
    return Number(value);
  }

  /** Every child of `block` is empty (or there is none). */
  isEmptyBlock(block: XmlElement): boolean {
    const visit = (e: XmlElement): boolean => normaliseText(e.text) === null && e.children.every(visit);
    return visit(block);
  }
}

function find(root: XmlElement, keys: readonly string[], skip: readonly string[]): XmlElement | undefined {
  const queue = [root];
  for (let i = 0; i < queue.length; i++) {
    const element = queue[i]!;
    const k = key(element.local);
    if (keys.includes(k) && (k !== 'status' || element.children.length > 0)) return element;
    if (element !== root && skip.includes(k)) continue;
    queue.push(...element.children);
  }
  return undefined;
}

function dialectOf(ns: string): EdxmlDialect {
  const n = ns.replace(/\/+$/, '').toLowerCase();
  for (const [dialect, uri] of Object.entries(NAMESPACES)) if (uri.replace(/\/+$/, '').toLowerCase() === n) return dialect as EdxmlDialect;
  return 'unknown';
}

function interpret(root: XmlElement, options: ParseEdxmlOptions): EdxmlPacket {
  const it = new Interpreter();
  const rootKey = key(root.local);
  const soap = rootKey === 'envelope' && SOAP_NAMESPACES.has(root.ns);
  if (!soap && rootKey !== 'edxml' && rootKey !== 'edxmlenvelope') {
    throw it.fail(
      EdxmlErrorCode.UNKNOWN_ROOT,
      `root element <${root.qname}>${root.ns ? ` in ${root.ns}` : ''} is not an edXML packet (expected edXML, edXMLEnvelope or a SOAP Envelope)`,
      root,
    );
  }
  const header = find(root, ['messageheader', 'status'], ['signature', 'attachmentencoded', 'edxmlbody', 'traceheaderlist']);
  if (!header) throw it.fail(EdxmlErrorCode.MISSING_ELEMENT, `no <MessageHeader> in the packet`, root, 'edXMLEnvelope/edXMLHeader/MessageHeader');
  const dialect = dialectOf(header.ns);
  if (dialect === 'unknown') {
    it.warn(EdxmlWarningCode.UNKNOWN_NAMESPACE, `<${header.local}> is in namespace "${header.ns}", not one of the edXML namespaces`, header);
  }

  const has = (name: string): boolean => it.all(header, name).length > 0;
  const looksLikeStatus = has('StatusCode') || (!has('To') && !has('Code') && !has('Subject') && (has('ResponseFor') || key(header.local) === 'status'));
  const kind = options.expectedKind ?? (looksLikeStatus ? 'status' : 'document');
  if (options.expectedKind && (looksLikeStatus ? 'status' : 'document') !== options.expectedKind && (has('StatusCode') || has('To'))) {
    throw it.fail(
      EdxmlErrorCode.KIND_MISMATCH,
      `a ${options.expectedKind} packet was declared but this is a ${looksLikeStatus ? 'status' : 'document'} packet`,
      header,
    );
  }

  const base = { dialect, namespace: header.ns, from: it.organization(it.required(header, 'From')), warnings: it.warnings };
  const packet: EdxmlPacket = kind === 'status' ? statusPacket(it, header, base) : documentPacket(it, root, header, base);

  if (options.strict) {
    for (const warning of it.warnings) {
      const code = STRICT_ESCALATION[warning.code];
      if (code) throw new EdxmlError(code, `${warning.message} (strict mode)`, { path: warning.path, line: warning.line, column: warning.column });
    }
  }
  return packet;
}

type Base = Pick<EdxmlStatusPacket, 'dialect' | 'namespace' | 'from' | 'warnings'>;

function statusPacket(it: Interpreter, header: XmlElement, base: Base): EdxmlStatusPacket {
  const responseForElement = it.required(header, 'ResponseFor');
  const responseFor = it.responseFor(responseForElement);
  if (responseFor.documentId === null && responseFor.code === null) {
    throw it.fail(EdxmlErrorCode.MISSING_ELEMENT, `<ResponseFor> names no document (DocumentId and Code are empty)`, responseForElement, 'DocumentId');
  }
  if (responseFor.organId === null) it.warn(EdxmlWarningCode.MISSING_RECOMMENDED, `<ResponseFor/OrganId> is absent or empty`, responseForElement, 'OrganId');

  const statusElement = it.required(header, 'StatusCode');
  const raw = normaliseText(statusElement.text);
  if (raw === null) throw it.fail(EdxmlErrorCode.MISSING_ELEMENT, `<StatusCode> is empty`, statusElement);
  const status = normaliseStatusCode(raw);
  if (!status) throw it.fail(EdxmlErrorCode.INVALID_STATUS_CODE, `StatusCode "${raw}" is not one of 01–06, 13, 15, 16`, statusElement);
  if (status.padded) it.warn(EdxmlWarningCode.STATUS_CODE_UNPADDED, `StatusCode "${raw}" read as "${status.code}"`, statusElement);

  const timestamp = it.date(header, 'Timestamp', 'timestamp');
  if (timestamp === null) it.warn(EdxmlWarningCode.MISSING_RECOMMENDED, `<Timestamp> is absent or empty`, header, 'Timestamp');
  return {
    kind: 'status',
    ...base,
    responseFor,
    staffInfo: it.staffInfo(header),
    statusCode: status.code,
    description: it.text(header, 'Description'),
    timestamp,
  };
}

function documentPacket(it: Interpreter, root: XmlElement, header: XmlElement, base: Base): EdxmlDocumentPacket {
  const toElements = it.all(header, 'To');
  if (toElements.length === 0) throw it.fail(EdxmlErrorCode.MISSING_ELEMENT, `a document packet has no recipient <To>`, header, 'To');
  const to = toElements.map((element) => it.organization(element));

  const codeElement = it.required(header, 'Code');
  const codeNumber = it.requiredText(codeElement, 'CodeNumber');
  const codeNotation = it.recommendedText(codeElement, 'CodeNotation');
  const code = { codeNumber, codeNotation, value: codeNotation ? `${codeNumber}/${codeNotation}` : codeNumber };

  const promulgation = it.one(header, 'PromulgationInfo');
  const promulgationDate = it.date(promulgation, 'PromulgationDate', 'date');
  if (!promulgationDate)
    it.warn(
      EdxmlWarningCode.MISSING_RECOMMENDED,
      `<PromulgationInfo/PromulgationDate> is absent or empty`,
      promulgation ?? header,
      promulgation ? 'PromulgationDate' : 'PromulgationInfo',
    );

  const documentTypeElement = it.one(header, 'DocumentType');
  if (!documentTypeElement) it.warn(EdxmlWarningCode.MISSING_RECOMMENDED, `<DocumentType> is absent`, header, 'DocumentType');
  const subject = it.recommendedText(header, 'Subject');
  const signer = it.one(header, 'SignerInfo');
  const other = it.one(header, 'OtherInfo');

  const responseFor: EdxmlResponseFor[] = [];
  for (const element of it.all(header, 'ResponseFor')) {
    if (it.isEmptyBlock(element)) it.warn(EdxmlWarningCode.EMPTY_BLOCK_IGNORED, `an empty <ResponseFor> block was ignored`, element);
    else responseFor.push(it.responseFor(element));
  }

  const id = it.documentId(header);
  if (id.documentId === null) it.warn(EdxmlWarningCode.MISSING_RECOMMENDED, `<DocumentId> is absent or empty`, header, 'DocumentId');
  const info = id.documentIdInfo;
  if (info?.form === 'structured' && id.element) {
    const differences = [
      info.organId !== base.from.organId ? `sender ${info.organId} ≠ From ${base.from.organId}` : null,
      info.date.iso !== null && promulgationDate && info.date.iso !== promulgationDate.iso
        ? `date ${info.date.iso} ≠ PromulgationDate ${promulgationDate.iso}`
        : null,
      `${info.codeNumber}/${info.codeNotation}` !== code.value ? `code ${info.codeNumber}/${info.codeNotation} ≠ Code ${code.value}` : null,
    ].filter((d) => d !== null);
    if (differences.length > 0) it.warn(EdxmlWarningCode.DOCUMENT_ID_MISMATCH, `DocumentId differs from the header: ${differences.join('; ')}`, id.element);
  }

  const envelopeHeader = header.parent ?? header;
  const traceList = it.one(envelopeHeader, 'TraceHeaderList');
  const traceHeaderList: EdxmlTraceHeader[] = it.all(traceList, 'TraceHeader').map((element) => ({
    organId: it.optionalOrganId(element),
    timestamp: it.date(element, 'Timestamp', 'timestamp'),
  }));
  const businessElement = it.one(traceList, 'Bussiness') ?? it.one(envelopeHeader, 'Bussiness') ?? it.one(header, 'Bussiness');
  const signatureElement = it.all(envelopeHeader, 'Signature')[0];

  const priority = it.known(other, 'Priority', ['0', '1', '2', '3', '4'], '0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ');
  const steeringType = it.known(header, 'SteeringType', ['1', '2', '3'], '1 not steering, 2 steering, 3 steering report');
  const packet: EdxmlDocumentPacket = {
    kind: 'document',
    ...base,
    to,
    documentId: id.documentId,
    documentIdInfo: info,
    code,
    promulgationInfo: { place: it.text(promulgation, 'Place'), promulgationDate },
    documentType: {
      type: it.text(documentTypeElement, 'Type'),
      typeDetail: it.text(documentTypeElement, 'TypeDetail'),
      typeName: it.text(documentTypeElement, 'TypeName'),
    },
    subject,
    content: it.text(header, 'Content'),
    signerInfo: { competence: it.text(signer, 'Competence'), position: it.text(signer, 'Position'), fullName: it.text(signer, 'FullName') },
    dueDate: it.date(header, 'DueDate', 'date'),
    toPlaces: texts(it, it.one(header, 'ToPlaces'), 'Place'),
    otherInfo: {
      priority,
      sphereOfPromulgation: it.text(other, 'SphereOfPromulgation'),
      typerNotation: it.text(other, 'TyperNotation'),
      promulgationAmount: it.amount(other, 'PromulgationAmount'),
      pageAmount: it.amount(other, 'PageAmount'),
      appendixes: texts(it, it.one(other, 'Appendixes'), 'Appendix'),
    },
    responseFor,
    steeringType,
    traceHeaderList,
    business: businessElement ? business(it, businessElement) : null,
    manifest: [],
    attachments: [],
    signature: signatureElement ? { namespace: signatureElement.ns } : null,
  };
  readAttachments(it, root, packet);
  return packet;
}

function texts(it: Interpreter, parent: XmlElement | undefined, name: string): string[] {
  return it
    .all(parent, name)
    .map((e) => normaliseText(e.text))
    .filter((t): t is string => t !== null);
}

function business(it: Interpreter, element: XmlElement): EdxmlBusiness {
  const { documentId, documentIdInfo } = it.documentId(element);
  const infoElement = it.one(element, 'BussinessDocumentInfo');
  const replacementList = it.one(element, 'ReplacementInfoList');
  return {
    businessDocType: it.known(element, 'BussinessDocType', ['0', '1', '2', '3'], '0 new, 1 revoke, 2 update, 3 replace'),
    businessDocReason: it.text(element, 'BussinessDocReason'),
    documentId,
    documentIdInfo,
    paper: it.text(element, 'Paper'),
    businessDocumentInfo: infoElement
      ? {
          documentInfo: it.text(infoElement, 'DocumentInfo'),
          documentReceiver: it.text(infoElement, 'DocumentReceiver'),
          receiverList: it.all(it.one(infoElement, 'ReceiverList'), 'Receiver').map((receiver) => ({
            organId: it.optionalOrganId(receiver),
            receiverType: it.known(receiver, 'ReceiverType', ['0', '1'], '0 removed, 1 added'),
          })),
        }
      : null,
    replacementInfoList: it.all(replacementList, 'ReplacementInfo').map((replacement) => ({
      documentId: it.documentId(replacement).documentId,
      organIdList: it.all(it.one(replacement, 'OrganIdList'), 'OrganId').flatMap((organ) => {
        const value = normaliseText(organ.text);
        return value === null ? [] : [it.organId(organ, value)];
      }),
    })),
    staffInfo: it.staffInfo(element),
  };
}

/** `cid:abc`, `<abc>`, `abc` → `abc`. */
function contentIdOf(raw: string | null): { id: string | null; prefixed: boolean } {
  if (raw === null) return { id: null, prefixed: false };
  const prefixed = /^cid:/i.test(raw);
  const id = raw
    .replace(/^cid:/i, '')
    .replace(/^<(.*)>$/, '$1')
    .trim();
  return { id: id === '' ? null : id, prefixed };
}

function readAttachments(it: Interpreter, root: XmlElement, packet: EdxmlDocumentPacket): void {
  const manifestElement = find(root, ['edxmlmanifest'], ['edxmlheader', 'attachmentencoded']);
  const references = it.all(manifestElement, 'Reference').map((element) => {
    const cid = contentIdOf(it.text(element, 'ContentId'));
    const reference: EdxmlManifestReference = {
      contentId: cid.id,
      contentType: it.text(element, 'ContentType'),
      description: it.text(element, 'Description'),
      attachmentName: it.text(element, 'AttachmentName'),
    };
    return { element, reference, prefixed: cid.prefixed, matched: false };
  });
  packet.manifest = references.map((r) => r.reference);

  const container = find(root, ['attachmentencoded'], ['edxmlheader']);
  for (const element of it.all(container, 'Attachment')) {
    const cid = contentIdOf(it.text(element, 'ContentId'));
    const contentElement = it.required(element, 'ContentTransferEncoded');
    const content = contentElement.base64!.finish();
    const attachment: EdxmlAttachment = {
      contentId: cid.id,
      attachmentName: it.text(element, 'AttachmentName'),
      description: it.text(element, 'Description'),
      contentType: it.text(element, 'ContentType'),
      ...content,
    };
    if (!content.valid) {
      it.warn(
        EdxmlWarningCode.ATTACHMENT_NOT_BASE64,
        `the content of attachment ${cid.id ?? attachment.attachmentName ?? '?'} is not base64; its size is unknown`,
        contentElement,
      );
    }
    const reference = references.find((r) => !r.matched && r.reference.contentId !== null && r.reference.contentId === cid.id);
    if (!reference) {
      it.warn(EdxmlWarningCode.ATTACHMENT_NOT_IN_MANIFEST, `attachment ${cid.id ?? '(no ContentId)'} is not listed in the manifest`, element);
    } else {
      reference.matched = true;
      if (reference.prefixed !== cid.prefixed) {
        it.warn(EdxmlWarningCode.CID_PREFIX_MISMATCH, `ContentId ${cid.id} carries "cid:" on one side only`, element);
      }
      const [a, b] = [reference.reference.contentType, attachment.contentType];
      if (a && b && a.toLowerCase() !== b.toLowerCase()) {
        it.warn(EdxmlWarningCode.CONTENT_TYPE_MISMATCH, `attachment ${cid.id} is ${b} but the manifest says ${a}`, element);
      }
    }
    packet.attachments.push(attachment);
  }
  for (const r of references) {
    if (!r.matched)
      it.warn(EdxmlWarningCode.MANIFEST_ENTRY_WITHOUT_ATTACHMENT, `manifest entry ${r.reference.contentId ?? '(no ContentId)'} has no attachment`, r.element);
  }
}
