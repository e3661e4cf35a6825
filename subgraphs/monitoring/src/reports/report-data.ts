/**
 * What a report (báo cáo tình hình khai thác, chia sẻ dữ liệu) says, before any format: the period's totals, the
 * series by day (a day or a month) or by month (a quarter or a year), and the breakdown — by agency for the province,
 * by system and service for one agency. Built from the log's daily rollups in one pass (statistics/statistics.ts), so
 * its size follows the number of agencies, systems, services and days, never the number of operations.
 */
import type { AuditLog, StatisticMetric } from '@lgsp/audit';
import type { Environment } from '@lgsp/kit';
import type { AgencyNames } from './agency-names.ts';
import { daysOf, monthsOf, type Period } from '../statistics/period.ts';
import { addCounts, groupRollups, rollupsOf, zeroCounts, type Counts } from '../statistics/statistics.ts';

export type { AgencyNames };

/** The metrics in report order, with their Vietnamese names (the report's row and column headings). */
export const METRIC_LABELS: ReadonlyArray<{ metric: StatisticMetric; label: string; short: string }> = [
  { metric: 'requests', label: 'Số yêu cầu khai thác dữ liệu', short: 'Yêu cầu' },
  { metric: 'errors', label: 'Số yêu cầu không thành công', short: 'Lỗi' },
  { metric: 'personalDataReads', label: 'Số lượt khai thác dữ liệu cá nhân', short: 'DL cá nhân' },
  { metric: 'served', label: 'Số yêu cầu được cung cấp dữ liệu', short: 'Cung cấp' },
  { metric: 'packetsSent', label: 'Số gói tin đã gửi', short: 'Gói gửi' },
  { metric: 'packetsReceived', label: 'Số gói tin đã nhận', short: 'Gói nhận' },
  { metric: 'packetsFailed', label: 'Số gói tin lỗi', short: 'Gói lỗi' },
  { metric: 'bytesIn', label: 'Dung lượng nhận vào (byte)', short: 'Byte vào' },
  { metric: 'bytesOut', label: 'Dung lượng gửi ra (byte)', short: 'Byte ra' },
];

export interface SeriesPoint {
  /** `yyyy-mm-dd` or `yyyy-mm`. */
  key: string;
  /** `05/11/2026` or `11/2026`. */
  label: string;
  counts: Counts;
}

export interface BreakdownRow {
  /** Agency code, or `system · service`. */
  code: string;
  /** Agency name, or the service. */
  name: string;
  counts: Counts;
}

export interface ReportData {
  period: Period;
  /** The agency reported on; null: the whole province. */
  agency: { code: string; name: string } | null;
  environment: Environment;
  generatedAt: Date;
  totals: Counts;
  /** `DAY` for a day's or a month's report, `MONTH` for a quarter's or a year's. */
  seriesBy: 'DAY' | 'MONTH';
  series: SeriesPoint[];
  /** `AGENCY` province-wide, `SYSTEM_SERVICE` for one agency. */
  breakdownBy: 'AGENCY' | 'SYSTEM_SERVICE';
  breakdown: BreakdownRow[];
}

export interface ReportRequest {
  period: Period;
  agency: string | null;
  environment: Environment;
}

/** Agency names by code (the registry's agencies); a code without a name is shown as the code. */

const dayLabel = (day: string) => `${day.slice(8, 10)}/${day.slice(5, 7)}/${day.slice(0, 4)}`;
const monthLabel = (month: string) => `${month.slice(5, 7)}/${month.slice(0, 4)}`;

export async function buildReportData(
  log: Pick<AuditLog, 'statistics'>,
  request: ReportRequest,
  names: AgencyNames,
  now: Date = new Date(),
): Promise<ReportData> {
  const rollups = await rollupsOf(log, request);
  const seriesBy = request.period.kind === 'DAY' || request.period.kind === 'MONTH' ? 'DAY' : 'MONTH';
  const breakdownBy = request.agency === null ? 'AGENCY' : 'SYSTEM_SERVICE';
  const totals = zeroCounts();
  // Every day (or month) of the period has its point, zeros included: a chart without gaps, a table without holes.
  const keys = seriesBy === 'DAY' ? [...daysOf(request.period.fromDay, request.period.toDay)] : monthsOf(request.period.fromDay, request.period.toDay);
  const series = new Map<string, SeriesPoint>(
    keys.map((key) => [key, { key, label: seriesBy === 'DAY' ? dayLabel(key) : monthLabel(key), counts: zeroCounts() }]),
  );
  for (const row of rollups) {
    addCounts(totals, row.counts);
    const point = series.get(seriesBy === 'DAY' ? row.day : row.day.slice(0, 7));
    if (point !== undefined) addCounts(point.counts, row.counts);
  }
  const grouped = groupRollups(rollups, breakdownBy === 'AGENCY' ? ['AGENCY'] : ['SYSTEM', 'SERVICE']).rows;
  const wanted = breakdownBy === 'AGENCY' ? grouped.map((r) => r.agency!) : [];
  const directory = await names(request.agency === null ? wanted : [request.agency, ...wanted]);
  const breakdown: BreakdownRow[] = grouped
    .map((r) =>
      breakdownBy === 'AGENCY'
        ? { code: r.agency!, name: directory.get(r.agency!) ?? r.agency!, counts: r.counts }
        : { code: r.system === '*' ? '(không qua hệ thống)' : r.system!, name: r.service === '*' ? '—' : r.service!, counts: r.counts },
    )
    .sort((a, b) => b.counts.requests + b.counts.served - (a.counts.requests + a.counts.served) || (a.code < b.code ? -1 : 1));
  return {
    period: request.period,
    agency: request.agency === null ? null : { code: request.agency, name: directory.get(request.agency) ?? request.agency },
    environment: request.environment,
    generatedAt: now,
    totals,
    seriesBy,
    series: [...series.values()],
    breakdownBy,
    breakdown,
  };
}

const numbers = new Intl.NumberFormat('vi-VN', { maximumFractionDigits: 0 });
/** A count as Vietnamese write it: `1.234.567`. */
export function formatNumber(n: number): string {
  return numbers.format(n);
}

/** An instant in Vietnam time: `06/12/2026 10:00`. */
export function formatVietnamTime(at: Date): string {
  const local = new Date(at.getTime() + 7 * 3600_000).toISOString();
  return `${dayLabel(local.slice(0, 10))} ${local.slice(11, 16)}`;
}

/** The report's title and the lines under it, shared by every format. */
export function reportHeading(data: ReportData): { title: string; lines: string[] } {
  const { period } = data;
  const range = period.fromDay === period.toDay ? dayLabel(period.fromDay) : `${dayLabel(period.fromDay)} – ${dayLabel(period.toDay)}`;
  return {
    title: 'BÁO CÁO TÌNH HÌNH KHAI THÁC, CHIA SẺ DỮ LIỆU',
    lines: [
      `Kỳ báo cáo: ${period.label} (${range})`,
      data.agency === null ? 'Phạm vi: toàn tỉnh' : `Cơ quan: ${data.agency.name} (${data.agency.code})`,
      `Môi trường: ${data.environment === 'production' ? 'chính thức (production)' : 'thử nghiệm (test)'}`,
      `Lập lúc: ${formatVietnamTime(data.generatedAt)} (giờ Việt Nam)`,
    ],
  };
}

/** The report's file name: `bao-cao-2026-11-toan-tinh.pdf`, `bao-cao-2026-Q4-000.00.04.H41.xlsx`. */
export function reportFileName(period: Period, agency: string | null, format: ReportFormat): string {
  return `bao-cao-${period.text}-${agency ?? 'toan-tinh'}.${format}`;
}

export const REPORT_FORMATS = ['pdf', 'xlsx', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const CONTENT_TYPES: Record<ReportFormat, string> = {
  pdf: 'application/pdf',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
};
