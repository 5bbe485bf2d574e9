import { Button, Input, Text, View } from '@tarojs/components';
import Taro, { usePullDownRefresh } from '@tarojs/taro';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { MonthSwitcher } from '../../components/MonthSwitcher.tsx';
import { StateView } from '../../components/StateView.tsx';
import { messageOf } from '../../components/use-remote.ts';
import { billWords } from '../../labels.ts';
import { groupByDay, matchesSearch, timeOfDay } from '../../lib/bill-days.ts';
import { formatFen } from '../../lib/money.ts';
import { type Month, monthOf } from '../../lib/month.ts';
import { appendPage, signedAmount, transactionTitle } from '../../lib/transactions.ts';
import { api } from '../../services/api.ts';
import {
  listTransactions,
  searchPagesMax,
  type TransactionFilter,
  transactionFilters,
} from '../../services/transactions.ts';
import type { Transaction } from '../../services/types.ts';
import { strings } from '../../strings.ts';
import './index.css';

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
  const [query, setQuery] = useState('');
  const [searching, setSearching] = useState(false);
  const [truncated, setTruncated] = useState(false);

  const load = useCallback(
    async (cursor?: string) => {
      setLoading(cursor === undefined);
      setError(undefined);
      if (cursor === undefined) setTruncated(false);
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

  // A search looks through the whole month, not only the pages read so far: the rest are read in
  // pages of 50, up to searchPagesMax, and the page says when a month had more than that.
  const searchActive = query.trim() !== '';
  // biome-ignore lint/correctness/useExhaustiveDependencies: started once per search and per load of a month and filter; `next` and `searching` moving are this effect's own doing and must not cancel it
  useEffect(() => {
    if (!searchActive || loading || next === undefined || searching || error !== undefined) return;
    let cancelled = false;
    setSearching(true);
    void (async () => {
      let cursor: string | undefined = next;
      let collected: Transaction[] = [];
      try {
        for (let pages = 0; cursor !== undefined && pages < searchPagesMax && !cancelled; pages++) {
          const page = await listTransactions(api, month, filter, cursor, 50);
          collected = [...collected, ...page.items];
          cursor = page.next;
        }
        if (cancelled) return;
        setRows((previous) => appendPage(previous, collected));
        setNext(cursor);
        setTruncated(cursor !== undefined);
      } catch (caught) {
        if (!cancelled) setError(messageOf(caught));
      } finally {
        if (!cancelled) setSearching(false);
      }
    })();
    return () => {
      cancelled = true;
    };
  }, [searchActive, loading, error]);

  const days = useMemo(() => {
    const shown = searchActive ? rows.filter((row) => matchesSearch(row, query)) : rows;
    return groupByDay(shown, next !== undefined && !searchActive, Date.now());
  }, [rows, next, query, searchActive]);

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
      <View className="bill-search">
        <Input
          id="bill-search"
          className="bill-search-input"
          type="text"
          confirmType="search"
          placeholder={strings.bills.searchPlaceholder}
          aria-label={strings.bills.searchLabel}
          value={query}
          onInput={(event) => setQuery(event.detail.value)}
        />
        {searchActive ? (
          <Text id="bill-search-clear" className="bill-search-clear" onClick={() => setQuery('')}>
            {strings.bills.searchClear}
          </Text>
        ) : null}
      </View>
      {searching ? <Text className="bill-search-note">{strings.bills.searching}</Text> : null}
      {truncated && searchActive ? (
        <Text className="bill-search-note">{strings.bills.searchTruncated}</Text>
      ) : null}
      <StateView
        loading={loading}
        error={error}
        empty={days.length === 0 && !searching}
        emptyText={searchActive ? strings.bills.searchEmpty(query.trim()) : undefined}
        onRetry={() => void load()}
      >
        {days.map((group) => (
          <View key={group.day} className="bill-day">
            <View className="bill-day-head">
              <Text className="bill-day-label">{group.label}</Text>
              {group.complete && (group.outFen > 0 || group.inFen > 0) ? (
                <Text className="bill-day-totals">
                  {[
                    group.outFen > 0 ? `${strings.bills.dayOut} ${formatFen(group.outFen)}` : '',
                    group.inFen > 0 ? `${strings.bills.dayIn} ${formatFen(group.inFen)}` : '',
                  ]
                    .filter(Boolean)
                    .join('  ')}
                </Text>
              ) : null}
            </View>
            <View className="list">
              {group.rows.map((row) => {
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
                          ? `${timeOfDay(row.createdAtMs)} · ${billWords.pendingHoldNote}`
                          : timeOfDay(row.createdAtMs)}
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
          </View>
        ))}
        {searchActive ? null : next ? (
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
