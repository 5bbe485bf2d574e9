import type { FeeProgress, FeeReceipt, UtilityOrder } from '@campus-card/core/contract';
import { Alert, App, Button, Card, Form, Input, Progress, Segmented, Space, Table, Tabs, Tag } from 'antd';
import { useCallback, useEffect, useMemo, useState } from 'react';
import { api, type Me, newRequestId, when, yuan } from '../../api.ts';
import { Chart } from '../../components/Chart.tsx';
import { confirmMoney } from '../../components/confirm.tsx';
import { amountInWords, parseYuan } from '../../components/money.ts';
import { PrintedSlip } from '../../components/PrintedSlip.tsx';
import { download } from '../../download.ts';
import { describePayError, campusPayText as t } from './strings.ts';

function FeesTab({ manage }: { manage: boolean }) {
  const { message, modal } = App.useApp();
  const [items, setItems] = useState<FeeProgress[]>([]);
  const [error, setError] = useState<string>();
  const [csv, setCsv] = useState('');
  const reload = useCallback(() => {
    api<{ items: FeeProgress[] }>('GET', '/fees').then(
      (r) => setItems(r.items),
      (e) => setError(describePayError(e)),
    );
  }, []);
  useEffect(reload, [reload]);
  const option = useMemo(
    () => ({
      tooltip: {},
      grid: { left: 120, right: 24, top: 16, bottom: 24 },
      xAxis: { type: 'value', max: 100, axisLabel: { formatter: '{value}%' } },
      yAxis: { type: 'category', data: items.map((i) => i.item.name) },
      series: [
        {
          type: 'bar',
          data: items.map((i) => (i.amountDue ? Math.round((i.amountPaid * 100) / i.amountDue) : 100)),
        },
      ],
    }),
    [items],
  );
  const act = (fn: () => Promise<unknown>) => fn().catch((e) => setError(describePayError(e)));
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error ? <Alert type="error" message={error} closable onClose={() => setError(undefined)} /> : null}
      <Card title={t.chartTitle} size="small">
        <Chart option={option} height={Math.max(120, items.length * 40)} testId="fee-progress-chart" />
      </Card>
      <div data-testid="fee-items">
        <Table
          rowKey={(r) => r.item.id}
          dataSource={items}
          pagination={false}
          columns={[
            { title: t.code, render: (_, r) => r.item.code },
            { title: t.name, render: (_, r) => r.item.name },
            {
              title: t.categoryLabel,
              render: (_, r) => <Tag>{t.category[r.item.category] ?? t.category.other}</Tag>,
            },
            { title: t.dueDay, render: (_, r) => r.item.dueDay },
            { title: t.bills, render: (_, r) => r.bills },
            { title: t.paidBills, render: (_, r) => r.paidBills },
            { title: t.amountDue, render: (_, r) => yuan(r.amountDue) },
            { title: t.amountPaid, render: (_, r) => yuan(r.amountPaid) },
            {
              title: t.progress,
              render: (_, r) => (
                <Progress
                  aria-label={`${r.item.name}${t.progress}`}
                  percent={r.amountDue ? Math.floor((r.amountPaid * 100) / r.amountDue) : 100}
                  size="small"
                />
              ),
            },
            {
              title: '',
              render: (_, r) => (
                <Space>
                  <Button size="small" onClick={() => act(() => download(`/fees/${r.item.id}/export`))}>
                    {t.export}
                  </Button>
                  {manage ? (
                    <Button
                      size="small"
                      onClick={() =>
                        act(async () => {
                          const sent = await api<{ reminded: number }>(
                            'POST',
                            `/fees/${r.item.id}/reminders`,
                          );
                          message.success(t.reminded(sent.reminded));
                        })
                      }
                    >
                      {t.remind}
                    </Button>
                  ) : null}
                </Space>
              ),
            },
          ]}
        />
      </div>
      {manage ? (
        <Card
          title={t.importTitle}
          size="small"
          extra={
            <Button
              onClick={() =>
                act(async () => {
                  const pulled = await api<{ items: { created: boolean }[] }>('POST', '/fees/pull');
                  message.success(t.pulled(pulled.items.filter((i) => i.created).length));
                  reload();
                })
              }
            >
              {t.pull}
            </Button>
          }
        >
          <p>{t.importHint}</p>
          <Input.TextArea
            rows={5}
            aria-label={t.importHint}
            value={csv}
            onChange={(e) => setCsv(e.target.value)}
            data-testid="fee-import-csv"
          />
          <Button
            style={{ marginTop: 8 }}
            type="primary"
            disabled={csv.trim() === ''}
            onClick={() =>
              act(async () => {
                const made = await api<{ items: { bills: number }[] }>('POST', '/fees/import', { csv });
                message.success(
                  t.imported(
                    made.items.length,
                    made.items.reduce((n, i) => n + i.bills, 0),
                  ),
                );
                setCsv('');
                reload();
              })
            }
          >
            {t.importButton}
          </Button>
        </Card>
      ) : null}
      {manage ? <RefundCard onDone={reload} modal={modal} onError={setError} /> : null}
    </Space>
  );
}

/** What POST /fee-payments/:id/refunds answers (bff/src/admin/services/fee-refunds.ts). */
interface FeeRefundAnswer {
  id: string;
  status: 'pending' | 'done' | 'refused';
  channel: FeeReceipt['channel'];
}

function RefundCard({
  onDone,
  modal,
  onError,
}: {
  onDone: () => void;
  modal: ReturnType<typeof App.useApp>['modal'];
  onError: (text: string) => void;
}) {
  const { message } = App.useApp();
  const [form] = Form.useForm<{ paymentId: string; amount: string; reason: string }>();
  const submit = async (v: { paymentId: string; amount: string; reason: string }) => {
    const parsed = parseYuan(v.amount, { minFen: 1, maxFen: 10_000_000 });
    if ('error' in parsed) return onError(parsed.error);
    // The payment first: who paid, how, and what is left to refund, so the confirmation says where
    // the money goes (the card, or back to WeChat Pay / Alipay).
    let paid: FeeReceipt;
    try {
      paid = await api<FeeReceipt>('GET', `/fee-payments/${encodeURIComponent(v.paymentId)}/receipt`);
    } catch (e) {
      return onError(describePayError(e));
    }
    const requestId = newRequestId();
    confirmMoney(modal, {
      title: t.refundConfirm,
      amountFen: parsed.fen,
      amountLabel: t.amountLabel,
      details: [
        [t.paymentId, v.paymentId],
        [t.payer, `${paid.name}（${paid.personNo}）`],
        [t.itemLabel, paid.itemName],
        [t.channelLabel, t.channel[paid.channel] ?? paid.channel],
        [t.refundable, yuan(paid.amount - paid.refundedAmount)],
        [t.refundTo, t.refundTarget[paid.channel] ?? paid.channel],
        [t.reason, v.reason],
      ],
      ...(paid.channel === 'card' ? {} : { note: t.platformNote }),
      onOk: async () => {
        try {
          const done = await api<FeeRefundAnswer>(
            'POST',
            `/fee-payments/${encodeURIComponent(v.paymentId)}/refunds`,
            { requestId, amount: parsed.fen, reason: v.reason },
          );
          if (done.status === 'refused') onError(t.refundRefused(done.channel));
          else message.success(t.refundOutcome(done.channel, done.status));
          form.resetFields();
          onDone();
        } catch (e) {
          const code = (e as { code?: string }).code;
          onError(code === 'ALREADY_EXISTS' ? t.refundExists : describePayError(e));
        }
      },
    });
  };
  return (
    <Card title={t.refundTitle} size="small">
      <Form form={form} layout="inline" onFinish={submit}>
        <Form.Item name="paymentId" label={t.paymentId} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="amount" label={t.amount} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Form.Item name="reason" label={t.reason} rules={[{ required: true }]}>
          <Input />
        </Form.Item>
        <Button htmlType="submit" danger>
          {t.refundButton}
        </Button>
        <Button
          onClick={() => {
            const id = form.getFieldValue('paymentId');
            if (id)
              window.open(`${window.location.pathname}#/fee-receipt/${encodeURIComponent(id)}`, '_blank');
          }}
        >
          {t.receipt}
        </Button>
      </Form>
    </Card>
  );
}

function OrdersTab({ service, manage }: { service: 'electricity' | 'network'; manage: boolean }) {
  const { message } = App.useApp();
  const [status, setStatus] = useState<string>('all');
  const [data, setData] = useState<{
    items: UtilityOrder[];
    summary: { status: string; count: number; amount: number }[];
  }>();
  const [error, setError] = useState<string>();
  const reload = useCallback(() => {
    const q = status === 'all' ? '' : `&status=${status}`;
    api<typeof data>('GET', `/utility-orders?service=${service}${q}`).then(setData, (e) =>
      setError(describePayError(e)),
    );
  }, [service, status]);
  useEffect(reload, [reload]);
  return (
    <Space direction="vertical" style={{ width: '100%' }}>
      {error ? <Alert type="error" message={error} /> : null}
      <Space wrap>
        {(data?.summary ?? []).map((s) => (
          <Tag
            key={s.status}
          >{`${t.orders.statuses[s.status] ?? s.status}：${s.count} 笔 ${yuan(s.amount)}`}</Tag>
        ))}
      </Space>
      <Space>
        <Segmented
          value={status}
          onChange={(v) => setStatus(String(v))}
          options={[
            { label: '全部', value: 'all' },
            ...Object.entries(t.orders.statuses).map(([value, label]) => ({ label, value })),
          ]}
        />
        {manage ? (
          <Button
            onClick={() =>
              api<{ ended: number }>('POST', '/utility-orders/reconcile').then(
                (r) => {
                  message.success(t.orders.reconciled(r.ended));
                  reload();
                },
                (e) => setError(describePayError(e)),
              )
            }
          >
            {t.orders.reconcile}
          </Button>
        ) : null}
      </Space>
      <div data-testid={`${service}-orders`}>
        <Table
          rowKey="id"
          dataSource={data?.items ?? []}
          columns={[
            { title: t.orders.target[service], dataIndex: 'target' },
            { title: t.orders.amount, dataIndex: 'amount', render: (fen: number) => yuan(fen) },
            {
              title: t.orders.status,
              dataIndex: 'status',
              render: (s: string) => <Tag>{t.orders.statuses[s] ?? s}</Tag>,
            },
            { title: t.orders.createdAt, dataIndex: 'createdAtMs', render: (ms: number) => when(ms) },
          ]}
        />
      </div>
    </Space>
  );
}

/** Fees (items, import, progress, export, reminders, refunds) and electricity/network orders by state. */
export function CampusPaymentsPage({ me }: { me: Me }) {
  const manage = me.rights.includes('funds.manage');
  return (
    <Tabs
      items={[
        { key: 'fees', label: t.tabs.fees, children: <FeesTab manage={manage} /> },
        {
          key: 'electricity',
          label: t.tabs.electricity,
          children: <OrdersTab service="electricity" manage={manage} />,
        },
        { key: 'network', label: t.tabs.network, children: <OrdersTab service="network" manage={manage} /> },
      ]}
    />
  );
}

/** The printable receipt of a fee payment, with the amount in capital numerals (大写). */
export function FeeReceiptPage({ paymentId }: { paymentId: string }) {
  const [receipt, setReceipt] = useState<FeeReceipt>();
  const [error, setError] = useState<string>();
  useEffect(() => {
    api<FeeReceipt>('GET', `/fee-payments/${encodeURIComponent(paymentId)}/receipt`).then(setReceipt, (e) =>
      setError(describePayError(e)),
    );
  }, [paymentId]);
  if (error) return <p style={{ padding: 24 }}>{error}</p>;
  if (!receipt) return null;
  return (
    <PrintedSlip
      title={t.receiptTitle}
      testId="fee-receipt"
      rows={[
        [t.receiptNo, receipt.receiptNo],
        [t.name, receipt.itemName],
        [t.personNo, receipt.personNo],
        [t.payer, receipt.name],
        [t.orders.amount, yuan(receipt.amount)],
        [t.amountWords, amountInWords(receipt.amount)],
        [t.channelLabel, t.channel[receipt.channel] ?? ''],
        [t.paidAt, when(receipt.paidAtMs)],
      ]}
      footer={<p style={{ margin: '24px 0 8px' }}>校园一卡通中心</p>}
    />
  );
}
