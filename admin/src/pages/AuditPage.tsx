import { Alert, Button, Card, DatePicker, Form, Input, Space, Table } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, when } from '../api.ts';
import { pickedDaysBoundsMs } from '../calendar.ts';
import { describeError } from '../strings.ts';

interface Entry {
  id: string;
  seq: number;
  actorId: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  detail: Record<string, unknown> | null;
  hash: string;
  createdAtMs: number;
}

/** The audit chain, searched by who, what, whom and when; and a check that the chain is whole. */
export function AuditPage() {
  const [items, setItems] = useState<Entry[]>([]);
  const [verdict, setVerdict] = useState<{
    ok: boolean;
    rows: number;
    breakAt?: { seq: number; reason: string };
  } | null>(null);
  const [error, setError] = useState<string | null>(null);
  const search = useCallback(
    async (values: { who?: string; action?: string; targetId?: string; range?: [Dayjs, Dayjs] }) => {
      const q = new URLSearchParams();
      if (values.who) q.set('who', values.who.trim());
      if (values.action) q.set('action', values.action.trim());
      if (values.targetId) q.set('targetId', values.targetId.trim());
      if (values.range) {
        const { startMs, endMs } = pickedDaysBoundsMs(values.range[0], values.range[1]);
        q.set('fromMs', String(startMs));
        q.set('toMs', String(endMs));
      }
      try {
        setItems((await api<{ items: Entry[] }>('GET', `/audit?${q}`)).items);
        setError(null);
      } catch (e) {
        setError(describeError(e));
      }
    },
    [],
  );
  useEffect(() => {
    search({});
  }, [search]);
  const verify = async () => setVerdict(await api('GET', '/audit/verify'));
  return (
    <Card title="审计日志" extra={<Button onClick={verify}>校验哈希链</Button>}>
      {verdict ? (
        <Alert
          style={{ marginBottom: 16 }}
          type={verdict.ok ? 'success' : 'error'}
          title={
            verdict.ok
              ? `哈希链完整，共 ${verdict.rows} 条`
              : `哈希链在第 ${verdict.breakAt?.seq} 条断裂：${verdict.breakAt?.reason}`
          }
        />
      ) : null}
      {error ? <Alert type="error" title={error} /> : null}
      <Form layout="inline" onFinish={search} style={{ marginBottom: 16 }}>
        <Form.Item name="who" label="操作人">
          <Input placeholder="用户名" />
        </Form.Item>
        <Form.Item name="action" label="操作">
          <Input placeholder="如 card.report_loss" />
        </Form.Item>
        <Form.Item name="targetId" label="对象">
          <Input placeholder="卡号等" />
        </Form.Item>
        <Form.Item name="range" label="日期">
          <DatePicker.RangePicker />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit">
            查询
          </Button>
        </Space>
      </Form>
      <Table
        rowKey="id"
        size="small"
        dataSource={items}
        pagination={false}
        columns={[
          { title: '#', dataIndex: 'seq' },
          { title: '时间', dataIndex: 'createdAtMs', render: when },
          { title: '操作人', dataIndex: 'detail', render: (d: Entry['detail']) => String(d?.by ?? '') },
          { title: '操作', dataIndex: 'action' },
          { title: '对象', render: (_: unknown, e: Entry) => `${e.targetType ?? ''} ${e.targetId ?? ''}` },
          {
            title: '详情',
            dataIndex: 'detail',
            render: (d: Entry['detail']) => {
              const { by: _by, ...rest } = d ?? {};
              return <code>{JSON.stringify(rest)}</code>;
            },
          },
          { title: '哈希', dataIndex: 'hash', render: (h: string) => <code>{h.slice(0, 12)}…</code> },
        ]}
      />
    </Card>
  );
}
