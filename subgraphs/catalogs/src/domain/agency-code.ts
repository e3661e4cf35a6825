/**
 * Agency identifier codes (mã định danh cơ quan, tổ chức) of QCVN 102:2016/BTTTT: `AAA.BB.CC.XNN`.
 * - `XNN`: the level-1 unit (X a capital letter naming the group, e.g. G for ministries, H for provinces;
 *   NN its number), e.g. `000.00.00.H41` is the People's Committee of Nghệ An;
 * - `CC`: a level-2 unit under it (`000.00.CC.XNN`), `BB`: level 3 (`000.BB.CC.XNN`), `AAA`: level 4.
 * A level is used only when the one above it is: `000.01.00.H41` (level 3 without level 2) is invalid.
 */
import { ErrorCode, LgspError } from '@lgsp/kit';

export interface AgencyCodeParts {
  code: string;
  /** 1–4: how deep the unit sits. */
  level: 1 | 2 | 3 | 4;
  level1: string;
  level2: string;
  level3: string;
  level4: string;
  /** Code of the unit directly above, or null for a level-1 unit. */
  parentCode: string | null;
}

export type AgencyCodeCheck = { valid: true; parts: AgencyCodeParts } | { valid: false; reason: string };

const SHAPE = /^(\d{3})\.(\d{2})\.(\d{2})\.([A-Z]\d{2})$/;

/** Checks the format and the level rules, and says precisely what is wrong. */
export function checkAgencyCode(code: string): AgencyCodeCheck {
  const match = SHAPE.exec(code);
  if (match === null) {
    if (/^[^.]*\.[^.]*\.[^.]*\.[^.]*$/.test(code) && code.toUpperCase() !== code) {
      return { valid: false, reason: 'the level-1 letter must be a capital letter (AAA.BB.CC.XNN, e.g. 000.00.00.H41)' };
    }
    return {
      valid: false,
      reason: 'must have the form AAA.BB.CC.XNN: three digits, two digits, two digits, a capital letter and two digits, separated by dots (e.g. 000.00.00.H41)',
    };
  }
  const [, level4, level3, level2, level1] = match as unknown as [string, string, string, string, string];
  if (level3 !== '00' && level2 === '00') return { valid: false, reason: `level-3 part ${level3} is set but the level-2 part is 00` };
  if (level4 !== '000' && level3 === '00') return { valid: false, reason: `level-4 part ${level4} is set but the level-3 part is 00` };
  const level = level4 !== '000' ? 4 : level3 !== '00' ? 3 : level2 !== '00' ? 2 : 1;
  const parentCode =
    level === 4 ? `000.${level3}.${level2}.${level1}` : level === 3 ? `000.00.${level2}.${level1}` : level === 2 ? `000.00.00.${level1}` : null;
  return { valid: true, parts: { code, level, level1, level2, level3, level4, parentCode } };
}

/** Parses a code or throws BAD_USER_INPUT naming the problem. */
export function parseAgencyCode(code: string): AgencyCodeParts {
  const result = checkAgencyCode(code);
  if (!result.valid) throw new LgspError(ErrorCode.BAD_USER_INPUT, `Invalid agency identifier code "${code}": ${result.reason}`, { argument: 'code' });
  return result.parts;
}
