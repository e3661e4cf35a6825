/**
 * Connector to the business registration database (CSDL quốc gia về đăng ký doanh nghiệp, `apiCSDLDKDN`) through
 * the national platform. Contract: simulator/CONTRACT.md ("Enterprise registration").
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import { isoDate } from '../domain/citizen.ts';
import { enterpriseStatus, legalForm, type Enterprise } from '../domain/enterprise.ts';
import type { GuardedSource } from './breaker-guard.ts';
import type { NationalPlatformClient } from './national-platform-client.ts';

export const ENTERPRISE_BATCH_LIMIT = 100;

export interface EnterpriseRegistryConnector {
  enterprise(code: string): Promise<Enterprise | null>;
  /** Up to ENTERPRISE_BATCH_LIMIT enterprises in one call: every requested code maps to its enterprise or null. */
  enterprises(codes: readonly string[]): Promise<Map<string, Enterprise | null>>;
}

interface WireEnterprise {
  MainInformation: {
    ENTERPRISE_GDT_CODE: string;
    ENTERPRISE_TYPE_ID: string;
    ENTERPRISE_TYPE_NAME: string;
    NAME: string;
    SHORT_NAME?: string;
    NAME_F?: string;
    FOUNDING_DATE?: string;
    LAST_AMEND_DATE?: string;
    ENTERPRISE_STATUS: string;
    ENTERPRISE_STATUS_NAME?: string;
    LEGAL_NAMES?: string;
    CAPITAL_AMOUNT?: number | string;
  };
  HOAdress: { CityID: string; CityName?: string; WardID: string; WardName?: string; StreetNumber?: string; AddressFullText?: string };
  BusinessActivity?: Array<{ CODE: string; NAME: string; IS_MAIN: string }>;
  LegalRepresentative?: Array<{ FULL_NAME: string; PERSONAL_ID?: string; POSITION?: string }>;
}

export class HttpEnterpriseRegistryConnector implements EnterpriseRegistryConnector {
  constructor(
    private readonly client: NationalPlatformClient,
    private readonly guard: GuardedSource,
  ) {}

  async enterprise(code: string): Promise<Enterprise | null> {
    const answer = await this.guard.run(() =>
      this.client.call({
        source: 'enterprise-registry',
        endpoint: 'chiTietDoanhNghiep',
        method: 'GET',
        path: `/apiCSDLDKDN/1.0/chiTietDoanhNghiep?msdn=${encodeURIComponent(code)}`,
      }),
    );
    if (answer.status === 404) return null;
    expectOk(answer.status);
    return enterpriseFromWire(answer.body as WireEnterprise);
  }

  async enterprises(codes: readonly string[]): Promise<Map<string, Enterprise | null>> {
    if (codes.length > ENTERPRISE_BATCH_LIMIT) throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `At most ${ENTERPRISE_BATCH_LIMIT} enterprise codes per call`);
    const answer = await this.guard.run(() =>
      this.client.call({
        source: 'enterprise-registry',
        endpoint: 'chiTietDoanhNghiep.batch',
        method: 'POST',
        path: '/apiCSDLDKDN/1.0/chiTietDoanhNghiep/batch',
        body: { msdn: codes },
        idempotent: true,
      }),
    );
    expectOk(answer.status);
    const items = (answer.body as { KetQua?: Array<WireEnterprise & { msdn: string; TonTai: boolean }> }).KetQua ?? [];
    const result = new Map<string, Enterprise | null>(codes.map((c) => [c, null]));
    for (const item of items) if (item.TonTai) result.set(item.msdn, enterpriseFromWire(item));
    return result;
  }
}

function expectOk(status: number): void {
  if (status !== 200) {
    throw new LgspError(ErrorCode.UPSTREAM_UNAVAILABLE, `The national platform answered HTTP ${status} to an enterprise lookup`, {
      source: 'enterprise-registry',
    });
  }
}

export function enterpriseFromWire(record: WireEnterprise): Enterprise {
  const main = record.MainInformation;
  const representatives =
    record.LegalRepresentative && record.LegalRepresentative.length > 0
      ? record.LegalRepresentative.map((r) => ({ fullName: r.FULL_NAME, personalId: r.PERSONAL_ID?.trim() || null, position: r.POSITION?.trim() || null }))
      : (main.LEGAL_NAMES ?? '')
          .split(';')
          .map((name) => name.trim())
          .filter((name) => name !== '')
          .map((fullName) => ({ fullName, personalId: null, position: null }));
  const capital = main.CAPITAL_AMOUNT === undefined || main.CAPITAL_AMOUNT === '' ? null : Number(main.CAPITAL_AMOUNT);
  return {
    code: main.ENTERPRISE_GDT_CODE,
    name: main.NAME,
    foreignName: main.NAME_F?.trim() || null,
    shortName: main.SHORT_NAME?.trim() || null,
    status: enterpriseStatus(main.ENTERPRISE_STATUS),
    statusLabel: main.ENTERPRISE_STATUS_NAME ?? '',
    legalForm: legalForm(main.ENTERPRISE_TYPE_ID),
    legalFormLabel: main.ENTERPRISE_TYPE_NAME,
    registeredCapital: capital !== null && Number.isFinite(capital) ? capital : null,
    foundingDate: main.FOUNDING_DATE ? isoDate(main.FOUNDING_DATE) : null,
    lastAmendmentDate: main.LAST_AMEND_DATE ? isoDate(main.LAST_AMEND_DATE) : null,
    legalRepresentatives: representatives,
    headOffice: {
      street: record.HOAdress.StreetNumber?.trim() || null,
      wardCode: record.HOAdress.WardID,
      wardName: record.HOAdress.WardName ?? '',
      provinceCode: record.HOAdress.CityID,
      provinceName: record.HOAdress.CityName ?? '',
      fullText: record.HOAdress.AddressFullText?.trim() || null,
    },
    businessLines: (record.BusinessActivity ?? []).map((b) => ({ code: b.CODE, name: b.NAME, isMain: b.IS_MAIN === 'Y' })),
  };
}
