import { Alert, Button, Card, DatePicker, Form, Input, Select, Space, Table } from 'antd';
import type { Dayjs } from 'dayjs';
import { useCallback, useEffect, useState } from 'react';
import { api, when, yuan } from '../api.ts';
import { pickedDaysBoundsMs } from '../calendar.ts';
import {
  auditActionLabel,
  auditActionText,
  auditDetailKeyText,
  auditDetailValueText,
  auditTargetText,
  describeError,
  deviceKindText,
  errorText,
  roleText,
  statusText,
  topUpChannelText,
  walletText,
} from '../strings.ts';

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
  /** What the target is, looked up by the core with the page (a card's holder masked, a merchant's name …). */
  target?: { name: string | null; deviceKind?: string };
}

/** An id a person reads (a card number, a day, an order number), unlike the generated ids of rows. */
const readableId = (id: string) => !/^[0-9A-HJKMNP-TV-Z]{26}$/.test(id);

/**
 * What an entry is about, in words: 卡号 and the holder (masked) for a card, 消费机 · 商户 for a device,
 * the name or title of a merchant, batch, news item …; a generated id only in the tooltip.
 */
function TargetCell({ entry: e }: { entry: Entry }) {
  if (!e.targetType) return <>—</>;
  const kind = auditTargetText[e.targetType] ?? '其他';
  const name = e.target?.name ?? null;
  const words =
    e.targetType === 'card'
      ? [`卡号 ${e.targetId ?? ''}`, name]
      : e.targetType === 'device'
        ? [
            `${kind} ${e.targetId ?? ''}`,
            e.target?.deviceKind ? deviceKindText[e.target.deviceKind] : null,
            name,
          ]
        : [kind, name ?? (e.targetId && readableId(e.targetId) ? e.targetId : null)];
  return (
    <span data-testid="audit-target" title={e.targetId ?? undefined} style={{ overflowWrap: 'anywhere' }}>
      {words.filter((w) => w).join(' · ')}
    </span>
  );
}

/** Detail keys holding fen: shown in yuan, never as a bare number. */
const moneyKey =
  /(^amount$|Amount$|Refunded$|Returned$|^balanceAfter$|Fen$|Limit$|LimitBefore$|^counted$|^expected$|^difference$)/;

/** The words of one detail key's coded values: statuses, roles, channels, refusal codes and the rest. */
const valueWords: Record<string, Record<string, string>> = {
  ...auditDetailValueText,
  status: statusText,
  role: roleText,
  wallet: walletText,
  channel: { ...topUpChannelText, cash: '现金', bank: '银行卡' },
  code: errorText,
};

/**
 * One value of an audit detail as a person reads it: fen in yuan, instants in Beijing time, coded
 * values in words, and a nested record as its own key/value lines (never raw JSON).
 */
function DetailValue({ name, value }: { name: string; value: unknown }) {
  if (value === null || value === undefined) return <>—</>;
  if (typeof value === 'number' && moneyKey.test(name))
    return <>{value < 0 ? `-${yuan(-value)}` : yuan(value)}</>;
  if (typeof value === 'number' && /AtMs$/.test(name)) return <>{when(value)}</>;
  if (typeof value === 'number' && name === 'feeRateBp') return <>{`${(value / 100).toFixed(2)}%`}</>;
  if (typeof value === 'boolean') return <>{value ? '是' : '否'}</>;
  if (Array.isArray(value))
    return <>{value.every((v) => typeof v !== 'object') ? value.join('、') : `${value.length} 项`}</>;
  if (typeof value === 'object')
    return (
      <div style={{ paddingLeft: 12 }}>
        <DetailLines detail={value as Record<string, unknown>} />
      </div>
    );
  return <>{valueWords[name]?.[String(value)] ?? String(value)}</>;
}

/** A status changed from one to another (a merchant's 启用/停用): from/to are dates everywhere else. */
const changedStateText: Record<string, string> = { active: '启用', disabled: '停用' };

/**
 * An audit entry's detail as key/value lines that wrap (the actor is its own column). A key this page
 * has no word for reads 其他, with the key in its tooltip for whoever maintains the list.
 */
function DetailLines({ detail }: { detail: Entry['detail'] }) {
  const { by: _by, ...rest } = detail ?? {};
  const entries = Object.entries(rest);
  if (entries.length === 0) return <span>—</span>;
  return (
    <div data-testid="audit-detail" style={{ overflowWrap: 'anywhere', whiteSpace: 'normal' }}>
      {entries.map(([key, value]) => {
        const state =
          (key === 'from' || key === 'to') && typeof value === 'string' ? changedStateText[value] : undefined;
        return (
          <div key={key}>
            <span style={{ color: '#595959' }} title={key}>
              {state ? (key === 'from' ? '原状态' : '新状态') : (auditDetailKeyText[key] ?? '其他')}：
            </span>
            {state ?? <DetailValue name={key} value={value} />}
          </div>
        );
      })}
    </div>
  );
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
          <Select
            allowClear
            showSearch
            optionFilterProp="label"
            placeholder="全部操作"
            style={{ width: 200 }}
            options={Object.entries(auditActionText).map(([value, label]) => ({ value, label }))}
          />
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
        tableLayout="fixed"
        columns={[
          { title: '#', dataIndex: 'seq', width: 56 },
          { title: '时间', dataIndex: 'createdAtMs', render: when, width: 160 },
          {
            title: '操作人',
            dataIndex: 'detail',
            width: 96,
            render: (d: Entry['detail']) => String(d?.by ?? ''),
          },
          {
            title: '操作',
            dataIndex: 'action',
            width: 130,
            render: (a: string) => <span title={a}>{auditActionLabel(a)}</span>,
          },
          {
            title: '对象',
            width: 170,
            render: (_: unknown, e: Entry) => <TargetCell entry={e} />,
          },
          { title: '详情', dataIndex: 'detail', render: (d: Entry['detail']) => <DetailLines detail={d} /> },
          {
            title: '哈希',
            dataIndex: 'hash',
            width: 100,
            render: (h: string) => (
              <code title={h} style={{ whiteSpace: 'nowrap' }}>
                {h.slice(0, 8)}…
              </code>
            ),
          },
        ]}
      />
    </Card>
  );
}
