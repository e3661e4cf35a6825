/**
 * The normalised, typed form of an edXML packet. Field names are the camelCase of the QCVN 102 element names,
 * so that lower-cased they are the keys of the community JSON mapping (tungsfer512/edxml-convert: `organid`,
 * `organizationincharge`, `codenumber`, `promulgationdate`, …); lists are plural (`to`, `responseFor` are
 * arrays where that mapping says `toes`, `responsefors`). Strings are trimmed; an empty element reads as null.
 */
import type { EdxmlWarning } from './errors.ts';
import type { Base64Result, DocumentIdInfo, EdxmlDate, EdxmlStatusCode } from './values.ts';

export type { EdxmlDate, DocumentIdInfo, EdxmlStatusCode };

/** Which of the edXML dialects the packet was written in (all are read the same way, by local name). */
export type EdxmlDialect =
  /** `http://www.mic.gov.vn/TBT/QCVN_102_2016`, root `edXML` (VPCP/VNPT, Bkav eDoc integrator). */
  | 'qcvn-102-2016'
  /** `http://www.e-doc.vn/Schema/` (Bkav / older eDoc SOAP). */
  | 'e-doc'
  /** `http://www.go.vn/eDoc`, root `EdXMLEnvelope` (QĐ 28/2018 guide v2.2). */
  | 'go-edoc'
  /** A namespace none of the above (accepted with EDXML_UNKNOWN_NAMESPACE unless strict). */
  | 'unknown';

/** An agency block (From, To): cơ quan gửi / nhận. */
export interface EdxmlOrganization {
  /** Mã định danh cơ quan (QCVN 102 identifier), e.g. `000.00.00.G22`. */
  organId: string;
  /** Cơ quan chủ quản. */
  organizationInCharge: string | null;
  /** Tên cơ quan. */
  organName: string | null;
  /** Địa chỉ. */
  organAdd: string | null;
  email: string | null;
  telephone: string | null;
  fax: string | null;
  website: string | null;
}

/** Số, ký hiệu văn bản. */
export interface EdxmlCode {
  codeNumber: string;
  codeNotation: string | null;
  /** `CodeNumber/CodeNotation`, the form status packets and DocumentIds use. */
  value: string;
}

/** The document a packet answers (ResponseFor): văn bản được phản hồi. */
export interface EdxmlResponseFor {
  organId: string | null;
  /** Số/ký hiệu of the answered document, `7816/VPCP-TTĐT`. */
  code: string | null;
  promulgationDate: EdxmlDate | null;
  documentId: string | null;
  documentIdInfo: DocumentIdInfo | null;
}

/** Cán bộ xử lý (StaffInfo). */
export interface EdxmlStaffInfo {
  department: string | null;
  staff: string | null;
  email: string | null;
  mobile: string | null;
}

export interface EdxmlTraceHeader {
  organId: string | null;
  timestamp: EdxmlDate | null;
}

/** Nghiệp vụ văn bản (`Bussiness` in every real packet; `Business` accepted). */
export interface EdxmlBusiness {
  /** BussinessDocType: 0 new, 1 revoke, 2 update, 3 replace. */
  businessDocType: string | null;
  businessDocReason: string | null;
  /** The document this business action is about (may differ from MessageHeader/DocumentId). */
  documentId: string | null;
  documentIdInfo: DocumentIdInfo | null;
  paper: string | null;
  businessDocumentInfo: {
    documentInfo: string | null;
    documentReceiver: string | null;
    /** ReceiverType 0 removed from, 1 added to the recipients. */
    receiverList: Array<{ organId: string | null; receiverType: string | null }>;
  } | null;
  replacementInfoList: Array<{ documentId: string | null; organIdList: string[] }>;
  staffInfo: EdxmlStaffInfo | null;
}

/** One entry of the body manifest (edXMLManifest/Reference). */
export interface EdxmlManifestReference {
  /** ContentId without `cid:` and angle brackets. */
  contentId: string | null;
  contentType: string | null;
  description: string | null;
  attachmentName: string | null;
}

/** One attachment (AttachmentEncoded/Attachment); its content is decoded to count and hash it, not kept. */
export interface EdxmlAttachment extends Base64Result {
  contentId: string | null;
  attachmentName: string | null;
  description: string | null;
  contentType: string | null;
}

interface EdxmlPacketBase {
  dialect: EdxmlDialect;
  /** Namespace URI of the root element. */
  namespace: string;
  /** Sender (From). */
  from: EdxmlOrganization;
  /** Tolerated deviations, in document order. */
  warnings: EdxmlWarning[];
}

/** A document packet (gói tin văn bản điện tử). */
export interface EdxmlDocumentPacket extends EdxmlPacketBase {
  kind: 'document';
  /** Recipients (To), at least one. */
  to: EdxmlOrganization[];
  documentId: string | null;
  documentIdInfo: DocumentIdInfo | null;
  code: EdxmlCode;
  promulgationInfo: { place: string | null; promulgationDate: EdxmlDate | null };
  documentType: { type: string | null; typeDetail: string | null; typeName: string | null };
  /** Trích yếu. */
  subject: string | null;
  content: string | null;
  signerInfo: { competence: string | null; position: string | null; fullName: string | null };
  /** Hạn xử lý; null when empty. */
  dueDate: EdxmlDate | null;
  /** Nơi nhận (lưu) other than the recipient agencies. */
  toPlaces: string[];
  otherInfo: {
    /** 0 thường, 1 khẩn, 2 thượng khẩn, 3 hỏa tốc, 4 hỏa tốc hẹn giờ. */
    priority: string | null;
    sphereOfPromulgation: string | null;
    typerNotation: string | null;
    promulgationAmount: number | null;
    pageAmount: number | null;
    appendixes: string[];
  };
  /** Documents this one answers (empty blocks dropped). */
  responseFor: EdxmlResponseFor[];
  /** 1 not steering, 2 steering, 3 steering report. */
  steeringType: string | null;
  traceHeaderList: EdxmlTraceHeader[];
  business: EdxmlBusiness | null;
  manifest: EdxmlManifestReference[];
  attachments: EdxmlAttachment[];
  /** Presence of an XML-DSig Signature in the header (not verified: real sample signatures are dummies). */
  signature: { namespace: string } | null;
}

/** A status packet (gói tin trạng thái): the recipient reports what became of a document. */
export interface EdxmlStatusPacket extends EdxmlPacketBase {
  kind: 'status';
  responseFor: EdxmlResponseFor;
  staffInfo: EdxmlStaffInfo | null;
  statusCode: EdxmlStatusCode;
  description: string | null;
  /** Timestamp (`TimeStamp` accepted). */
  timestamp: EdxmlDate | null;
}

export type EdxmlPacket = EdxmlDocumentPacket | EdxmlStatusPacket;
