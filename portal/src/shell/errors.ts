/**
 * What the portal says for each `extensions.code` the gateway answers with (docs/errors), Vietnamese first. The
 * API's own English message is shown under it as the detail; an unknown code falls back to that message.
 */
import type { Text } from './i18n.tsx';

export const errorTexts: Record<string, Text> = {
  UNAUTHENTICATED: {
    vi: 'Phiên đăng nhập đã hết hạn hoặc không hợp lệ. Vui lòng đăng nhập lại.',
    en: 'Your session has expired or is not valid. Please sign in again.',
  },
  FORBIDDEN: {
    vi: 'Bạn không có quyền thực hiện thao tác này. Lần truy cập đã được ghi nhật ký.',
    en: 'You are not allowed to do this. The attempt was recorded.',
  },
  UNAUTHORIZED_FIELD_OR_TYPE: {
    vi: 'Cơ quan của bạn chưa được cấp quyền khai thác một số trường dữ liệu này.',
    en: 'Your agency has not been granted some of these fields.',
  },
  BAD_USER_INPUT: { vi: 'Dữ liệu nhập chưa hợp lệ. Vui lòng kiểm tra lại.', en: 'Some of the input is not valid. Please check it.' },
  GRAPHQL_VALIDATION_FAILED: { vi: 'Yêu cầu không hợp lệ với lược đồ dữ liệu.', en: 'The request does not match the schema.' },
  NOT_FOUND: { vi: 'Không tìm thấy bản ghi.', en: 'Not found.' },
  ILLEGAL_TRANSITION: { vi: 'Thao tác không phù hợp với trạng thái hiện tại.', en: 'This action does not fit the current state.' },
  INVALID_PUBLIC_KEY: {
    vi: 'Tệp tải lên không phải là khóa công khai hợp lệ: cần một khóa công khai RSA từ 2048 bit trở lên, dạng PEM (không phải khóa bí mật, không phải chứng thư).',
    en: 'The uploaded file is not an acceptable public key: an RSA public key of 2048 bits or more, in PEM (not a private key, not a certificate).',
  },
  QUOTA_EXCEEDED: { vi: 'Đã vượt hạn mức truy cập. Vui lòng thử lại sau.', en: 'Quota exceeded. Please try again later.' },
  UNDER_MAINTENANCE: { vi: 'Nền tảng đang bảo trì. Vui lòng quay lại sau.', en: 'The platform is under maintenance. Please come back later.' },
  INVALID_PERIOD: { vi: 'Kỳ báo cáo không hợp lệ.', en: 'The period is not valid.' },
  NETWORK: { vi: 'Không kết nối được tới nền tảng. Vui lòng thử lại.', en: 'The platform cannot be reached. Please try again.' },
  INTERNAL_SERVER_ERROR: {
    vi: 'Đã có lỗi phía nền tảng. Bộ phận vận hành đã được thông báo.',
    en: 'Something went wrong on the platform. The operators were told.',
  },
  // Operator, civil-servant and citizen screens (helper ops).
  ALREADY_EXISTS: { vi: 'Bản ghi này đã tồn tại.', en: 'This already exists.' },
  INVALID_AGENCY_CODE: {
    vi: 'Mã định danh cơ quan chưa đúng dạng AAA.BB.CC.XNN (ví dụ 000.00.22.H41).',
    en: 'The agency code does not have the form AAA.BB.CC.XNN (e.g. 000.00.22.H41).',
  },
  INVALID_MAINTENANCE_WINDOW: {
    vi: 'Lịch bảo trì chưa hợp lệ: phải thông báo trước ít nhất 24 giờ và kết thúc sau khi bắt đầu.',
    en: 'The maintenance window is not valid: at least 24 hours’ notice, and it must end after it starts.',
  },
  INVALID_APPLICATION_URL: {
    vi: 'Địa chỉ của ứng dụng chưa hợp lệ: cần địa chỉ https đầy đủ, không có #, không có ký tự *, cùng miền với một địa chỉ chuyển hướng.',
    en: 'An application URL is not valid: an absolute https URL, no #, no *, on the origin of a redirect URI.',
  },
  IDENTITY_PROVIDER_UNAVAILABLE: {
    vi: 'Hệ thống xác thực tạm thời không phản hồi; chưa có gì thay đổi. Vui lòng thử lại.',
    en: 'The identity provider is not answering; nothing was changed. Please try again.',
  },
  LIMIT_EXCEEDED: { vi: 'Yêu cầu vượt quá giới hạn cho phép.', en: 'The request is over the limit.' },
  INVALID_CURSOR: { vi: 'Trang kết quả không còn hợp lệ; vui lòng tra cứu lại.', en: 'The page of results is no longer valid; search again.' },
  INVALID_DATE: { vi: 'Ngày giờ chưa hợp lệ.', en: 'The date is not valid.' },
  INVALID_PERSONAL_ID: { vi: 'Số định danh cá nhân phải gồm 12 chữ số.', en: 'A personal ID has 12 digits.' },
  INVALID_ENTERPRISE_CODE: { vi: 'Mã số doanh nghiệp phải gồm 10 chữ số (có thể thêm -NNN).', en: 'An enterprise code has 10 digits (optionally -NNN).' },
  UNKNOWN_FIELD_SET: {
    vi: 'Nhóm trường dữ liệu không có trong phiên bản dịch vụ này.',
    en: 'This version of the service does not offer that field set.',
  },
  UPSTREAM_UNAVAILABLE: {
    vi: 'Hệ thống cung cấp dữ liệu tạm thời không trả lời. Vui lòng thử lại sau.',
    en: 'The providing system does not answer for now. Please try again later.',
  },
  FIELD_SET_NOT_REQUESTED: {
    vi: 'Nhóm trường dữ liệu được chọn không nằm trong đề nghị. Không có thay đổi nào được thực hiện.',
    en: 'A chosen field set is not one the access request asks for. Nothing was changed.',
  },
};

/** An error of a GraphQL call, with the API's code (or NETWORK) and message. */
export class PortalError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly path?: ReadonlyArray<string | number>,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'PortalError';
  }
}

/** The text for an error: the table's when it knows the code. */
export function errorText(error: unknown): { title: Text | undefined; detail: string; code: string } {
  if (error instanceof PortalError) return { title: errorTexts[error.code], detail: error.message, code: error.code };
  const message = error instanceof Error ? error.message : String(error);
  return { title: undefined, detail: message, code: 'UNKNOWN' };
}
