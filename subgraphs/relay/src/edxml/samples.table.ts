/**
 * Expected outcome of every real third-party packet under `$LGSP_REFERENCE_DATA/edxml/samples/` (provenance: the
 * README of that folder; the files may not be redistributed, so they stay outside the repository). One row per
 * file; `edxml.samples.interop.test.ts` (`npm run test:interop`) walks it and fails when a file has no row.
 *
 * Attachments: every document sample's single attachment was redacted to base64 of a 360-byte ZIP holding
 * `REDACTED.txt`. The `2014/02/30` inside Bussiness/DocumentId is a real-world impossible date (warning).
 */
import type { AcceptedStatusRow, PacketRow } from './testing/packet-rows.ts';

const VPCP = 'all4u1089-truclienthong-example';
const BKAV = 'QuangChuIT-edoc-integrator';
const VPCP_DOCUMENT_ID = '000.00.00.G22,2015/09/30,7816/VPCP-TTĐT';
const VPCP_RECIPIENTS = ['000.00.00.H41', '000.00.00.H14', '000.00.00.G17'];
const REDACTED_ZIP: Array<[string, number]> = [['209', 360]];

function vpcpStatus(file: string, statusCode: string, from = '000.00.00.H41', responseForOrganId = '000.00.00.G22'): AcceptedStatusRow {
  return {
    file: `${VPCP}/${file}`,
    outcome: 'accepted',
    kind: 'status',
    from,
    statusCode,
    responseForOrganId,
    responseForDocumentId: VPCP_DOCUMENT_ID,
    timestamp: '2015-09-20T11:08:36+07:00',
    warnings: [],
  };
}

export const SAMPLE_ROWS: PacketRow[] = [
  // --- VPCP/VNPT status packets: all nine codes, all clean
  { ...vpcpStatus('status.edxml', '01'), timestamp: '2018-09-28T17:25:11+07:00' },
  vpcpStatus('status_inbox_01.edxml', '01'),
  vpcpStatus('status_rejection_02.edxml', '02'),
  vpcpStatus('status_acceptance_03.edxml', '03'),
  vpcpStatus('status_assignment_04.edxml', '04'),
  vpcpStatus('status_processing_05.edxml', '05'),
  vpcpStatus('status_finish_06.edxml', '06'),
  // 13 is sent by the document's sender (G22) about its recipient (H41).
  vpcpStatus('status_cancellation_13.edxml', '13', '000.00.00.G22', '000.00.00.H41'),
  vpcpStatus('status_change-acceptance_15.edxml', '15'),
  vpcpStatus('status_change-rejection_16.edxml', '16'),

  // --- VPCP/VNPT document packets
  {
    file: `${VPCP}/edoc_new.redacted.edxml`,
    outcome: 'accepted',
    kind: 'document',
    from: '000.00.00.A80',
    to: ['28.22.H17'],
    codeNumber: '74fass22',
    codeNotation: 'VPCP-TTĐT',
    promulgationDate: '2019-01-16',
    documentId: VPCP_DOCUMENT_ID,
    businessDocType: '0',
    attachments: REDACTED_ZIP,
    // To is a 3-segment identifier; the DocumentId names another sender, date and code; Bussiness/DocumentId 2014/02/30.
    warnings: ['EDXML_ORGAN_ID_NONCANONICAL', 'EDXML_DOCUMENT_ID_MISMATCH', 'EDXML_DOCUMENT_ID_INVALID_DATE'],
  },
  {
    file: `${VPCP}/edoc_update.redacted.edxml`,
    outcome: 'accepted',
    kind: 'document',
    from: '000.00.00.G22',
    to: VPCP_RECIPIENTS,
    codeNumber: '7816',
    codeNotation: 'VPCP-TTĐT',
    promulgationDate: '2018-09-28',
    documentId: VPCP_DOCUMENT_ID,
    businessDocType: '2',
    attachments: REDACTED_ZIP,
    warnings: ['EDXML_DOCUMENT_ID_MISMATCH', 'EDXML_DOCUMENT_ID_INVALID_DATE'],
  },
  {
    file: `${VPCP}/edoc_replacement.redacted.edxml`,
    outcome: 'accepted',
    kind: 'document',
    from: '000.00.00.G22',
    to: VPCP_RECIPIENTS,
    codeNumber: '7816',
    codeNotation: 'VPCP-TTĐT',
    promulgationDate: '2018-09-28',
    documentId: VPCP_DOCUMENT_ID,
    businessDocType: '3',
    attachments: REDACTED_ZIP,
    warnings: ['EDXML_DOCUMENT_ID_MISMATCH'],
  },
  {
    file: `${VPCP}/edoc_revocation.redacted.edxml`,
    outcome: 'accepted',
    kind: 'document',
    from: '000.00.00.G22',
    to: VPCP_RECIPIENTS,
    codeNumber: '7816',
    codeNotation: 'VPCP-TTĐT',
    promulgationDate: '2018-09-28',
    documentId: VPCP_DOCUMENT_ID,
    businessDocType: '1',
    attachments: REDACTED_ZIP,
    warnings: ['EDXML_DOCUMENT_ID_MISMATCH'],
  },
  {
    // Bussiness before TraceHeader.
    file: `${VPCP}/dc0bdef0-c7a3-4aaf-b717-777303442973.redacted.edxml`,
    outcome: 'accepted',
    kind: 'document',
    from: '000.00.00.G22',
    to: VPCP_RECIPIENTS,
    codeNumber: '7816',
    codeNotation: 'VPCP-TTĐT',
    promulgationDate: '2019-04-11',
    documentId: VPCP_DOCUMENT_ID,
    businessDocType: '0',
    attachments: REDACTED_ZIP,
    warnings: ['EDXML_DOCUMENT_ID_MISMATCH', 'EDXML_DOCUMENT_ID_INVALID_DATE'],
  },
  {
    // <From> opened twice (line 7 and 8) and closed once: the mismatch shows at </edXML:MessageHeader>.
    file: `${VPCP}/edoc.cert-redacted.edxml`,
    outcome: 'rejected',
    code: 'EDXML_NOT_WELL_FORMED',
    line: 74,
    column: 28,
    path: 'edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From',
  },

  // --- Bkav eDoc integrator (Tây Ninh): LF line ends
  {
    file: `${BKAV}/edoc_new.redacted.edxml`,
    outcome: 'accepted',
    kind: 'document',
    from: '000.00.11.H53',
    to: ['000.00.01.A53'],
    codeNumber: '2491',
    codeNotation: 'STC-BCTC',
    promulgationDate: '2020-10-30', // sent as 30/10/2020
    documentId: '000.00.11.H53,2020/10/30,2491/STC-BCTC',
    businessDocType: '0',
    attachments: REDACTED_ZIP,
    warnings: ['EDXML_DATE_FORMAT_NONSTANDARD', 'EDXML_DOCUMENT_ID_INVALID_DATE'],
  },
  {
    file: `${BKAV}/edoc_update.redacted.edxml`,
    outcome: 'accepted',
    kind: 'document',
    from: '000.00.00.G22',
    to: ['000.00.00.H53', '000.00.12.H53', '000.00.00.G17'],
    codeNumber: '7816',
    codeNotation: 'VPCP-TTĐT',
    promulgationDate: '2018-09-28',
    documentId: VPCP_DOCUMENT_ID,
    businessDocType: '2',
    attachments: REDACTED_ZIP,
    warnings: ['EDXML_DOCUMENT_ID_MISMATCH', 'EDXML_DOCUMENT_ID_INVALID_DATE'],
  },
];
