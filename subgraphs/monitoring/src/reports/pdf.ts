/**
 * The report as PDF (pdfkit, streamed to `out`): A4 landscape, DejaVu Sans embedded (full Vietnamese coverage; the
 * `dejavu-fonts-ttf` package ships the TrueType files under their free licence, so nothing depends on the system's
 * fonts), Vietnamese headings, numbers grouped as Vietnamese write them (`1.234.567`), charts drawn as vectors
 * (pdf-chart.ts), page numbers. Sections: 1. totals, 2. charts, 3. the series by day or month, 4. the breakdown by
 * agency (province-wide) or by system and service (one agency). Pages are kept until the end only to number them
 * ("Trang 2/5"): a report is a few pages whatever the number of operations.
 */
import { createRequire } from 'node:module';
import type { Writable } from 'node:stream';
import PDFDocument from 'pdfkit';
import { drawChart } from './pdf-chart.ts';
import { formatNumber, METRIC_LABELS, reportHeading, type ReportData } from './report-data.ts';

const require = createRequire(import.meta.url);
/** The TrueType files embedded in every report. */
export const REPORT_FONTS = {
  body: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf'),
  bold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf'),
  condensed: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansCondensed.ttf'),
  condensedBold: require.resolve('dejavu-fonts-ttf/ttf/DejaVuSansCondensed-Bold.ttf'),
};

const MARGIN = 36;
const ROW = 14;
const COLORS = { requests: '#2563eb', errors: '#dc2626', sent: '#059669', received: '#d97706', header: '#e5edf9', rule: '#cbd5e1' };

export async function writePdfReport(data: ReportData, out: Writable): Promise<void> {
  const doc = new PDFDocument({
    size: 'A4',
    layout: 'landscape',
    margin: MARGIN,
    bufferPages: true,
    info: { Title: reportHeading(data).title, Author: 'LGSP', Subject: data.period.label, CreationDate: data.generatedAt },
  });
  doc.registerFont('body', REPORT_FONTS.body);
  doc.registerFont('bold', REPORT_FONTS.bold);
  doc.registerFont('cond', REPORT_FONTS.condensed);
  doc.registerFont('condBold', REPORT_FONTS.condensedBold);
  const done = new Promise<void>((resolve, reject) => {
    out.once('finish', resolve);
    out.once('error', reject);
    doc.once('error', reject);
  });
  doc.pipe(out);

  const width = doc.page.width - 2 * MARGIN;
  const bottom = () => doc.page.height - MARGIN - 16;
  const heading = reportHeading(data);

  doc.font('bold').fontSize(9).fillColor('#374151').text('NỀN TẢNG TÍCH HỢP, CHIA SẺ DỮ LIỆU CẤP TỈNH (LGSP)', MARGIN, MARGIN);
  doc.moveDown(0.8);
  doc.font('bold').fontSize(16).fillColor('#111827').text(heading.title, { align: 'center' });
  doc.moveDown(0.3);
  doc.font('body').fontSize(10).fillColor('#1f2937');
  for (const line of heading.lines) doc.text(line, { align: 'center' });
  doc.moveDown(0.8);

  const section = (title: string, need: number) => {
    if (doc.y + need > bottom()) doc.addPage();
    doc.font('bold').fontSize(12).fillColor('#111827').text(title, MARGIN, doc.y);
    doc.moveDown(0.3);
  };

  /** A table with its header repeated on each page; numbers right-aligned. */
  const table = (columns: Array<{ title: string; width: number; numeric?: boolean }>, rows: Iterable<string[]>, boldLast = false) => {
    const tableWidth = columns.reduce((sum, c) => sum + c.width, 0);
    const header = () => {
      const y = doc.y;
      doc.rect(MARGIN, y, tableWidth, ROW + 2).fill(COLORS.header);
      let x = MARGIN;
      doc.font('condBold').fontSize(8).fillColor('#111827');
      for (const c of columns) {
        doc.text(c.title, x + 3, y + 4, { width: c.width - 6, align: c.numeric === true ? 'right' : 'left', lineBreak: false });
        x += c.width;
      }
      doc.y = y + ROW + 2;
    };
    header();
    const list = [...rows];
    list.forEach((cells, index) => {
      if (doc.y + ROW > bottom()) {
        doc.addPage();
        header();
      }
      const y = doc.y;
      const last = boldLast && index === list.length - 1;
      doc
        .font(last ? 'condBold' : 'cond')
        .fontSize(8)
        .fillColor('#111827');
      let x = MARGIN;
      cells.forEach((cell, i) => {
        const c = columns[i]!;
        doc.text(fit(doc, cell, c.width - 6), x + 3, y + 3, { width: c.width - 6, align: c.numeric === true ? 'right' : 'left', lineBreak: false });
        x += c.width;
      });
      doc
        .moveTo(MARGIN, y + ROW)
        .lineTo(MARGIN + tableWidth, y + ROW)
        .lineWidth(0.4)
        .strokeColor(COLORS.rule)
        .stroke();
      doc.y = y + ROW;
    });
    doc.x = MARGIN;
    doc.moveDown(0.8);
  };

  const numbers = (counts: ReportData['totals']) => METRIC_LABELS.map((m) => formatNumber(counts[m.metric]));
  const metricColumns = (first: Array<{ title: string; width: number }>) => {
    const rest = (width - first.reduce((s, c) => s + c.width, 0)) / METRIC_LABELS.length;
    return [...first, ...METRIC_LABELS.map((m) => ({ title: m.short, width: rest, numeric: true }))];
  };

  section('1. Tổng hợp', ROW * 11);
  table(
    [
      { title: 'Chỉ tiêu', width: 320 },
      { title: 'Số lượng', width: 140, numeric: true },
    ],
    METRIC_LABELS.map((m) => [m.label, formatNumber(data.totals[m.metric])]),
  );

  const unit = data.seriesBy === 'DAY' ? 'ngày' : 'tháng';
  // Day numbers (01…31) or month numbers (10, 11, 12).
  const categories = data.series.map((p) => p.label.slice(0, 2));
  // The two charts side by side, under the totals when they fit there.
  const chartHeight = 190;
  const chartWidth = (width - 24) / 2;
  section('2. Biểu đồ', chartHeight + 10);
  const chartsY = doc.y;
  drawChart(
    doc,
    { x: MARGIN, y: chartsY, width: chartWidth, height: chartHeight },
    {
      title: `Yêu cầu khai thác dữ liệu theo ${unit}`,
      categories,
      bars: [{ name: 'Yêu cầu', color: COLORS.requests, values: data.series.map((p) => p.counts.requests) }],
      line: { name: 'Không thành công', color: COLORS.errors, values: data.series.map((p) => p.counts.errors) },
    },
    { body: 'body', bold: 'bold' },
  );
  drawChart(
    doc,
    { x: MARGIN + chartWidth + 24, y: chartsY, width: chartWidth, height: chartHeight },
    {
      title: `Gói tin gửi và nhận theo ${unit}`,
      categories,
      bars: [
        { name: 'Gói gửi', color: COLORS.sent, values: data.series.map((p) => p.counts.packetsSent) },
        { name: 'Gói nhận', color: COLORS.received, values: data.series.map((p) => p.counts.packetsReceived) },
      ],
      line: { name: 'Gói lỗi', color: COLORS.errors, values: data.series.map((p) => p.counts.packetsFailed) },
    },
    { body: 'body', bold: 'bold' },
  );
  doc.x = MARGIN;
  doc.y = chartsY + chartHeight + 12;

  /** Room for a whole table when it fits on a page, else for its first rows. */
  const room = (rows: number) => (ROW * (rows + 3) < doc.page.height - 2 * MARGIN - 40 ? ROW * (rows + 3) : ROW * 4);
  section(`3. Số liệu theo ${unit}`, room(data.series.length + 1));
  table(
    metricColumns([{ title: data.seriesBy === 'DAY' ? 'Ngày' : 'Tháng', width: 90 }]),
    [...data.series.map((p) => [p.label, ...numbers(p.counts)]), ['Tổng cộng', ...numbers(data.totals)]],
    true,
  );

  if (data.breakdownBy === 'AGENCY') {
    section('4. Số liệu theo cơ quan', room(data.breakdown.length + 1));
    table(
      metricColumns([
        { title: 'Mã cơ quan', width: 80 },
        { title: 'Tên cơ quan', width: 170 },
      ]),
      [...data.breakdown.map((r) => [r.code, r.name, ...numbers(r.counts)]), ['Tổng cộng', '', ...numbers(data.totals)]],
      true,
    );
  } else {
    section('4. Số liệu theo hệ thống và dịch vụ', room(data.breakdown.length + 1));
    table(
      metricColumns([
        { title: 'Hệ thống', width: 150 },
        { title: 'Dịch vụ', width: 100 },
      ]),
      [...data.breakdown.map((r) => [r.code, r.name, ...numbers(r.counts)]), ['Tổng cộng', '', ...numbers(data.totals)]],
      true,
    );
  }
  doc
    .font('body')
    .fontSize(7.5)
    .fillColor('#4b5563')
    .text(
      'Số liệu lấy từ nhật ký truy cập (audit) của nền tảng, tổng hợp theo ngày giờ Việt Nam (UTC+7). Yêu cầu và dữ liệu cá nhân tính cho cơ quan khai thác; ' +
        '"Cung cấp" tính cho cơ quan cung cấp dịch vụ; gói tin gửi, nhận, lỗi theo các bước của dịch vụ trung chuyển.',
      MARGIN,
      doc.y,
      { width },
    );

  const range = doc.bufferedPageRange();
  for (let i = range.start; i < range.start + range.count; i++) {
    doc.switchToPage(i);
    // Writing into the bottom margin must not open a page.
    doc.page.margins.bottom = 0;
    doc
      .font('body')
      .fontSize(8)
      .fillColor('#6b7280')
      .text(`Trang ${i + 1}/${range.count}`, MARGIN, doc.page.height - MARGIN + 4, { width, align: 'right', lineBreak: false });
  }
  doc.end();
  await done;
}

/** `text` cut with an ellipsis to fit `width` in the current font. */
function fit(doc: PDFKit.PDFDocument, text: string, width: number): string {
  if (doc.widthOfString(text) <= width) return text;
  let cut = text;
  while (cut.length > 1 && doc.widthOfString(`${cut}…`) > width) cut = cut.slice(0, -1);
  return `${cut}…`;
}
