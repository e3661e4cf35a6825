/**
 * Who can sign in at the VDXP simulator and what it says about them: every citizen of the simulator's population
 * dataset (the production environment's records), with a VNeID account of assurance level 2 (mức độ 2) — except the
 * citizens whose personal ID ends in 7, who hold a level-1 account (mức độ 1: registered online, identity not checked
 * in person) so that level-1 sign-ins can be tested. A citizen who is the legal representative of an enterprise of
 * the dataset signs in as its business representative: the enterprise code of the first such enterprise (dataset
 * order) is released as `enterprise_code`.
 */
import { createHmac } from 'node:crypto';
import type { Dataset } from '../dataset.ts';

/** The claims VDXP releases about a citizen (ID token and userinfo). */
export interface VdxpIdentity {
  /** Opaque, stable subject: not the personal ID (see {@link subjectFor}). */
  sub: string;
  /** Số định danh cá nhân (12 digits). */
  personal_id: string;
  /** Full name, family name first (Họ, chữ đệm, tên). */
  name: string;
  /** Họ. */
  family_name: string;
  /** Chữ đệm + tên. */
  given_name: string;
  /** yyyy-MM-dd (OpenID Connect's `birthdate`). */
  birthdate: string;
  /** Mức độ định danh: "1" or "2". */
  acr: '1' | '2';
  /** Mã số doanh nghiệp of the enterprise this citizen legally represents, if any. */
  enterprise_code?: string;
}

export const PERSONAL_ID_PATTERN = /^\d{12}$/;

/**
 * The subject of a citizen: HMAC-SHA-256 of the personal ID with the platform's subject key, base64url. Stable for
 * the same key (across restarts), reveals nothing of the personal ID, and differs between deployments.
 */
export function subjectFor(personalId: string, subjectKey: string): string {
  return createHmac('sha256', subjectKey).update(`vdxp-subject:${personalId}`).digest('base64url');
}

export function assuranceLevelOf(personalId: string): '1' | '2' {
  return personalId.endsWith('7') ? '1' : '2';
}

export interface VdxpDirectory {
  /** The identity of a citizen of the dataset; undefined when the personal ID is not in it. */
  find(personalId: string): VdxpIdentity | undefined;
  /** The enterprise a citizen represents (first in dataset order), if any. */
  enterpriseOf(personalId: string): string | undefined;
}

export function createDirectory(dataset: Dataset, subjectKey: string): VdxpDirectory {
  const represented = new Map<string, string>();
  for (const code of dataset.enterpriseCodes) {
    for (const representative of dataset.enterprises.get(code)?.LegalRepresentative ?? []) {
      if (!represented.has(representative.PERSONAL_ID)) represented.set(representative.PERSONAL_ID, code);
    }
  }
  return {
    enterpriseOf: (personalId) => represented.get(personalId),
    find(personalId) {
      const citizen = dataset.citizens.get(personalId);
      if (citizen === undefined) return undefined;
      const { Ho, ChuDem, Ten } = citizen.HoVaTen;
      const ymd = citizen.NgayThangNamSinh.NgayThangNam;
      const enterprise = represented.get(personalId);
      return {
        sub: subjectFor(personalId, subjectKey),
        personal_id: personalId,
        name: [Ho, ChuDem, Ten].filter((p) => p !== '').join(' '),
        family_name: Ho,
        given_name: [ChuDem, Ten].filter((p) => p !== '').join(' '),
        birthdate: `${ymd.slice(0, 4)}-${ymd.slice(4, 6)}-${ymd.slice(6, 8)}`,
        acr: assuranceLevelOf(personalId),
        ...(enterprise === undefined ? {} : { enterprise_code: enterprise }),
      };
    },
  };
}
