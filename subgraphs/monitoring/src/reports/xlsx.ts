/**
 * The report as an XLSX workbook (exceljs' streaming writer: rows are committed as they are written, the zip is
 * streamed to `out`): a sheet of totals, one of the series (by day or by month), one of the breakdown (by agency, or
 * by system and service). Numbers are numeric cells shown with grouping (`#,##0`, displayed per the reader's locale).
 */
import type { Writable } from 'node:stream';
import ExcelJS from 'exceljs';
import { METRIC_LABELS, reportHeading, type ReportData } from './report-data.ts';

export async function writeXlsxReport(data: ReportData, out: Writable): Promise<void> {
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  workbook.creator = 'LGSP';
  workbook.created = data.generatedAt;
  const heading = reportHeading(data);
  const bold = { bold: true } as const;

  const summary = workbook.addWorksheet('Tổng hợp');
  summary.columns = [{ width: 44 }, { width: 22 }];
  summary.addRow([heading.title]).font = { bold: true, size: 14 };
  for (const line of heading.lines) summary.addRow([line]);
  summary.addRow([]);
  summary.addRow(['Chỉ tiêu', 'Số lượng']).font = bold;
  for (const m of METRIC_LABELS) {
    const row = summary.addRow([m.label, data.totals[m.metric]]);
    row.getCell(2).numFmt = '#,##0';
  }
  await summary.commit();

  const table = async (name: string, first: string[], rows: Iterable<{ cells: string[]; counts: ReportData['totals'] }>) => {
    const sheet = workbook.addWorksheet(name);
    sheet.columns = [
      ...first.map((_, i) => ({ width: i === first.length - 1 ? 40 : 22 })),
      ...METRIC_LABELS.map(() => ({ width: 16, style: { numFmt: '#,##0' } })),
    ];
    sheet.addRow([...first, ...METRIC_LABELS.map((m) => m.short)]).font = bold;
    for (const row of rows) sheet.addRow([...row.cells, ...METRIC_LABELS.map((m) => row.counts[m.metric])]).commit();
    const total = sheet.addRow([...first.map((_, i) => (i === 0 ? 'Tổng cộng' : '')), ...METRIC_LABELS.map((m) => data.totals[m.metric])]);
    total.font = bold;
    total.commit();
    await sheet.commit();
  };
  await table(
    data.seriesBy === 'DAY' ? 'Theo ngày' : 'Theo tháng',
    [data.seriesBy === 'DAY' ? 'Ngày' : 'Tháng'],
    data.series.map((p) => ({ cells: [p.label], counts: p.counts })),
  );
  await table(
    data.breakdownBy === 'AGENCY' ? 'Theo cơ quan' : 'Theo hệ thống, dịch vụ',
    data.breakdownBy === 'AGENCY' ? ['Mã cơ quan', 'Tên cơ quan'] : ['Hệ thống', 'Dịch vụ'],
    data.breakdown.map((r) => ({ cells: [r.code, r.name], counts: r.counts })),
  );
  await workbook.commit();
}
