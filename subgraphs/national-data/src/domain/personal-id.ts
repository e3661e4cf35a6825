/** Personal identification numbers (số định danh cá nhân, printed on the CCCD card): 12 digits. */
import { ErrorCode, LgspError } from '@lgsp/kit';

const PERSONAL_ID = /^\d{12}$/;

export function isPersonalId(value: string): boolean {
  return PERSONAL_ID.test(value);
}

/** Throws INVALID_PERSONAL_ID unless `value` is 12 digits. The message never echoes the value (personal data). */
export function assertPersonalId(value: string): void {
  if (!isPersonalId(value)) {
    throw new LgspError(
      ErrorCode.INVALID_PERSONAL_ID,
      `A personal ID is exactly 12 digits (got ${value.length} characters${/^\d*$/.test(value) ? '' : ', not all digits'})`,
    );
  }
}
