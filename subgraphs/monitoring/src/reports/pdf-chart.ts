/**
 * Bar and line charts drawn with pdfkit's vector operations (no raster, no browser): a value axis with round ticks,
 * grouped bars per category, an optional line over them, a legend. Labels use the report's embedded font.
 */
import { formatNumber } from './report-data.ts';

export interface ChartSeries {
  name: string;
  color: string;
  values: readonly number[];
}

export interface ChartSpec {
  title: string;
  categories: readonly string[];
  bars: readonly ChartSeries[];
  line?: ChartSeries | undefined;
}

/** The round number (1, 2 or 5 × 10ⁿ) the axis goes up to. */
export function niceCeiling(max: number): number {
  if (max <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(max));
  for (const step of [1, 2, 5, 10]) if (step * power >= max) return step * power;
  return 10 * power;
}

export function drawChart(
  doc: PDFKit.PDFDocument,
  box: { x: number; y: number; width: number; height: number },
  spec: ChartSpec,
  fonts: { body: string; bold: string },
): void {
  const { x, y, width, height } = box;
  doc.save();
  doc.font(fonts.bold).fontSize(10).fillColor('#1f2937').text(spec.title, x, y, { width, lineBreak: false });
  const legendY = y + 15;
  let legendX = x;
  doc.font(fonts.body).fontSize(8);
  for (const s of [...spec.bars, ...(spec.line === undefined ? [] : [spec.line])]) {
    doc.rect(legendX, legendY + 1, 8, 8).fill(s.color);
    doc.fillColor('#374151').text(s.name, legendX + 11, legendY, { lineBreak: false });
    legendX += 11 + doc.widthOfString(s.name) + 16;
  }
  const axisWidth = 52;
  const plot = { x: x + axisWidth, y: y + 32, width: width - axisWidth - 4, height: height - 32 - 16 };
  const all = [...spec.bars.flatMap((s) => s.values), ...(spec.line?.values ?? [])];
  const ticks = 4;
  // Round steps (1, 2, 5 × 10ⁿ), so that every tick is a whole number.
  const top = Math.max(1, niceCeiling(Math.max(0, ...all) / ticks)) * ticks;
  doc.lineWidth(0.5);
  for (let i = 0; i <= ticks; i++) {
    const value = (top * i) / ticks;
    const ty = plot.y + plot.height - (plot.height * i) / ticks;
    doc
      .moveTo(plot.x, ty)
      .lineTo(plot.x + plot.width, ty)
      .strokeColor(i === 0 ? '#6b7280' : '#e5e7eb')
      .stroke();
    doc
      .fillColor('#6b7280')
      .fontSize(7)
      .text(formatNumber(value), x, ty - 4, { width: axisWidth - 4, align: 'right', lineBreak: false });
  }
  const n = Math.max(1, spec.categories.length);
  const slot = plot.width / n;
  const groupWidth = slot * 0.75;
  const barWidth = groupWidth / Math.max(1, spec.bars.length);
  const scale = (v: number) => (plot.height * v) / top;
  spec.categories.forEach((_, i) => {
    spec.bars.forEach((s, j) => {
      const h = scale(s.values[i] ?? 0);
      if (h > 0) doc.rect(plot.x + i * slot + (slot - groupWidth) / 2 + j * barWidth, plot.y + plot.height - h, barWidth, h).fill(s.color);
    });
  });
  if (spec.line !== undefined) {
    const line = spec.line;
    doc.lineWidth(1.2).strokeColor(line.color);
    spec.categories.forEach((_, i) => {
      const px = plot.x + i * slot + slot / 2;
      const py = plot.y + plot.height - scale(line.values[i] ?? 0);
      if (i === 0) doc.moveTo(px, py);
      else doc.lineTo(px, py);
    });
    doc.stroke();
    spec.categories.forEach((_, i) => {
      doc.circle(plot.x + i * slot + slot / 2, plot.y + plot.height - scale(line.values[i] ?? 0), 1.6).fill(line.color);
    });
  }
  // Category labels, thinned so that they never overlap.
  doc.fontSize(7).fillColor('#374151');
  const widest = Math.max(1, ...spec.categories.map((c) => doc.widthOfString(c)));
  const every = Math.max(1, Math.ceil((widest + 4) / slot));
  spec.categories.forEach((c, i) => {
    if (i % every !== 0) return;
    doc.text(c, plot.x + i * slot + slot / 2 - widest / 2 - 2, plot.y + plot.height + 4, { width: widest + 4, align: 'center', lineBreak: false });
  });
  doc.restore();
  // Text calls move the cursor; the caller places what follows.
  doc.x = x;
  doc.y = y + height;
}
