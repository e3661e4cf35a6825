/** An enterprise as the business registration database (CSDL quốc gia về đăng ký doanh nghiệp) describes it. */
import { ErrorCode, LgspError } from '@lgsp/kit';
import type { Address } from './citizen.ts';

export type EnterpriseStatus = 'ACTIVE' | 'SUSPENDED' | 'DISSOLVING' | 'DISSOLVED' | 'REGISTRATION_REVOKED' | 'UNKNOWN';
export type LegalForm = 'SINGLE_MEMBER_LLC' | 'MULTI_MEMBER_LLC' | 'JOINT_STOCK' | 'PRIVATE_ENTERPRISE' | 'PARTNERSHIP' | 'OTHER';

export interface BusinessLine {
  code: string;
  name: string;
  isMain: boolean;
}

export interface LegalRepresentative {
  fullName: string;
  personalId: string | null;
  position: string | null;
}

export interface Enterprise {
  code: string;
  name: string;
  foreignName: string | null;
  shortName: string | null;
  status: EnterpriseStatus;
  statusLabel: string;
  legalForm: LegalForm;
  legalFormLabel: string;
  /** VND. */
  registeredCapital: number | null;
  /** ISO 8601 date. */
  foundingDate: string | null;
  lastAmendmentDate: string | null;
  legalRepresentatives: LegalRepresentative[];
  headOffice: Address;
  businessLines: BusinessLine[];
}

const ENTERPRISE_CODE = /^\d{10}(-\d{3})?$/;

export function isEnterpriseCode(value: string): boolean {
  return ENTERPRISE_CODE.test(value);
}

export function assertEnterpriseCode(value: string): void {
  if (!isEnterpriseCode(value)) {
    throw new LgspError(ErrorCode.INVALID_ENTERPRISE_CODE, 'An enterprise code (mã số doanh nghiệp) is 10 digits, optionally followed by -NNN for a branch');
  }
}

/** ENTERPRISE_STATUS codes of the register. */
export function enterpriseStatus(code: string): EnterpriseStatus {
  return ({ '1': 'ACTIVE', '2': 'SUSPENDED', '3': 'DISSOLVING', '4': 'DISSOLVED', '5': 'REGISTRATION_REVOKED' } as const)[code as '1'] ?? 'UNKNOWN';
}

/** ENTERPRISE_TYPE_ID codes of the register (Luật Doanh nghiệp 2020 legal forms). */
export function legalForm(typeId: string): LegalForm {
  return (
    ({ '1': 'SINGLE_MEMBER_LLC', '2': 'MULTI_MEMBER_LLC', '3': 'JOINT_STOCK', '4': 'PRIVATE_ENTERPRISE', '5': 'PARTNERSHIP' } as const)[typeId as '1'] ??
    'OTHER'
  );
}
