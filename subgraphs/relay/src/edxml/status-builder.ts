/**
 * Builds a status packet (gói tin trạng thái) in the VPCP/VNPT form — the form of every real status sample —
 * for the relay to send back to a document's source.
 */
import { EdxmlError, EdxmlErrorCode } from './errors.ts';
import { NAMESPACES } from './parse.ts';
import { checkOrganId, formatEdxmlDate, formatEdxmlTimestamp, normaliseStatusCode, type EdxmlStatusCode } from './values.ts';

export interface EdxmlOrganizationInput {
  organId: string;
  organizationInCharge?: string | null;
  organName?: string | null;
  organAdd?: string | null;
  email?: string | null;
  telephone?: string | null;
  fax?: string | null;
  website?: string | null;
}

export interface EdxmlStatusInput {
  /** The agency reporting the status. */
  from: EdxmlOrganizationInput;
  /** The document the status is about. */
  responseFor: {
    organId: string;
    /** `CodeNumber/CodeNotation`. */
    code: string;
    /** A `YYYY-MM-DD` (or any edXML date form) calendar date, or an instant (its Vietnam date is used). */
    promulgationDate: string | Date;
    documentId: string;
  };
  staffInfo?: { department?: string | null; staff?: string | null; email?: string | null; mobile?: string | null } | null;
  /** `01`–`06`, `13`, `15`, `16` (`1` is read as `01`). */
  statusCode: EdxmlStatusCode | string;
  description?: string | null;
  /** When the status arose; written as Vietnam time. Default: now. */
  timestamp?: Date;
}

function escapeXml(text: string): string {
  // XML 1.0 has no way to carry these characters; a packet holding them would not be well-formed.
  // eslint-disable-next-line no-control-regex -- the control characters are what this matches
  if (/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/.test(text)) {
    throw new EdxmlError(EdxmlErrorCode.INVALID_VALUE, 'a value contains a control character that XML cannot carry');
  }
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function element(indent: string, name: string, value: string | null | undefined): string {
  return value === null || value === undefined || value === ''
    ? `${indent}<edXML:${name}/>\n`
    : `${indent}<edXML:${name}>${escapeXml(value)}</edXML:${name}>\n`;
}

function organId(value: string, path: string): string {
  if (checkOrganId(value) === 'invalid') throw new EdxmlError(EdxmlErrorCode.INVALID_ORGAN_ID, `"${value}" is not a QCVN 102 agency identifier`, { path });
  return value;
}

/** The status packet as a UTF-8 XML string. Throws {@link EdxmlError} for an input no receiver could accept. */
export function toEdxmlStatus(input: EdxmlStatusInput): string {
  const status = normaliseStatusCode(input.statusCode);
  if (!status)
    throw new EdxmlError(EdxmlErrorCode.INVALID_STATUS_CODE, `StatusCode "${input.statusCode}" is not one of 01–06, 13, 15, 16`, { path: 'StatusCode' });
  if (!input.responseFor.documentId.trim() && !input.responseFor.code.trim()) {
    throw new EdxmlError(EdxmlErrorCode.MISSING_ELEMENT, 'responseFor needs a documentId or a code', { path: 'ResponseFor/DocumentId' });
  }
  let promulgationDate: string;
  try {
    promulgationDate = formatEdxmlDate(input.responseFor.promulgationDate);
  } catch {
    throw new EdxmlError(EdxmlErrorCode.INVALID_DATE, `promulgationDate "${String(input.responseFor.promulgationDate)}" is not a date`, {
      path: 'ResponseFor/PromulgationDate',
    });
  }
  let timestamp: string;
  try {
    timestamp = formatEdxmlTimestamp(input.timestamp ?? new Date());
  } catch {
    throw new EdxmlError(EdxmlErrorCode.INVALID_DATE, 'timestamp is not a valid instant', { path: 'Timestamp' });
  }
  const from = input.from;
  const i4 = '        ';
  const i5 = '          ';
  const staff = input.staffInfo;
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n` +
    `<edXML xmlns="${NAMESPACES['qcvn-102-2016']}">\n` +
    `  <edXML:edXMLEnvelope xmlns:edXML="${NAMESPACES['qcvn-102-2016']}">\n` +
    `    <edXML:edXMLHeader>\n` +
    `      <edXML:MessageHeader>\n` +
    `${i4}<edXML:From>\n` +
    element(i5, 'OrganId', organId(from.organId, 'From/OrganId')) +
    element(i5, 'OrganizationInCharge', from.organizationInCharge) +
    element(i5, 'OrganName', from.organName) +
    element(i5, 'OrganAdd', from.organAdd) +
    element(i5, 'Email', from.email) +
    element(i5, 'Telephone', from.telephone) +
    element(i5, 'Fax', from.fax) +
    element(i5, 'Website', from.website) +
    `${i4}</edXML:From>\n` +
    `${i4}<edXML:ResponseFor>\n` +
    element(i5, 'OrganId', organId(input.responseFor.organId, 'ResponseFor/OrganId')) +
    element(i5, 'Code', input.responseFor.code) +
    element(i5, 'PromulgationDate', promulgationDate) +
    element(i5, 'DocumentId', input.responseFor.documentId) +
    `${i4}</edXML:ResponseFor>\n` +
    (staff
      ? `${i4}<edXML:StaffInfo>\n` +
        element(i5, 'Department', staff.department) +
        element(i5, 'Staff', staff.staff) +
        element(i5, 'Email', staff.email) +
        element(i5, 'Mobile', staff.mobile) +
        `${i4}</edXML:StaffInfo>\n`
      : '') +
    element(i4, 'StatusCode', status.code) +
    element(i4, 'Description', input.description) +
    element(i4, 'Timestamp', timestamp) +
    `      </edXML:MessageHeader>\n` +
    `    </edXML:edXMLHeader>\n` +
    `  </edXML:edXMLEnvelope>\n` +
    `</edXML>\n`
  );
}
