/**
 * The report as CSV (RFC 4180, UTF-8 with a byte order mark so that spreadsheet programs read the Vietnamese right,
 * CRLF line ends): one table, a header row, then the rows of each part — `TONG` (totals), `NGAY` or `THANG` (the
 * series), `CO_QUAN` or `HE_THONG` (the breakdown). Numbers are plain integers (no grouping), for machines.
 */
import type { Writable } from 'node:stream';
import { once } from 'node:events';
import { METRIC_LABELS, type ReportData } from './report-data.ts';

const HEADER = ['Phần', 'Mã', 'Tên', ...METRIC_LABELS.map((m) => m.short)];

function field(value: string | number): string {
  const text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export async function writeCsvReport(data: ReportData, out: Writable): Promise<void> {
  const write = async (cells: Array<string | number>) => {
    if (!out.write(`${cells.map(field).join(',')}\r\n`)) await once(out, 'drain');
  };
  if (!out.write('\uFEFF')) await once(out, 'drain');
  await write(HEADER);
  const values = (counts: ReportData['totals']) => METRIC_LABELS.map((m) => counts[m.metric]);
  await write(['TONG', data.agency?.code ?? 'toan-tinh', data.agency?.name ?? 'Toàn tỉnh', ...values(data.totals)]);
  for (const point of data.series) await write([data.seriesBy === 'DAY' ? 'NGAY' : 'THANG', point.key, point.label, ...values(point.counts)]);
  for (const row of data.breakdown) await write([data.breakdownBy === 'AGENCY' ? 'CO_QUAN' : 'HE_THONG', row.code, row.name, ...values(row.counts)]);
}
