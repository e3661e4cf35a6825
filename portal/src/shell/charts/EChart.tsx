/**
 * One ECharts chart. ECharts is large: it is a chunk of its own (EChartView.tsx), fetched the first time a page
 * that draws charts loads; until it arrives the chart's box (same size, same `role="img"` and label) stands empty.
 *
 *   <EChart option={{ xAxis: …, yAxis: …, series: [{ type: 'bar', data }] }} label="Số yêu cầu theo ngày: …" />
 */
import type { EChartsCoreOption } from 'echarts/core';
import { lazy, Suspense } from 'react';

export type EChartOption = EChartsCoreOption;

/** The portal's series colours: the header's red first, then colours that keep a 3:1 contrast on white. */
export const chartColors = ['#8b1a1a', '#1f6fb2', '#2e7d32', '#b26a00', '#6a1b9a', '#00796b', '#5d4037'];

// Fetched as soon as a page that draws charts is loaded (this module comes with it), not when its data arrives.
const loading = import('./EChartView.tsx');
const EChartView = lazy(() => loading);

export function EChart(props: { option: EChartOption; label: string; height?: number; testId?: string }) {
  const { label, height = 280 } = props;
  return (
    // The placeholder has no test id: a test finds the chart once it is drawn.
    <Suspense fallback={<div role="img" aria-label={label} aria-busy="true" style={{ width: '100%', height }} />}>
      <EChartView {...props} />
    </Suspense>
  );
}
