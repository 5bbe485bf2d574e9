import { Button, Text, View } from '@tarojs/components';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { useCallback, useEffect, useState } from 'react';
import { MonthSwitcher } from '../../components/MonthSwitcher.tsx';
import { StateView } from '../../components/StateView.tsx';
import { messageOf } from '../../components/use-remote.ts';
import { billWords } from '../../labels.ts';
import { formatShortTime, type Month, monthOf } from '../../lib/month.ts';
import { appendPage, signedAmount, transactionTitle } from '../../lib/transactions.ts';
import { api } from '../../services/api.ts';
import { listTransactions, type TransactionFilter, transactionFilters } from '../../services/transactions.ts';
import type { Transaction } from '../../services/types.ts';
import { strings } from '../../strings.ts';

/** A hold is held aside, not spent: grey and tagged 预授权, never in the spending colour. */
const pendingStyle = {
  color: '#5b6b64',
  display: 'flex',
  alignItems: 'center',
  gap: '8px',
  flexShrink: 0,
  whiteSpace: 'nowrap',
} as const;
const holdTagStyle = {
  fontSize: '12px',
  lineHeight: '16px',
  whiteSpace: 'nowrap',
  padding: '2px 8px',
  border: '1px solid #5b6b64',
  borderRadius: '6px',
} as const;

export default function BillsPage() {
  const [month, setMonth] = useState<Month>(() => monthOf(Date.now()));
  const [filter, setFilter] = useState<TransactionFilter>('all');
  const [rows, setRows] = useState<Transaction[]>([]);
  const [next, setNext] = useState<string>();
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<string>();

  const load = useCallback(
    async (cursor?: string) => {
      setLoading(cursor === undefined);
      setError(undefined);
      try {
        const page = await listTransactions(api, month, filter, cursor);
        setRows((previous) => (cursor === undefined ? [...page.items] : appendPage(previous, page.items)));
        setNext(page.next);
      } catch (caught) {
        setError(messageOf(caught));
      } finally {
        setLoading(false);
      }
    },
    [month, filter],
  );

  useEffect(() => {
    void load();
  }, [load]);
  usePullDownRefresh(() => {
    void load().finally(() => Taro.stopPullDownRefresh());
  });

  return (
    <View className="page page-bills">
      <MonthSwitcher month={month} onChange={setMonth} />
      <View className="filters">
        {transactionFilters.map((value) => (
          <View
            key={value}
            className={`filter ${filter === value ? 'filter-on' : ''}`}
            onClick={() => setFilter(value)}
          >
            <Text>{strings.bills.filters[value]}</Text>
          </View>
        ))}
      </View>
      <StateView loading={loading} error={error} empty={rows.length === 0} onRetry={() => void load()}>
        <View className="list">
          {rows.map((row) => {
            const amount = signedAmount(row);
            return (
              <View
                key={row.id}
                className="row"
                onClick={() =>
                  Taro.navigateTo({ url: `/pages/bill-detail/index?id=${encodeURIComponent(row.id)}` })
                }
              >
                <View className="row-main">
                  <Text className="row-title">{transactionTitle(row)}</Text>
                  <Text className="row-sub">
                    {amount.pending
                      ? `${formatShortTime(row.createdAtMs)} · ${billWords.pendingHoldNote}`
                      : formatShortTime(row.createdAtMs)}
                  </Text>
                </View>
                {amount.pending ? (
                  <View className="amount-pending" style={pendingStyle}>
                    <Text className="hold-tag" style={holdTagStyle}>
                      {billWords.holdTag}
                    </Text>
                    <Text>{amount.text}</Text>
                  </View>
                ) : (
                  <Text className={amount.incoming ? 'amount-in' : 'amount-out'}>{amount.text}</Text>
                )}
              </View>
            );
          })}
        </View>
        {next ? (
          <Button className="btn btn-plain" onClick={() => void load(next)}>
            {strings.common.loadMore}
          </Button>
        ) : (
          <Text className="row-sub" style={{ display: 'block', textAlign: 'center', padding: '24px' }}>
            {strings.common.noMore}
          </Text>
        )}
      </StateView>
    </View>
  );
}
