import { Button, Text, View } from '@tarojs/components';
import { useEffect, useState } from 'react';
import { strings } from '../strings.ts';
import type { ChartDatum } from './Chart.tsx';

export type { ChartDatum };

type ChartModule = typeof import('./Chart.tsx');
type ChartProps = Parameters<ChartModule['Chart']>[0];

let loaded: ChartModule | undefined;
let loading: Promise<ChartModule> | undefined;

/**
 * The chart code (AntV F2, most of the statement page's weight) in a chunk of its own on H5, fetched
 * when the statement page opens instead of with the page (#19, docs/benchmarks.md). The mini-programs
 * cannot fetch code at run time, so there the same import is bundled with the page ("eager") and
 * resolves at once. One fetch for every chart of the page; a failed one (offline) may be tried again.
 */
export function loadChart(): Promise<ChartModule> {
  if (loaded) return Promise.resolve(loaded);
  loading ??= (
    process.env.TARO_ENV === 'h5'
      ? import(/* webpackChunkName: "chart" */ './Chart.tsx')
      : import(/* webpackMode: "eager" */ './Chart.tsx')
  ).then(
    (m) => {
      loaded = m;
      return m;
    },
    (error: unknown) => {
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/** A chart that draws once its code is here: until then a grey box of its height (the skeleton). */
export function LazyChart(props: ChartProps) {
  const [chart, setChart] = useState<ChartModule | undefined>(loaded);
  const [failed, setFailed] = useState(false);
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: attempt is the retry button's trigger.
  useEffect(() => {
    if (chart) return;
    let current = true;
    setFailed(false);
    loadChart().then(
      (m) => current && setChart(m),
      () => current && setFailed(true),
    );
    return () => {
      current = false;
    };
  }, [chart, attempt]);
  if (chart) return <chart.Chart {...props} />;
  return (
    <View
      className={failed ? 'chart-skeleton chart-skeleton-failed' : 'chart-skeleton'}
      style={{ height: `${props.height}px` }}
      aria-busy={failed ? 'false' : 'true'}
      role={failed ? 'alert' : undefined}
    >
      {failed ? (
        <>
          <Text className="state-text">{strings.statement.chartFailed}</Text>
          <Button className="btn btn-plain btn-small" onClick={() => setAttempt((n) => n + 1)}>
            {strings.common.retry}
          </Button>
        </>
      ) : null}
    </View>
  );
}
