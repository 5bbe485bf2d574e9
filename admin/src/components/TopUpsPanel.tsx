import type { TopUpOrder, TopUpRefund } from '@campus-card/core/contract';
import { App, Button, Form, Input, Modal, Card as Panel, Segmented, Table, Tag } from 'antd';
import { useCallback, useEffect, useRef, useState } from 'react';
import { api, type Me, newRequestId, when, yuan } from '../api.ts';
import { describeError, topUpText as t, topUpChannelOptions, topUpChannelText } from '../strings.ts';
import { confirmMoney } from './confirm.tsx';
import { fenOf, MoneyField } from './MoneyField.tsx';

/** A card's order as the panel lists it, with its refunds. */
type TopUp = TopUpOrder & { refunds: TopUpRefund[] };

/**
 * A card's online top-ups (微信支付 and 支付宝, labelled and filtered by channel) with their refunds, and a refund for those who may (finance): at once up to
 * the threshold, else proposed for a second admin's approval (the answer says which).
 */
export function TopUpsPanel({ me, cardNo, onChanged }: { me: Me; cardNo: string; onChanged: () => void }) {
  const { message, modal } = App.useApp();
  const [items, setItems] = useState<TopUp[]>([]);
  const [refunding, setRefunding] = useState<TopUp | null>(null);
  const [busy, setBusy] = useState(false);
  const [channel, setChannel] = useState('all');
  const requestId = useRef(newRequestId());
  const [form] = Form.useForm();
  const load = useCallback(async () => {
    const filter = channel === 'all' ? '' : `?channel=${channel}`;
    setItems((await api<{ items: TopUp[] }>('GET', `/cards/${cardNo}/top-ups${filter}`)).items);
  }, [cardNo, channel]);
  useEffect(() => {
    load().catch((e) => message.error(describeError(e)));
  }, [load, message]);

  const open = (topUp: TopUp) => {
    requestId.current = newRequestId();
    form.resetFields();
    form.setFieldsValue({ amount: ((topUp.amount - topUp.refundedAmount) / 100).toFixed(2) });
    setRefunding(topUp);
  };
  const rule = { maxFen: refunding ? refunding.amount - refunding.refundedAmount : 0 };
  const send = async (topUp: TopUp, amount: number, reason: string) => {
    setBusy(true);
    try {
      const answer = await api<{ status: string }>('POST', `/top-ups/${topUp.id}/refunds`, {
        requestId: requestId.current,
        amount,
        reason,
      });
      message.success(answer.status === 'pending_approval' ? t.proposed : t.started);
      setRefunding(null);
      await load();
      onChanged();
    } catch (e) {
      message.error(describeError(e));
    } finally {
      setBusy(false);
    }
  };
  const submit = async () => {
    if (!refunding) return;
    const values = (await form.validateFields()) as { amount: string; reason: string };
    const amount = fenOf(values.amount, rule);
    const topUp = refunding;
    confirmMoney(modal, {
      title: '确认充值退款',
      amountFen: amount,
      amountLabel: '退款金额',
      details: [
        ['订单号', topUp.id],
        [t.channel, topUpChannelText[topUp.channel] ?? topUp.channel],
        ['原因', values.reason],
      ],
      note: t.hint,
      okText: '确认退款',
      danger: true,
      onOk: () => send(topUp, amount, values.reason),
    });
  };

  return (
    <Panel
      title={t.title}
      size="small"
      extra={
        <Segmented
          size="small"
          options={topUpChannelOptions}
          value={channel}
          onChange={(v) => setChannel(String(v))}
          data-testid="top-up-channel"
        />
      }
    >
      <Table
        rowKey="id"
        size="small"
        pagination={false}
        dataSource={items}
        columns={[
          { title: t.time, dataIndex: 'createdAtMs', render: when },
          {
            title: t.channel,
            dataIndex: 'channel',
            render: (c: string) => (
              <Tag color={c === 'alipay' ? 'blue' : 'green'}>{topUpChannelText[c] ?? c}</Tag>
            ),
          },
          { title: t.amount, dataIndex: 'amount', render: yuan },
          { title: t.status, dataIndex: 'status', render: (s: string) => <Tag>{t.statuses[s] ?? s}</Tag> },
          {
            title: t.refunds,
            render: (_: unknown, o: TopUp) =>
              o.refunds.length === 0
                ? '—'
                : o.refunds.map((r) => (
                    <div key={r.id}>
                      {yuan(r.amount)} {t.refundStatuses[r.status]}
                    </div>
                  )),
          },
          { title: t.orderNo, dataIndex: 'id' },
          {
            title: t.actions,
            render: (_: unknown, o: TopUp) =>
              me.rights.includes('topup.refund') && o.status === 'credited' && o.refundedAmount < o.amount ? (
                <Button size="small" onClick={() => open(o)}>
                  {t.refund}
                </Button>
              ) : null,
          },
        ]}
      />
      <Modal
        open={refunding !== null}
        title={`${t.refund} · ${refunding?.id ?? ''}`}
        okText="确认"
        cancelText="取消"
        confirmLoading={busy}
        onOk={submit}
        onCancel={() => setRefunding(null)}
      >
        <Form form={form} layout="vertical">
          <MoneyField name="amount" label={t.refundAmount} rule={rule} testId="refund-amount" />
          <Form.Item label={t.reason} name="reason" rules={[{ required: true, message: t.reason }]}>
            <Input maxLength={80} />
          </Form.Item>
        </Form>
        {t.hint}
      </Modal>
    </Panel>
  );
}
