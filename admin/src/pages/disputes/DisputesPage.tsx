import type { Dispute, DisputeStatus } from '@campus-card/core/contract';
import { Alert, App, Button, Card, Form, Input, Modal, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useCallback, useEffect, useState } from 'react';
import { api, type Me, when, yuan } from '../../api.ts';
import { confirmMoney } from '../../components/confirm.tsx';
import { ErrorAlert, useSubmit } from '../../components/list-blocks.tsx';
import { fenOf, MoneyField } from '../../components/MoneyField.tsx';
import { describeDisputeError, disputeText as t } from './strings.ts';

/** A dispute with the names the BFF adds. */
type DisputeRow = Dispute & { merchantName: string; holderName: string | null; decidedByName: string | null };
type Filter = DisputeStatus | 'all';

/**
 * 消费纠错 (#19): the disputes students opened on their payments. The card centre, for the merchant,
 * accepts with a refund (the amount checked as typed and confirmed with 大写; the core refunds once
 * and never beyond what is left of the payment) or rejects with a reason the student reads.
 */
export function DisputesPage({ me }: { me: Me }) {
  const [filter, setFilter] = useState<Filter>('open');
  const [items, setItems] = useState<DisputeRow[]>([]);
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [acting, setActing] = useState<{ row: DisputeRow; kind: 'accept' | 'reject' } | null>(null);
  const manage = me.rights.includes('merchant.manage');

  const reload = useCallback(async () => {
    setLoading(true);
    try {
      const query = filter === 'all' ? '' : `?status=${filter}`;
      setItems((await api<{ items: DisputeRow[] }>('GET', `/disputes${query}`)).items);
    } catch (e) {
      setError(describeDisputeError(e));
    } finally {
      setLoading(false);
    }
  }, [filter]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const columns = [
    { title: t.createdAt, dataIndex: 'createdAtMs', render: (ms: number) => when(ms) },
    {
      title: t.holder,
      dataIndex: 'holderName',
      render: (name: string | null, d: DisputeRow) => (
        <Space direction="vertical" size={0}>
          <span>{name ?? '—'}</span>
          <Typography.Text type="secondary">{d.cardNo}</Typography.Text>
        </Space>
      ),
    },
    { title: t.merchant, dataIndex: 'merchantName' },
    { title: t.paymentAmount, dataIndex: 'paymentAmount', render: (fen: number) => yuan(fen) },
    {
      title: t.reasonLabel,
      dataIndex: 'reason',
      render: (reason: DisputeRow['reason'], d: DisputeRow) => (
        <Space direction="vertical" size={0}>
          <span>{t.reason[reason]}</span>
          {d.note ? <Typography.Text type="secondary">{d.note}</Typography.Text> : null}
        </Space>
      ),
    },
    {
      title: t.outcome,
      dataIndex: 'status',
      render: (status: DisputeStatus, d: DisputeRow) => (
        <Space direction="vertical" size={0}>
          <Tag color={t.statusColor[status]}>{t.status[status]}</Tag>
          {status === 'accepted' && d.refundAmount ? <span>{t.refunded(yuan(d.refundAmount))}</span> : null}
          {d.decisionNote && (status === 'accepted' || status === 'rejected') ? (
            <Typography.Text type="secondary">{d.decisionNote}</Typography.Text>
          ) : null}
          {d.decidedByName && (status === 'accepted' || status === 'rejected') ? (
            <Typography.Text type="secondary">
              {t.decidedBy}：{d.decidedByName}
            </Typography.Text>
          ) : null}
        </Space>
      ),
    },
    ...(manage
      ? [
          {
            title: t.actions,
            key: 'actions',
            render: (_: unknown, d: DisputeRow) =>
              d.status === 'open' || d.status === 'refunding' ? (
                <Space>
                  <Button size="small" type="primary" onClick={() => setActing({ row: d, kind: 'accept' })}>
                    {t.accept}
                  </Button>
                  {d.status === 'open' ? (
                    <Button size="small" danger onClick={() => setActing({ row: d, kind: 'reject' })}>
                      {t.reject}
                    </Button>
                  ) : null}
                </Space>
              ) : null,
          },
        ]
      : []),
  ];

  return (
    <Card
      title={t.title}
      extra={
        <Segmented
          value={filter}
          onChange={(v) => {
            setDone(null);
            setFilter(v as Filter);
          }}
          options={[
            { value: 'open', label: t.status.open },
            { value: 'accepted', label: t.status.accepted },
            { value: 'rejected', label: t.status.rejected },
            { value: 'all', label: t.allStatuses },
          ]}
        />
      }
    >
      <Typography.Paragraph type="secondary">{t.intro}</Typography.Paragraph>
      <ErrorAlert error={error} onClose={() => setError(null)} />
      {done ? (
        <Alert type="success" data-testid="dispute-result" message={done} style={{ marginBottom: 12 }} />
      ) : null}
      <Table
        rowKey="id"
        size="small"
        loading={loading}
        dataSource={items}
        pagination={false}
        columns={columns}
      />
      {acting ? (
        <DecisionDialog
          row={acting.row}
          kind={acting.kind}
          onClose={(message) => {
            setActing(null);
            if (!message) return;
            setError(null);
            setDone(message);
            void reload();
          }}
        />
      ) : null}
    </Card>
  );
}

/** Accept (the refund amount, then the money confirmation with 大写) or reject (a reason). */
function DecisionDialog({
  row,
  kind,
  onClose,
}: {
  row: DisputeRow;
  kind: 'accept' | 'reject';
  onClose: (message?: string) => void;
}) {
  const { modal } = App.useApp();
  const [form] = Form.useForm<{ amount: string; note: string }>();
  const { busy, error, submit } = useSubmit(describeDisputeError);
  const rule = { maxFen: row.paymentAmount };

  const send = (body: Record<string, unknown>) =>
    submit(async () => {
      const answer = await api<DisputeRow>('POST', `/disputes/${row.id}/${kind}`, body);
      onClose(kind === 'accept' ? t.accepted(yuan(answer.refundAmount ?? 0)) : t.rejected);
    });

  const next = async () => {
    const values = await form.validateFields();
    const note = values.note?.trim();
    if (kind === 'reject') {
      await send({ reason: note });
      return;
    }
    const amount = fenOf(values.amount, rule);
    confirmMoney(modal, {
      title: t.acceptTitle,
      amountFen: amount,
      amountLabel: t.refundLabel,
      details: [
        [t.holder, `${row.holderName ?? '—'}（${row.cardNo}）`],
        [t.merchant, row.merchantName],
        [t.paymentAmount, yuan(row.paymentAmount)],
        [t.reasonLabel, t.reason[row.reason]],
      ],
      note: t.acceptHint(yuan(amount)),
      okText: t.confirmAccept,
      danger: true,
      onOk: () => send({ amount, ...(note ? { note } : {}) }),
    });
  };

  return (
    <Modal
      open
      title={kind === 'accept' ? t.acceptTitle : t.rejectTitle}
      okText={kind === 'accept' ? '下一步' : t.confirmReject}
      okButtonProps={{ loading: busy, danger: kind === 'reject' }}
      onOk={next}
      onCancel={() => onClose()}
    >
      <Alert
        type="info"
        style={{ marginBottom: 12 }}
        message={`${row.holderName ?? '—'} · ${row.merchantName} · ${t.paymentAmount} ${yuan(row.paymentAmount)}`}
        description={`${t.reason[row.reason]}${row.note ? `：${row.note}` : ''}`}
      />
      <Form
        form={form}
        layout="vertical"
        initialValues={{ amount: (row.paymentAmount / 100).toFixed(2), note: '' }}
      >
        {kind === 'accept' ? (
          <MoneyField name="amount" label={t.refundAmount} rule={rule} testId="dispute-amount" />
        ) : null}
        <Form.Item
          label={kind === 'accept' ? t.acceptNote : t.rejectReason}
          name="note"
          rules={
            kind === 'reject' ? [{ required: true, whitespace: true, message: t.rejectReasonRequired }] : []
          }
        >
          <Input.TextArea maxLength={200} rows={2} data-testid="dispute-note" />
        </Form.Item>
      </Form>
      {error ? <Alert type="error" message={error} /> : null}
    </Modal>
  );
}
