import type { MessageDailyCount, MessageFailure } from '@campus-card/core/contract';
import { Alert, Card, Select, Space, Table } from 'antd';
import { useEffect, useMemo, useState } from 'react';
import { api, when } from '../../api.ts';
import { Chart } from '../../components/Chart.tsx';
import { describeError } from '../../strings.ts';
import { reasonText, messageText as t } from './strings.ts';

const statusOrder = ['sent', 'skipped', 'pending', 'claimed', 'sending', 'refused', 'failed', 'unknown'];
const statusColors: Record<string, string> = {
  sent: '#0b6e4f',
  skipped: '#b8c2bd',
  pending: '#6fa8dc',
  claimed: '#6fa8dc',
  sending: '#6fa8dc',
  refused: '#e69138',
  failed: '#cc0000',
  unknown: '#8e7cc3',
};

/**
 * Messages outside the app (docs/messages.md): how many were queued each day and how each ended, per
 * channel and kind, and the latest that did not arrive with the reason in words. Read-only.
 */
export function MessagesPage() {
  const [days, setDays] = useState(14);
  const [counts, setCounts] = useState<MessageDailyCount[]>([]);
  const [failures, setFailures] = useState<MessageFailure[]>([]);
  const [error, setError] = useState<string>();

  useEffect(() => {
    Promise.all([
      api<{ items: MessageDailyCount[] }>('GET', `/messages/daily-counts?days=${days}`),
      api<{ items: MessageFailure[] }>('GET', '/messages/failures'),
    ]).then(
      ([c, f]) => {
        setCounts(c.items);
        setFailures(f.items);
        setError(undefined);
      },
      // In words: never a raw code or an English message on the page.
      (caught: unknown) => setError(describeError(caught)),
    );
  }, [days]);

  const option = useMemo(() => {
    const dayList = [...new Set(counts.map((c) => c.day))].sort();
    const statuses = statusOrder.filter((s) => counts.some((c) => c.status === s));
    return {
      tooltip: { trigger: 'axis' },
      // The legend above the bars, clear of the days along the axis.
      legend: { top: 0, data: statuses.map((s) => t.status[s]) },
      grid: { left: 48, right: 24, top: 40, bottom: 32 },
      xAxis: { type: 'category', data: dayList },
      yAxis: { type: 'value', minInterval: 1 },
      series: statuses.map((s) => ({
        name: t.status[s],
        type: 'bar',
        stack: 'all',
        itemStyle: { color: statusColors[s] },
        data: dayList.map((d) =>
          counts.filter((c) => c.day === d && c.status === s).reduce((sum, c) => sum + c.count, 0),
        ),
      })),
    };
  }, [counts]);

  const totals = useMemo(() => {
    const byKey = new Map<string, { channel: string; kind: string; status: string; count: number }>();
    for (const c of counts) {
      const key = `${c.channel}|${c.kind}|${c.status}`;
      const row = byKey.get(key) ?? { channel: c.channel, kind: c.kind, status: c.status, count: 0 };
      row.count += c.count;
      byKey.set(key, row);
    }
    return [...byKey.entries()].map(([key, row]) => ({ key, ...row }));
  }, [counts]);

  return (
    <Card
      title={t.title}
      extra={
        <Space>
          {t.daysLabel}
          <Select
            aria-label={t.daysLabel}
            value={days}
            onChange={setDays}
            options={[7, 14, 31].map((n) => ({ value: n, label: t.days(n) }))}
            style={{ width: 110 }}
            data-testid="message-days"
          />
        </Space>
      }
    >
      {error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 16 }} /> : null}
      <Card type="inner" title={t.chartTitle} style={{ marginBottom: 16 }}>
        {counts.length === 0 ? t.none : <Chart option={option} testId="chart-message-daily" />}
      </Card>
      <Card type="inner" title={t.byChannelKind} style={{ marginBottom: 16 }}>
        <Table
          size="small"
          rowKey="key"
          dataSource={totals}
          pagination={false}
          locale={{ emptyText: t.none }}
          columns={[
            { title: t.columns.channel, dataIndex: 'channel', render: (v: string) => t.channel[v] ?? v },
            { title: t.columns.kind, dataIndex: 'kind', render: (v: string) => t.kind[v] ?? v },
            { title: t.columns.status, dataIndex: 'status', render: (v: string) => t.status[v] ?? v },
            { title: t.columns.count, dataIndex: 'count', align: 'right' },
          ]}
        />
      </Card>
      <Card type="inner" title={t.failures}>
        <Table
          size="small"
          rowKey={(r) => `${r.eventKey}|${r.channel}|${r.atMs}`}
          dataSource={failures}
          pagination={{ pageSize: 10 }}
          locale={{ emptyText: t.none }}
          columns={[
            {
              title: t.columns.at,
              dataIndex: 'atMs',
              render: when,
            },
            { title: t.columns.channel, dataIndex: 'channel', render: (v: string) => t.channel[v] ?? v },
            { title: t.columns.kind, dataIndex: 'kind', render: (v: string) => t.kind[v] ?? v },
            { title: t.columns.status, dataIndex: 'status', render: (v: string) => t.status[v] ?? v },
            { title: t.columns.reason, dataIndex: 'lastError', render: (v: string | null) => reasonText(v) },
            { title: t.columns.attempts, dataIndex: 'attempts', align: 'right' },
          ]}
        />
      </Card>
    </Card>
  );
}
