import { BarChart, HeatmapChart, LineChart, PieChart } from 'echarts/charts';
import {
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
} from 'echarts/components';
import { type EChartsCoreOption, init, use } from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { useEffect, useRef } from 'react';

// Only the chart kinds the backoffice draws, so the bundle carries no more of ECharts than that.
use([
  BarChart,
  LineChart,
  PieChart,
  HeatmapChart,
  GridComponent,
  LegendComponent,
  TitleComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
]);

/** One ECharts chart; a new option redraws it in place (a refreshing chart keeps its canvas). */
export function Chart({
  option,
  height = 300,
  testId,
}: {
  option: EChartsCoreOption;
  height?: number;
  testId?: string;
}) {
  const element = useRef<HTMLDivElement>(null);
  const chart = useRef<ReturnType<typeof init> | null>(null);
  useEffect(() => {
    if (!element.current) return;
    const instance = init(element.current);
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
    // No growing bars or sliding lines for who asked the system for less motion (WCAG 2.3.3), as the
    // backoffice's dialogs (theme.ts); a chart's own `animation` still wins.
    const reduceMotion = window.matchMedia?.('(prefers-reduced-motion: reduce)').matches === true;
    chart.current?.setOption(reduceMotion ? { animation: false, ...option } : option, true);
  }, [option]);
  return <div ref={element} data-testid={testId} style={{ width: '100%', height }} />;
}
