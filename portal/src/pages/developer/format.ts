/** Dates in Asia/Ho_Chi_Minh (vi-VN first), states and parties in words. */
import type { Lang, Text } from '../../shell/i18n.tsx';
import type { AccessRequest, RequestState } from './queries.ts';
import type { ToneName } from './Tone.tsx';

export function formatDate(iso: string | null | undefined, lang: Lang, withTime = true): string {
  if (iso === null || iso === undefined || iso === '') return '—';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleString(lang === 'vi' ? 'vi-VN' : 'en-GB', {
    timeZone: 'Asia/Ho_Chi_Minh',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    ...(withTime ? { hour: '2-digit', minute: '2-digit' } : {}),
  });
}

export const stateTexts: Record<RequestState, Text> = {
  PENDING_APPROVAL: { vi: 'Chờ phê duyệt', en: 'Awaiting approval' },
  PROVIDER_APPROVED: { vi: 'Cơ quan cung cấp đã duyệt, chờ đơn vị vận hành', en: 'Provider approved; awaiting the operator' },
  OPERATOR_APPROVED: { vi: 'Đơn vị vận hành đã duyệt, chờ cơ quan cung cấp', en: 'Operator approved; awaiting the provider' },
  CHANGES_REQUESTED: { vi: 'Yêu cầu bổ sung, điều chỉnh', en: 'Changes requested' },
  REJECTED: { vi: 'Bị từ chối', en: 'Rejected' },
  TESTING: { vi: 'Đang thử nghiệm', en: 'Testing' },
  INTEGRATION_REPORTED: { vi: 'Đã báo cáo tích hợp, chờ xác nhận', en: 'Integration reported' },
  LIVE: { vi: 'Đang khai thác chính thức', en: 'Live' },
  SUSPENDED: { vi: 'Tạm dừng', en: 'Suspended' },
  CANCELLED: { vi: 'Đã hủy', en: 'Cancelled' },
};

export const stateColor: Record<RequestState, ToneName> = {
  PENDING_APPROVAL: 'blue',
  PROVIDER_APPROVED: 'blue',
  OPERATOR_APPROVED: 'blue',
  CHANGES_REQUESTED: 'orange',
  REJECTED: 'red',
  TESTING: 'cyan',
  INTEGRATION_REPORTED: 'blue',
  LIVE: 'green',
  SUSPENDED: 'orange',
  CANCELLED: 'grey',
};

/** Who must act next, from the onboarding machine (subgraphs/registry/src/domain/onboarding/machine.ts). */
export function nextParties(request: Pick<AccessRequest, 'state' | 'providerApproved' | 'operatorApproved'>): Array<'CONSUMER' | 'PROVIDER' | 'OPERATOR'> {
  switch (request.state) {
    case 'PENDING_APPROVAL':
      return [...(request.providerApproved ? [] : (['PROVIDER'] as const)), ...(request.operatorApproved ? [] : (['OPERATOR'] as const))];
    case 'PROVIDER_APPROVED':
      return ['OPERATOR'];
    case 'OPERATOR_APPROVED':
      return ['PROVIDER'];
    case 'CHANGES_REQUESTED':
    case 'TESTING':
      return ['CONSUMER'];
    case 'INTEGRATION_REPORTED':
      return ['PROVIDER'];
    case 'SUSPENDED':
      return ['OPERATOR'];
    default:
      return [];
  }
}
