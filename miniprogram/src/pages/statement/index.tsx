import { Text, View } from '@tarojs/components';
import { useState } from 'react';
import { BarChart } from '../../components/BarChart.tsx';
import { MonthSwitcher } from '../../components/MonthSwitcher.tsx';
import { StateView } from '../../components/StateView.tsx';
import { useRemote } from '../../components/use-remote.ts';
import { fillDays, monthChange } from '../../lib/chart.ts';
import { formatFen } from '../../lib/money.ts';
import { addMonths, type Month, monthOf } from '../../lib/month.ts';
import { api } from '../../services/api.ts';
import { getStatement } from '../../services/transactions.ts';
import { strings } from '../../strings.ts';

export default function StatementPage() {
  // The statement of a month is complete once it is over: open on last month.
  const [month, setMonth] = useState<Month>(() => addMonths(monthOf(Date.now()), -1));
  const remote = useRemote(() => getStatement(api, month), [month.year, month.month]);
  const statement = remote.data;
  const change = statement ? monthChange(statement.spent, statement.previousSpent) : undefined;
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
                <BarChart
                  bars={statement.byCategory.map((entry) => ({
                    label:
                      strings.statement.category[entry.category] ?? strings.statement.category.other ?? '',
                    value: entry.amount,
                    caption: formatFen(entry.amount),
                  }))}
                />
              </StateView>
            </View>
            <View className="section">
              <Text className="section-title">{strings.statement.byDay}</Text>
              <BarChart
                vertical
                bars={fillDays(month.year, month.month, statement.byDay).map((entry) => ({
                  // A label every 5 days keeps 31 columns readable on a phone.
                  label: entry.day === 1 || entry.day % 5 === 0 ? String(entry.day) : '',
                  value: entry.amount,
                  caption: formatFen(entry.amount),
                }))}
              />
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  );
}
