import type { RefundEntry as CoreRefundEntry, PayoutChannel } from '@campus-card/core/contract';
import { Alert, App, Button, Card, Segmented, Space, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, type Me, newRequestId, when, yuan } from '../api.ts';
import { confirmMoney } from '../components/confirm.tsx';
import { ErrorAlert, LoadMore, NoteDialog, useSubmit } from '../components/list-blocks.tsx';
import { amountInWords } from '../components/money.ts';
import { PrintedSlip } from '../components/PrintedSlip.tsx';
import { download } from '../download.ts';
import { describeError, refundText as t } from '../strings.ts';
import { usePages } from '../use-pages.ts';

/** An entry of the refund list with the payer's name the BFF adds; `changed` on a payout's answer. */
type RefundEntry = CoreRefundEntry & { paidByName: string | null; changed?: boolean };

type Channel = PayoutChannel;
const channelAction: Record<Channel, string> = { cash: t.cash, bank: t.bank };
const slipKey = 'cc-admin-refund-slip';

/** Opens the printable payout slip of a paid entry in a new tab. */
function printSlip(entry: RefundEntry) {
  sessionStorage.setItem(slipKey, JSON.stringify(entry));
  window.open(`${window.location.pathname}#/refund-slip`, '_blank');
}

/**
 * The refund list: the main balance of every closed-out card (graduates and leavers from the identity
 * sync, and the card centre's 销户), owed to the person until finance pays it out in cash or by bank
 * transfer. Each payout moves the money once, whoever else clicks at the same time.
 */
export function RefundsPage({ me }: { me: Me }) {
  const [status, setStatus] = useState<'due' | 'paid'>('due');
  const [result, setResult] = useState<RefundEntry | null>(null);
  const [acting, setActing] = useState<{ entry: RefundEntry; channel: Channel } | null>(null);
  const manage = me.rights.includes('funds.manage');
  const { items, more, error, setError, reload, loadMore } = usePages<RefundEntry>(
    `/refunds?status=${status}`,
    (last) => ({
      beforeAtMs: (status === 'due' ? last.createdAtMs : last.paidAtMs) ?? 0,
      beforeId: last.operationId,
    }),
  );

  const columns = [
    { title: t.personNo, dataIndex: 'personNo' },
    { title: t.cardNo, dataIndex: 'cardNo' },
    { title: t.amount, dataIndex: 'mainAmount', render: (fen: number) => yuan(fen) },
    {
      title: t.reasonLabel,
      dataIndex: 'reason',
      render: (code: string) => <Tag>{t.reason[code] ?? code}</Tag>,
    },
    { title: t.createdAt, dataIndex: 'createdAtMs', render: (ms: number) => when(ms) },
    ...(status === 'paid'
      ? [
          {
            title: t.paidAt,
            dataIndex: 'paidAtMs',
            render: (ms: number | null) => (ms ? when(ms) : '—'),
          },
          {
            title: t.channelLabel,
            dataIndex: 'channel',
            render: (c: string | null) => (c ? <Tag color="green">{t.channel[c] ?? c}</Tag> : '—'),
          },
          {
            title: t.paidBy,
            dataIndex: 'paidByName',
            render: (name: string | null, e: RefundEntry) => (
              <Space direction="vertical" size={0}>
                <span>{name ?? '—'}</span>
                {e.note ? <Typography.Text type="secondary">{e.note}</Typography.Text> : null}
              </Space>
            ),
          },
          {
            title: t.actions,
            key: 'slip',
            render: (_: unknown, e: RefundEntry) =>
              e.channel ? (
                <Button size="small" onClick={() => printSlip(e)}>
                  {t.printSlip}
                </Button>
              ) : null,
          },
        ]
      : []),
    ...(manage && status === 'due'
      ? [
          {
            title: t.actions,
            key: 'actions',
            render: (_: unknown, e: RefundEntry) => (
              <Space>
                <Button size="small" type="primary" onClick={() => setActing({ entry: e, channel: 'cash' })}>
                  {t.cash}
                </Button>
                <Button size="small" onClick={() => setActing({ entry: e, channel: 'bank' })}>
                  {t.bank}
                </Button>
              </Space>
            ),
          },
        ]
      : []),
  ];

  return (
    <Card
      title={t.title}
      extra={
        <Space>
          {status === 'due' ? (
            <Button
              onClick={() =>
                download('/refunds?status=due&format=csv').catch((e) => setError(describeError(e)))
              }
            >
              {t.exportDue}
            </Button>
          ) : null}
          <Segmented
            value={status}
            onChange={(v) => {
              setResult(null);
              setStatus(v as 'due' | 'paid');
            }}
            options={[
              { value: 'due', label: t.due },
              { value: 'paid', label: t.paid },
            ]}
          />
        </Space>
      }
    >
      <ErrorAlert error={error} onClose={() => setError(null)} />
      {result ? (
        <Alert
          type="success"
          data-testid="refund-result"
          style={{ marginBottom: 12 }}
          message={`${result.changed === false ? `${t.replayed}：` : ''}${t.done(yuan(result.mainAmount), t.channel[result.channel ?? ''] ?? '')}`}
          action={
            <Button size="small" onClick={() => printSlip(result)}>
              {t.printSlip}
            </Button>
          }
        />
      ) : null}
      <Table rowKey="operationId" size="small" dataSource={items} pagination={false} columns={columns} />
      <LoadMore more={more} onLoad={loadMore} />
      {acting ? (
        <PayoutDialog
          entry={acting.entry}
          channel={acting.channel}
          onClose={(done) => {
            setActing(null);
            if (!done) return;
            setError(null);
            setResult(done);
            reload();
          }}
        />
      ) : null}
    </Card>
  );
}

/**
 * The payout dialog (the note), then the shared money confirmation: one request id per opened
 * dialog; the core pays an entry out once anyway.
 */
function PayoutDialog({
  entry,
  channel,
  onClose,
}: {
  entry: RefundEntry;
  channel: Channel;
  onClose: (done?: RefundEntry) => void;
}) {
  const { modal } = App.useApp();
  const [requestId] = useState(newRequestId);
  const [note, setNote] = useState('');
  const { busy, error, submit: run } = useSubmit();
  const submit = () =>
    confirmMoney(modal, {
      title: `${t.confirm}：${channelAction[channel]}`,
      amountFen: entry.mainAmount,
      amountLabel: t.amount,
      details: [
        [t.personNo, entry.personNo],
        [t.cardNo, entry.cardNo],
        [t.channelLabel, t.channel[channel] ?? ''],
      ],
      note: entry.mainAmount > 0 ? t.hint(yuan(entry.mainAmount), t.channel[channel] ?? '') : t.zeroHint,
      okText: t.confirm,
      danger: true,
      onOk: send,
    });
  const send = () =>
    run(async () =>
      onClose(
        await api<RefundEntry>('POST', `/refunds/${encodeURIComponent(entry.operationId)}/payout`, {
          channel,
          requestId,
          ...(note.trim() ? { note: note.trim() } : {}),
        }),
      ),
    );
  return (
    <NoteDialog
      title={t.dialogTitle(channelAction[channel], entry.personNo)}
      okText="下一步"
      busy={busy}
      intro={
        <Alert
          type="info"
          style={{ marginBottom: 12 }}
          message={`${t.amount}：${yuan(entry.mainAmount)}（${amountInWords(entry.mainAmount)}）`}
          description={
            entry.mainAmount > 0 ? t.hint(yuan(entry.mainAmount), t.channel[channel] ?? '') : t.zeroHint
          }
        />
      }
      noteLabel={t.note}
      rows={2}
      note={note}
      onNote={setNote}
      error={error}
      onOk={submit}
      onCancel={() => onClose()}
    />
  );
}

/** The payout slip, laid out for the receipt printer like the cash top-up receipt; signed by the payee. */
export function RefundSlipPage() {
  const raw = sessionStorage.getItem(slipKey);
  if (!raw) return <p style={{ padding: 24 }}>没有可打印的凭证。</p>;
  const e = JSON.parse(raw) as RefundEntry;
  return (
    <PrintedSlip
      title={t.slipTitle}
      testId="refund-slip"
      rows={[
        [t.personNo, e.personNo],
        [t.cardNo, e.cardNo],
        [t.reasonLabel, t.reason[e.reason] ?? e.reason],
        [t.amount, yuan(e.mainAmount)],
        [t.channelLabel, t.channel[e.channel ?? ''] ?? '—'],
        [t.paidAt, e.paidAtMs ? when(e.paidAtMs) : '—'],
        [t.paidBy, e.paidByName ?? '—'],
        ['流水号', e.payoutOperationId ?? e.operationId],
      ]}
      footer={<p style={{ margin: '24px 0 8px' }}>{t.slipSign}</p>}
    />
  );
}
