/**
 * Expected outcome of every packet under `packets/`: the project's own edXML test packets, written for this
 * repository (invented Nghệ An correspondence; every organisation, person, e-mail and number is made up). They
 * exercise, in whole files, the rules the real third-party samples exercise in `npm run test:interop`
 * (`samples.table.ts`): each status code, each BussinessDocType, CRLF and LF files, Bussiness before TraceHeader,
 * a UUID DocumentId, a forwarded packet, day-first dates, empty elements, a JMeter placeholder as attachment, and
 * one packet per kind of refusal. `edxml.packets.test.ts` walks the table and fails when a file has no row.
 *
 * Attachments: each document carries `1234-STC-QLNS.txt` zipped (434 bytes decoded), as `ContentId` `cid:1`.
 */
import type { AcceptedDocumentRow, AcceptedStatusRow, PacketRow } from './testing/packet-rows.ts';

const STC = '000.00.12.H41'; // Sở Tài chính
const STP = '000.00.15.H41'; // Sở Tư pháp
const SNV = '000.00.09.H41'; // Sở Nội vụ
const VP = '000.00.01.H41'; // Văn phòng UBND tỉnh
const DOCUMENT_ID = `${STC},2026/03/16,1234/STC-QLNS`;
const ZIP: Array<[string, number]> = [['1', 434]];

function document(file: string, row: Partial<AcceptedDocumentRow>): AcceptedDocumentRow {
  return {
    file,
    outcome: 'accepted',
    kind: 'document',
    from: STC,
    to: [STP],
    codeNumber: '1234',
    codeNotation: 'STC-QLNS',
    promulgationDate: '2026-03-16',
    documentId: DOCUMENT_ID,
    businessDocType: '0',
    attachments: ZIP,
    warnings: [],
    ...row,
  };
}

function status(file: string, statusCode: string, row: Partial<AcceptedStatusRow> = {}): AcceptedStatusRow {
  return {
    file,
    outcome: 'accepted',
    kind: 'status',
    from: STP,
    statusCode,
    responseForOrganId: STC,
    responseForDocumentId: DOCUMENT_ID,
    timestamp: '2026-03-16T10:15:00+07:00',
    warnings: [],
    ...row,
  };
}

export const PACKET_ROWS: PacketRow[] = [
  // --- Status packets in the VPCP form: every code of QCVN 102:2016, all clean (odd codes CRLF, even LF).
  status('status_01_arrived.edxml', '01'),
  status('status_02_rejected.edxml', '02'),
  status('status_03_accepted.edxml', '03'),
  status('status_04_assigned.edxml', '04'),
  status('status_05_processing.edxml', '05'),
  status('status_06_finished.edxml', '06'),
  // 13 is sent by a document's sender (here Sở Tài chính about a letter of Sở Tư pháp).
  status('status_13_revocation-request.edxml', '13', { from: STC, responseForOrganId: STP, responseForDocumentId: `${STP},2026/03/16,56/STP-VP` }),
  status('status_15_change-accepted.edxml', '15'),
  status('status_16_change-rejected.edxml', '16'),
  // Bkav style: StatusCode "5", TimeStamp (capital S) written dd/MM/yyyy HH:mm:ss.
  status('status_unpadded-day-first.edxml', '05', { timestamp: '2026-03-16T14:05:00+07:00', warnings: ['EDXML_STATUS_CODE_UNPADDED', 'EDXML_DATE_FORMAT_NONSTANDARD'] }),
  { file: 'status_unknown-code.edxml', outcome: 'rejected', code: 'EDXML_INVALID_STATUS_CODE', line: 28, column: 9, path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/StatusCode' },
  { file: 'status_missing-response-for.edxml', outcome: 'rejected', code: 'EDXML_MISSING_ELEMENT', line: 5, column: 7, path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/ResponseFor' },

  // --- Document packets: one per BussinessDocType, clean.
  document('document_new.edxml', {}),
  document('document_revocation.edxml', { codeNumber: '1250', promulgationDate: '2026-03-18', documentId: `${STC},2026/03/18,1250/STC-QLNS`, businessDocType: '1' }),
  document('document_update.edxml', { to: [SNV, VP], businessDocType: '2' }),
  document('document_replacement.edxml', { codeNumber: '1302', promulgationDate: '2026-03-20', documentId: `${STC},2026/03/20,1302/STC-QLNS`, businessDocType: '3' }),
  // Bussiness before TraceHeader, three recipients, a UUID as DocumentId (accepted silently).
  document('document_business-first.edxml', { to: [STP, SNV, VP], documentId: '5b0d3c1e-8f2a-4c77-9e41-2a6f0b7d9c13' }),

  // --- Real-world deviations, accepted with warnings.
  // Forwarded by Văn phòng UBND: a 3-segment recipient, the original sender's DocumentId, an impossible date
  // (2026/02/30) inside Bussiness/DocumentId, and `cid:` on the manifest side only.
  document('document_forwarded.edxml', {
    from: VP,
    to: ['15.02.H41'],
    warnings: ['EDXML_ORGAN_ID_NONCANONICAL', 'EDXML_DOCUMENT_ID_MISMATCH', 'EDXML_DOCUMENT_ID_INVALID_DATE', 'EDXML_CID_PREFIX_MISMATCH'],
  }),
  // PromulgationDate 16/03/2026 (read day-first); empty SignerInfo, DueDate, OrganAdd and Fax read as null, silently.
  document('document_day-first-date.edxml', { warnings: ['EDXML_DATE_FORMAT_NONSTANDARD'] }),
  // A JMeter placeholder instead of base64: kept as invalid, strict mode refuses it.
  document('document_attachment-placeholder.edxml', { attachments: [['1', null]], warnings: ['EDXML_ATTACHMENT_NOT_BASE64'] }),

  // --- Refused.
  // <From> opened twice (lines 6 and 7) and closed once: the mismatch shows at </edXML:MessageHeader>.
  { file: 'document_not-well-formed.edxml', outcome: 'rejected', code: 'EDXML_NOT_WELL_FORMED', line: 64, column: 28, path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From' },
  { file: 'document_doctype.edxml', outcome: 'rejected', code: 'EDXML_FORBIDDEN_CONSTRUCT', line: 2, column: 1 },
  { file: 'document_missing-recipient.edxml', outcome: 'rejected', code: 'EDXML_MISSING_ELEMENT', line: 5, column: 7, path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/To' },
  { file: 'document_one-segment-organ-id.edxml', outcome: 'rejected', code: 'EDXML_INVALID_ORGAN_ID', line: 7, column: 11, path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId' },
  { file: 'document_impossible-date.edxml', outcome: 'rejected', code: 'EDXML_INVALID_DATE', line: 33, column: 11, path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/PromulgationInfo/PromulgationDate' },
];
