/**
 * One ECharts chart (SVG renderer), with only the chart kinds and components the portal uses registered, to keep the
 * bundle small. A chart is an image to assistive technology: it carries `role="img"` and an `aria-label` summary, and
 * the page shows the same numbers as a table beside it (the text alternative).
 *
 *   <EChart option={{ xAxis: …, yAxis: …, series: [{ type: 'bar', data }] }} label="Số yêu cầu theo ngày: …" />
 */
import { BarChart, LineChart, PieChart } from 'echarts/charts';
import { DatasetComponent, GridComponent, LegendComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { SVGRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

echarts.use([BarChart, LineChart, PieChart, DatasetComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export type EChartOption = echarts.EChartsCoreOption;

/** The portal's series colours: the header's red first, then colours that keep a 3:1 contrast on white. */
export const chartColors = ['#8b1a1a', '#1f6fb2', '#2e7d32', '#b26a00', '#6a1b9a', '#00796b', '#5d4037'];

export function EChart({ option, label, height = 280, testId }: { option: EChartOption; label: string; height?: number; testId?: string }) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<echarts.ECharts | null>(null);
  useEffect(() => {
    if (element.current === null) return;
    const instance = echarts.init(element.current, undefined, { renderer: 'svg' });
    chart.current = instance;
    const resize = () => instance.resize();
    window.addEventListener('resize', resize);
    return () => {
      window.removeEventListener('resize', resize);
      instance.dispose();
      chart.current = null;
    };
  }, []);
  useEffect(() => {
    chart.current?.setOption({ color: chartColors, animation: false, aria: { enabled: false }, ...option }, true);
  }, [option]);
  return <div ref={element} role="img" aria-label={label} data-testid={testId} style={{ width: '100%', height }} />;
}
