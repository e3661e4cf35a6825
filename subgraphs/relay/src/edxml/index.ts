/**
 * edXML (QCVN 102:2016 + Amendment 1:2022) for the relay: parse and validate document and status packets,
 * build status packets. Plain TypeScript, no GraphQL.
 */
export { parseEdxml, parseEdxmlStream, createEdxmlParser, NAMESPACES, type ParseEdxmlOptions } from './parse.ts';
export { toEdxmlStatus, type EdxmlStatusInput, type EdxmlOrganizationInput } from './status-builder.ts';
export { EdxmlError, EdxmlErrorCode, EdxmlWarningCode, STRICT_ESCALATION, toLgspError, type EdxmlWarning, type EdxmlLocation } from './errors.ts';
export { DEFAULT_LIMITS, type EdxmlLimits } from './xml-reader.ts';
export { EDXML_STATUS_CODES, checkOrganId, normaliseStatusCode, parseEdxmlDate, parseDocumentId, type EdxmlStatusCode } from './values.ts';
export type * from './types.ts';
