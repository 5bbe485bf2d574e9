import { Axis, Canvas as F2Canvas, Chart as F2Chart, Interval, jsx } from '@antv/f2';
// The text guide from its own files: F2's guide index builds all nine guides at import (not marked pure),
// which bundled Lottie's player with them, 9 KB brotli more on the statement page for nothing.
import TextGuideView from '@antv/f2/es/components/guide/views/Text';
import withGuide from '@antv/f2/es/components/guide/withGuide';
import { Canvas } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useRef, useState } from 'react';
import { formatFen } from '../lib/money.ts';

export interface ChartDatum {
  /** Unique category (the x value). */
  readonly x: string;
  /** Amount in fen. */
  readonly y: number;
}

interface Props {
  readonly data: readonly ChartDatum[];
  /** Horizontal bars (categories down the side) instead of columns. */
  readonly horizontal?: boolean;
  /** Height in CSS px (px, not rpx: the canvas is sized in device pixels from it). */
  readonly height: number;
  /** Text under a column / beside a bar; '' hides it (31 day labels do not fit on a phone). */
  readonly label?: (x: string) => string;
  /** Tick text of the value axis. */
  readonly valueLabel: (fen: number) => string;
  /** One colour per bar, in data order; the brand green when absent. */
  readonly colors?: readonly string[];
  /**
   * The amount written at the end of the bars: every bar with money, or only the highest (31 daily
   * columns have no room for 31 amounts). None when absent.
   */
  readonly amounts?: 'every' | 'highest';
  /** What a screen reader says instead of the drawing (H5); the page passes each bar's words and amount. */
  readonly description?: string;
}

/** Up to this many columns an amount is centred over its column; more (a month's days) leave no room. */
const manyColumns = 7;

/** The amounts' colour: the page's body text (#1d2a25), 14:1 on white, apart from the axes' grey. */
const amountColour = '#1d2a25';

/** The bars whose amount is written. */
function labelledBars(data: readonly ChartDatum[], amounts: Props['amounts']): ChartDatum[] {
  const withMoney = data.filter((d) => d.y > 0);
  if (amounts === 'every') return withMoney;
  if (amounts === 'highest' && withMoney.length > 0)
    return [withMoney.reduce((top, d) => (d.y > top.y ? d : top))];
  return [];
}

let nextId = 0;

const TextGuide = withGuide(TextGuideView);

// F2's element factory (what its JSX compiles to), called directly: the page's JSX is React's. Its typing
// rejects F2's own generic components, hence the looser signature.
const el = jsx as (type: unknown, props: unknown, ...children: unknown[]) => ReturnType<typeof jsx>;

/**
 * A bar/column chart drawn by AntV F2 on a canvas. F2 only needs a 2D context, a size and a pixel ratio;
 * where that context comes from is the one thing that differs by target: on H5 a plain <canvas>, on WeChat
 * and Alipay a <Canvas type="2d"> whose node is fetched with a selector query once it is on the page.
 */
export function Chart({
  data,
  horizontal = false,
  height,
  label,
  valueLabel,
  colors,
  amounts,
  description,
}: Props) {
  const [id] = useState(() => `chart-${++nextId}`);
  const h5Canvas = useRef<HTMLCanvasElement>(null);
  const drawn = useRef<F2Canvas | undefined>(undefined);

  useEffect(() => {
    let cancelled = false;
    const draw = (context: CanvasRenderingContext2D, width: number, pixelRatio: number) => {
      if (cancelled) return;
      drawn.current?.destroy();
      // Each amount past the bar's end: to its right beside a horizontal bar, above a column. Over a row
      // of many columns it runs inward from its column (rightwards in the left half), so the first one
      // clears the value axis's top tick and the last one the canvas's edge.
      const amountTexts = labelledBars(data, amounts).map((d) => {
        const at = data.indexOf(d);
        const align = horizontal
          ? 'start'
          : data.length <= manyColumns
            ? 'center'
            : at < data.length / 2
              ? 'start'
              : 'end';
        return el(TextGuide, {
          records: [{ x: d.x, y: d.y }],
          content: formatFen(d.y),
          offsetX: horizontal ? 4 : 0,
          offsetY: horizontal ? 0 : -4,
          style: {
            fill: amountColour,
            fontSize: 12,
            textAlign: align,
            textBaseline: horizontal ? 'middle' : 'bottom',
          },
        });
      });
      const chart = el(
        F2Chart,
        {
          data: data.map((d, i) => ({ ...d, i: String(i) })),
          coord: horizontal ? { transposed: true } : undefined,
          scale: { y: { min: 0, nice: true } },
        },
        el(Axis, {
          field: 'x',
          formatter: (x: string) => (label ? label(x) : x),
          // Axis words at ≥ 12 px and ≥ 4.5:1 on white (F2's default grey is 3.9:1), like the page's text.
          style: { label: { fontSize: 12, fill: '#5b6b64' } },
        }),
        el(Axis, {
          field: 'y',
          tickCount: 3,
          formatter: valueLabel,
          // Along the bottom (horizontal bars) the end ticks' texts would be cut at the canvas's edges.
          style: { label: { fontSize: 12, fill: '#5b6b64', align: horizontal ? 'between' : undefined } },
        }),
        el(Interval, {
          x: 'x',
          y: 'y',
          color: colors ? { field: 'i', range: [...colors] } : '#14a37f',
          sizeRatio: horizontal ? 0.5 : 0.7,
          style: { radius: horizontal ? [0, 4, 4, 0] : [2, 2, 0, 0] },
        }),
        ...amountTexts,
      );
      const canvas = new F2Canvas({
        context,
        width,
        height,
        pixelRatio,
        // Room for the first and last tick texts, which F2 centres on the axis ends, and for the amounts
        // past the longest bar (right) or above the tallest column (top).
        padding: amounts === undefined ? [10, 20, 10, 10] : horizontal ? [10, 72, 10, 10] : [24, 20, 10, 10],
        animate: false,
        children: chart,
      });
      drawn.current = canvas;
      void canvas.render();
    };

    if (process.env.TARO_ENV === 'h5') {
      const element = h5Canvas.current;
      const context = element?.getContext('2d');
      if (element && context) {
        const pixelRatio = window.devicePixelRatio || 1;
        const width = element.getBoundingClientRect().width || 300;
        element.width = Math.round(width * pixelRatio);
        element.height = Math.round(height * pixelRatio);
        draw(context, width, pixelRatio);
      }
    } else {
      Taro.nextTick(() => {
        Taro.createSelectorQuery()
          .select(`#${id}`)
          .fields({ node: true, size: true })
          .exec((result: { node?: HTMLCanvasElement; width?: number }[]) => {
            const node = result?.[0]?.node;
            const context = node?.getContext('2d');
            if (!node || !context) return;
            const pixelRatio = Taro.getSystemInfoSync().pixelRatio || 2;
            const width = result[0]?.width || 300;
            node.width = Math.round(width * pixelRatio);
            node.height = Math.round(height * pixelRatio);
            draw(context, width, pixelRatio);
          });
      });
    }
    return () => {
      cancelled = true;
    };
  }, [data, horizontal, height, label, valueLabel, colors, amounts, id]);

  useEffect(
    () => () => {
      drawn.current?.destroy();
      drawn.current = undefined;
    },
    [],
  );

  // One expression with the target as its condition: webpack drops the branch another target takes, so
  // the H5 build does not bundle Taro's Canvas, a Stencil web component with Stencil's runtime (27 KB
  // brotli the statement page fetched for nothing, #19). After an early `return` it could not.
  return process.env.TARO_ENV === 'h5' ? (
    <canvas
      ref={h5Canvas}
      id={id}
      className="chart"
      role={description ? 'img' : undefined}
      aria-label={description}
      style={{ width: '100%', height: `${height}px` }}
    />
  ) : (
    <Canvas type="2d" id={id} className="chart" style={{ width: '100%', height: `${height}px` }} />
  );
}
