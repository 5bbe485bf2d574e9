import { Text, View } from '@tarojs/components';
import { useRouter } from '@tarojs/taro';
import { useEffect, useMemo, useState } from 'react';
import { LazyChart as Chart, type ChartDatum, loadChart } from '../../components/LazyChart.tsx';
import { MonthSwitcher } from '../../components/MonthSwitcher.tsx';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { fillDays, monthChange } from '../../lib/chart.ts';
import { formatFen } from '../../lib/money.ts';
import { isFutureMonth, type Month, monthKey, monthOf, parseMonth } from '../../lib/month.ts';
import { routeParam } from '../../lib/route.ts';
import { api } from '../../services/api.ts';
import { getStatement } from '../../services/transactions.ts';
import { strings } from '../../strings.ts';

/** Value-axis ticks: whole yuan are enough to read a bar's size; the exact amounts are in the text above. */
const yuanTick = (fen: number) => strings.statement.axisYuan(Math.round(fen / 100));
/** A label every 5 days keeps 31 columns readable on a phone. */
const dayTick = (day: string) => (day === '1' || Number(day) % 5 === 0 ? day : '');
const comparisonColors = ['#b8c4bf', '#14a37f'] as const;

/** What a chart shows, in words (a screen reader's text for the canvas): the bars with money. */
function chartWords(title: string, data: readonly ChartDatum[], name = (x: string) => x): string {
  const bars = data.filter((d) => d.y > 0).map((d) => ({ name: name(d.x), amount: formatFen(d.y) }));
  return strings.statement.chartWords(title, bars);
}

/** H5: the month goes into the address (`?month=YYYY-MM`) so a reload opens the same month. */
function keepMonthInAddress(month: Month): void {
  if (process.env.TARO_ENV !== 'h5') return;
  const [path = ''] = window.location.hash.split('?');
  const hash = `${path}?month=${monthKey(month)}`;
  window.history.replaceState(
    window.history.state,
    '',
    `${window.location.pathname}${window.location.search}${hash}`,
  );
}

export default function StatementPage() {
  // Open on the month in the address (a reload keeps it), else on this Asia/Shanghai month, which has
  // this month's spending so far (last month opened empty for anyone new).
  const asked = parseMonth(routeParam(useRouter().params.month) ?? '');
  const [month, setMonthState] = useState<Month>(() =>
    asked && !isFutureMonth(asked, Date.now()) ? asked : monthOf(Date.now()),
  );
  const setMonth = (next: Month) => {
    setMonthState(next);
    keepMonthInAddress(next);
  };
  const remote = useRemote(() => getStatement(api, month), [month.year, month.month]);
  // The chart code is fetched as the page opens, alongside the statement, not after it (#19).
  useEffect(() => {
    loadChart().catch(() => {
      // Offline: each chart shows its own retry.
    });
  }, []);
  const statement = remote.data;
  const change = statement ? monthChange(statement.spent, statement.previousSpent) : undefined;
  const charts = useMemo(() => {
    if (!statement) return undefined;
    const byCategory: ChartDatum[] = statement.byCategory.map((entry) => ({
      x: strings.statement.category[entry.category] ?? strings.statement.category.other ?? '',
      y: entry.amount,
    }));
    const byDay: ChartDatum[] = fillDays(month.year, month.month, statement.byDay).map((entry) => ({
      x: String(entry.day),
      y: entry.amount,
    }));
    // No comparison when last month is unknown (before the card's first month).
    const comparison: ChartDatum[] | undefined =
      statement.previousSpent === undefined
        ? undefined
        : [
            { x: strings.statement.lastMonth, y: statement.previousSpent },
            { x: strings.statement.thisMonth, y: statement.spent },
          ];
    return { byCategory, byDay, comparison };
  }, [statement, month.year, month.month]);
  return (
    <View className="page page-statement">
      <MonthSwitcher month={month} onChange={setMonth} />
      <StateView loading={remote.loading} error={remote.error} onRetry={remote.reload}>
        {statement ? (
          <>
            <View className="section">
              <Text className="row-sub">{strings.statement.spent}</Text>
              <Text className="big-number" id="statement-spent">
                {formatFen(statement.spent)}
              </Text>
              <Text className="row-sub">
                {change === undefined
                  ? ''
                  : change.diff === 0
                    ? strings.statement.same
                    : strings.statement.comparison(formatFen(change.diff), change.up)}
              </Text>
              <View className="kv">
                <Text className="kv-key">{strings.statement.toppedUp}</Text>
                <Text>{formatFen(statement.toppedUp)}</Text>
              </View>
              <View className="kv">
                <Text className="kv-key">{strings.statement.subsidies}</Text>
                <Text>{formatFen(statement.subsidies)}</Text>
              </View>
            </View>
            <View className="section">
              <Text className="section-title">{strings.statement.byCategory}</Text>
              <StateView loading={false} empty={statement.byCategory.length === 0}>
                <Chart
                  horizontal
                  data={charts?.byCategory ?? []}
                  height={Math.max(120, 44 * statement.byCategory.length + 40)}
                  valueLabel={yuanTick}
                  amounts="every"
                  description={chartWords(strings.statement.byCategory, charts?.byCategory ?? [])}
                />
              </StateView>
            </View>
            <View className="section">
              <Text className="section-title">{strings.statement.byDay}</Text>
              <Chart
                data={charts?.byDay ?? []}
                height={180}
                label={dayTick}
                valueLabel={yuanTick}
                amounts="highest"
                description={chartWords(
                  strings.statement.byDay,
                  charts?.byDay ?? [],
                  strings.statement.dayName,
                )}
              />
            </View>
            {charts?.comparison ? (
              <View className="section">
                <Text className="section-title">{strings.statement.versusLastMonth}</Text>
                <Chart
                  data={charts.comparison}
                  height={150}
                  valueLabel={yuanTick}
                  colors={comparisonColors}
                  amounts="every"
                  description={chartWords(strings.statement.versusLastMonth, charts.comparison)}
                />
              </View>
            ) : null}
          </>
        ) : null}
      </StateView>
    </View>
  );
}
