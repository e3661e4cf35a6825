/**
 * Connector to the population database (CSDL quốc gia về dân cư) through the national platform.
 * Contract: simulator/CONTRACT.md ("Population"). Wire types below name only the fields this connector reads.
 */
import { ErrorCode, LgspError } from '@lgsp/kit';
import { householdRelation, isoDate, joinName, type Address, type Citizen } from '../domain/citizen.ts';
import type { GuardedSource } from './breaker-guard.ts';
import type { NationalPlatformClient } from './national-platform-client.ts';

/** Most personal IDs the platform accepts in one batch call. */
export const POPULATION_BATCH_LIMIT = 100;

export interface PopulationConnector {
  /** One citizen, or null when the database has no such personal ID. Throws LgspError UPSTREAM_* on failure. */
  citizen(personalId: string): Promise<Citizen | null>;
  /** Up to POPULATION_BATCH_LIMIT citizens in one call: every requested id maps to its citizen or null. */
  citizens(personalIds: readonly string[]): Promise<Map<string, Citizen | null>>;
}

interface WireName {
  Ho: string;
  ChuDem: string;
  Ten: string;
}
interface WireAddress {
  ChiTiet?: string;
  MaXa: string;
  TenXa?: string;
  MaTinh: string;
  TenTinh?: string;
  DiaChiDayDu?: string;
}
interface WireCongDan {
  SoDinhDanh: string;
  HoVaTen: WireName;
  NgayThangNamSinh: { NgayThangNam: string };
  GioiTinh: string;
  DanToc: string;
  TonGiao: string | null;
  QuocTich: string;
  NoiThuongTru: WireAddress;
  NoiOHienTai?: WireAddress | null;
  MaHo?: string;
  ChuHo?: { SoDinhDanh: string } | null;
  ThanhVienHo?: Array<{ SoDinhDanh: string; HoVaTen: WireName; QuanHe: string }>;
}

export class HttpPopulationConnector implements PopulationConnector {
  constructor(
    private readonly client: NationalPlatformClient,
    private readonly guard: GuardedSource,
  ) {}

  async citizen(personalId: string): Promise<Citizen | null> {
    const answer = await this.guard.run(() =>
      this.client.call({ source: 'population', endpoint: 'congdan', method: 'GET', path: `/dancu/1.0/congdan/${encodeURIComponent(personalId)}` }),
    );
    if (answer.status === 404) return null;
    expectOk(answer.status);
    const record = (answer.body as { CongdanCollection?: { CongDan?: WireCongDan[] } }).CongdanCollection?.CongDan?.[0];
    return record === undefined ? null : citizenFromWire(record);
  }

  async citizens(personalIds: readonly string[]): Promise<Map<string, Citizen | null>> {
    if (personalIds.length > POPULATION_BATCH_LIMIT) {
      throw new LgspError(ErrorCode.LIMIT_EXCEEDED, `At most ${POPULATION_BATCH_LIMIT} personal IDs per call`);
    }
    const answer = await this.guard.run(() =>
      this.client.call({
        source: 'population',
        endpoint: 'congdan.batch',
        method: 'POST',
        path: '/dancu/1.0/congdan/batch',
        body: { SoDinhDanh: personalIds },
        // A lookup sent as POST for its body: repeating it changes nothing.
        idempotent: true,
      }),
    );
    expectOk(answer.status);
    const items = (answer.body as { KetQua?: Array<{ SoDinhDanh: string; TonTai: boolean; CongDan?: WireCongDan }> }).KetQua ?? [];
    const result = new Map<string, Citizen | null>(personalIds.map((id) => [id, null]));
    for (const item of items) if (item.TonTai && item.CongDan !== undefined) result.set(item.SoDinhDanh, citizenFromWire(item.CongDan));
    return result;
  }
}

function expectOk(status: number): void {
  if (status !== 200) {
    throw new LgspError(ErrorCode.UPSTREAM_UNAVAILABLE, `The national platform answered HTTP ${status} to a population lookup`, { source: 'population' });
  }
}

/** CongDan (wire, Vietnamese field names) → Citizen (domain). */
export function citizenFromWire(record: WireCongDan): Citizen {
  const middle = record.HoVaTen.ChuDem.trim() === '' ? null : record.HoVaTen.ChuDem;
  const permanentAddress = addressFromWire(record.NoiThuongTru);
  const members = record.ThanhVienHo ?? [];
  return {
    personalId: record.SoDinhDanh,
    familyName: record.HoVaTen.Ho,
    middleName: middle,
    givenName: record.HoVaTen.Ten,
    fullName: joinName(record.HoVaTen.Ho, middle, record.HoVaTen.Ten),
    dateOfBirth: isoDate(record.NgayThangNamSinh.NgayThangNam),
    gender: record.GioiTinh === '2' ? 'FEMALE' : 'MALE',
    ethnicCode: record.DanToc,
    religionCode: record.TonGiao === null || record.TonGiao === '' ? null : record.TonGiao,
    nationalityCode: record.QuocTich,
    permanentAddress,
    currentAddress: record.NoiOHienTai ? addressFromWire(record.NoiOHienTai) : permanentAddress,
    household:
      record.ChuHo === undefined || record.ChuHo === null
        ? null
        : {
            number: record.MaHo ?? '',
            headPersonalId: record.ChuHo.SoDinhDanh,
            members: members.map((m) => ({
              personalId: m.SoDinhDanh,
              fullName: joinName(m.HoVaTen.Ho, m.HoVaTen.ChuDem, m.HoVaTen.Ten),
              relation: householdRelation(m.QuanHe),
              relationLabel: m.QuanHe,
            })),
          },
  };
}

export function addressFromWire(address: WireAddress): Address {
  return {
    street: address.ChiTiet?.trim() || null,
    wardCode: address.MaXa,
    wardName: address.TenXa ?? '',
    provinceCode: address.MaTinh,
    provinceName: address.TenTinh ?? '',
    fullText: address.DiaChiDayDu?.trim() || null,
  };
}
