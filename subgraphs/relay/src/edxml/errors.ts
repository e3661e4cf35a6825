/**
 * Errors and warnings of the edXML (QCVN 102:2016) parser. Codes are stable: the relay returns them to the
 * sending system, tests match on them, operators search logs for them.
 */
import { ErrorCode, LgspError } from '@lgsp/kit';

export const EdxmlErrorCode = {
  /** The bytes are not well-formed XML 1.0 (mismatched tags, unbound prefix, bad entity, invalid UTF-8, …). */
  NOT_WELL_FORMED: 'EDXML_NOT_WELL_FORMED',
  /** The packet declares or uses an encoding other than UTF-8 (every QCVN 102 system sends UTF-8). */
  UNSUPPORTED_ENCODING: 'EDXML_UNSUPPORTED_ENCODING',
  /** A DOCTYPE or ENTITY declaration: refused outright (XXE, billion laughs). */
  FORBIDDEN_CONSTRUCT: 'EDXML_FORBIDDEN_CONSTRUCT',
  /** The packet is larger than `limits.maxBytes`. */
  TOO_LARGE: 'EDXML_TOO_LARGE',
  /** A structural limit was hit (depth, element count, attributes, retained text, a single token's length). */
  LIMIT_EXCEEDED: 'EDXML_LIMIT_EXCEEDED',
  /** The root element is not `edXML`, `edXMLEnvelope` or a SOAP `Envelope` carrying edXML. */
  UNKNOWN_ROOT: 'EDXML_UNKNOWN_ROOT',
  /** The packet is a document where a status was expected, or the reverse (`options.expectedKind`). */
  KIND_MISMATCH: 'EDXML_KIND_MISMATCH',
  /** A required element is absent or empty (From/OrganId, To, Code/CodeNumber, StatusCode, ResponseFor, …). */
  MISSING_ELEMENT: 'EDXML_MISSING_ELEMENT',
  /** An element that may occur once occurs twice (two From, two StatusCode, …): the packet is ambiguous. */
  DUPLICATE_ELEMENT: 'EDXML_DUPLICATE_ELEMENT',
  /** An OrganId is not a QCVN 102 agency identifier (see `organ-id` rules in README). */
  INVALID_ORGAN_ID: 'EDXML_INVALID_ORGAN_ID',
  /** A StatusCode outside 01–06, 13, 15, 16. */
  INVALID_STATUS_CODE: 'EDXML_INVALID_STATUS_CODE',
  /** A date element holds an impossible or unrecognisable date. */
  INVALID_DATE: 'EDXML_INVALID_DATE',
  /** A coded value outside its list (strict mode only: Priority, SteeringType, BussinessDocType, amounts…). */
  INVALID_VALUE: 'EDXML_INVALID_VALUE',
  /** An attachment's content or manifest entry is unusable (strict mode only; lenient mode warns). */
  INVALID_ATTACHMENT: 'EDXML_INVALID_ATTACHMENT',
} as const;
export type EdxmlErrorCode = (typeof EdxmlErrorCode)[keyof typeof EdxmlErrorCode];

/** Where in the packet: 1-based line and column of the offending character or element, and the element path. */
export interface EdxmlLocation {
  line?: number;
  column?: number;
  /** Local names from the root, e.g. `edXML/edXMLEnvelope/edXMLHeader/MessageHeader/From/OrganId`. */
  path?: string;
}

/** A packet that cannot be accepted. Plain TypeScript; the relay maps it with {@link toLgspError}. */
export class EdxmlError extends Error {
  readonly code: EdxmlErrorCode;
  readonly line: number | undefined;
  readonly column: number | undefined;
  readonly path: string | undefined;
  /** For LIMIT_EXCEEDED / TOO_LARGE: the name of the limit that was hit. */
  readonly limit: string | undefined;
  constructor(code: EdxmlErrorCode, message: string, where: EdxmlLocation & { limit?: string } = {}) {
    super(message);
    this.name = 'EdxmlError';
    this.code = code;
    this.line = where.line;
    this.column = where.column;
    this.path = where.path;
    this.limit = where.limit;
  }

  /** A JSON-safe description, suitable for an API answer or a log line (never contains packet content). */
  toJSON(): { code: EdxmlErrorCode; message: string; line?: number; column?: number; path?: string; limit?: string } {
    return {
      code: this.code,
      message: this.message,
      ...(this.line !== undefined ? { line: this.line } : {}),
      ...(this.column !== undefined ? { column: this.column } : {}),
      ...(this.path !== undefined ? { path: this.path } : {}),
      ...(this.limit !== undefined ? { limit: this.limit } : {}),
    };
  }
}

/** The platform error for a rejected packet: BAD_USER_INPUT with the edXML code and location as details. */
export function toLgspError(error: EdxmlError): LgspError {
  const { code, message: _message, ...where } = error.toJSON();
  return new LgspError(ErrorCode.BAD_USER_INPUT, `edXML rejected: ${error.message}`, { edxmlCode: code, ...where });
}

export const EdxmlWarningCode = {
  /** A date in a non-canonical form (`dd/MM/yyyy`, `yyyy-MM-dd`, ISO 8601) — read day-first, kept in `raw`. */
  DATE_FORMAT_NONSTANDARD: 'EDXML_DATE_FORMAT_NONSTANDARD',
  /** A date-only field carries a time (`2023/03/14 17:19:16`); the date part is used. */
  DATETIME_IN_DATE_FIELD: 'EDXML_DATETIME_IN_DATE_FIELD',
  /** The date embedded in a DocumentId is impossible (`2014/02/30`); the DocumentId is kept as an opaque key. */
  DOCUMENT_ID_INVALID_DATE: 'EDXML_DOCUMENT_ID_INVALID_DATE',
  /** A DocumentId's sender, date or code differ from From, PromulgationDate or Code (allowed: forwarded packets). */
  DOCUMENT_ID_MISMATCH: 'EDXML_DOCUMENT_ID_MISMATCH',
  /** A DocumentId that is neither `OrganId,yyyy/MM/dd,Number/Notation` nor a UUID. */
  DOCUMENT_ID_UNSTRUCTURED: 'EDXML_DOCUMENT_ID_UNSTRUCTURED',
  /** StatusCode sent without its leading zero (`1` → `01`), as Bkav systems do. */
  STATUS_CODE_UNPADDED: 'EDXML_STATUS_CODE_UNPADDED',
  /** An OrganId accepted but not in the canonical `NNN.NN.NN.XNN` form (e.g. 3 segments). */
  ORGAN_ID_NONCANONICAL: 'EDXML_ORGAN_ID_NONCANONICAL',
  /** A block whose children are all empty (e.g. `<ResponseFor>` with empty OrganId/Code/…) was ignored. */
  EMPTY_BLOCK_IGNORED: 'EDXML_EMPTY_BLOCK_IGNORED',
  /** A recommended element (Subject, PromulgationDate, DocumentType, DocumentId, Timestamp, …) is absent or empty. */
  MISSING_RECOMMENDED: 'EDXML_MISSING_RECOMMENDED',
  /** A coded value outside its known list (Priority 0–4, SteeringType 1–3, BussinessDocType 0–3, amounts). */
  UNKNOWN_VALUE: 'EDXML_UNKNOWN_VALUE',
  /** The root is in a namespace none of the known edXML dialects use. */
  UNKNOWN_NAMESPACE: 'EDXML_UNKNOWN_NAMESPACE',
  /** ContentTransferEncoded is not base64 (e.g. a JMeter `${__StringFromFile(…)}` placeholder). */
  ATTACHMENT_NOT_BASE64: 'EDXML_ATTACHMENT_NOT_BASE64',
  /** An attachment whose ContentId is not listed in the manifest. */
  ATTACHMENT_NOT_IN_MANIFEST: 'EDXML_ATTACHMENT_NOT_IN_MANIFEST',
  /** A manifest Reference with no attachment carrying its ContentId. */
  MANIFEST_ENTRY_WITHOUT_ATTACHMENT: 'EDXML_MANIFEST_ENTRY_WITHOUT_ATTACHMENT',
  /** `cid:` present on one side of a manifest/attachment pair only. */
  CID_PREFIX_MISMATCH: 'EDXML_CID_PREFIX_MISMATCH',
  /** Manifest and attachment disagree on ContentType. */
  CONTENT_TYPE_MISMATCH: 'EDXML_CONTENT_TYPE_MISMATCH',
} as const;
export type EdxmlWarningCode = (typeof EdxmlWarningCode)[keyof typeof EdxmlWarningCode];

/** A tolerated deviation: the packet is accepted, the receiver may want to know. */
export interface EdxmlWarning {
  code: EdxmlWarningCode;
  message: string;
  path: string;
  line?: number;
  column?: number;
}

/**
 * In strict mode these warnings become errors with the given code; the others stay warnings because real
 * systems legitimately produce them (cid: prefixes, ContentType disagreement, forwarded DocumentIds).
 */
export const STRICT_ESCALATION: Partial<Record<EdxmlWarningCode, EdxmlErrorCode>> = {
  [EdxmlWarningCode.DATE_FORMAT_NONSTANDARD]: EdxmlErrorCode.INVALID_DATE,
  [EdxmlWarningCode.DATETIME_IN_DATE_FIELD]: EdxmlErrorCode.INVALID_DATE,
  [EdxmlWarningCode.DOCUMENT_ID_INVALID_DATE]: EdxmlErrorCode.INVALID_DATE,
  [EdxmlWarningCode.STATUS_CODE_UNPADDED]: EdxmlErrorCode.INVALID_STATUS_CODE,
  [EdxmlWarningCode.ORGAN_ID_NONCANONICAL]: EdxmlErrorCode.INVALID_ORGAN_ID,
  [EdxmlWarningCode.MISSING_RECOMMENDED]: EdxmlErrorCode.MISSING_ELEMENT,
  [EdxmlWarningCode.UNKNOWN_VALUE]: EdxmlErrorCode.INVALID_VALUE,
  [EdxmlWarningCode.UNKNOWN_NAMESPACE]: EdxmlErrorCode.UNKNOWN_ROOT,
  [EdxmlWarningCode.ATTACHMENT_NOT_BASE64]: EdxmlErrorCode.INVALID_ATTACHMENT,
  [EdxmlWarningCode.ATTACHMENT_NOT_IN_MANIFEST]: EdxmlErrorCode.INVALID_ATTACHMENT,
  [EdxmlWarningCode.MANIFEST_ENTRY_WITHOUT_ATTACHMENT]: EdxmlErrorCode.INVALID_ATTACHMENT,
};
