/**
 * (Loaded through EChart.tsx, in a chunk of its own.) One ECharts chart (SVG renderer), with only the chart kinds and components the portal uses registered, to keep the
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
import { chartColors, type EChartOption } from './EChart.tsx';

echarts.use([BarChart, LineChart, PieChart, DatasetComponent, GridComponent, LegendComponent, TooltipComponent, SVGRenderer]);

export default function EChartView({ option, label, height = 280, testId }: { option: EChartOption; label: string; height?: number; testId?: string }) {
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
