import type { OfflineResolutionAction, ResolvedException } from '@campus-card/core/contract';
import { Alert, Button, Card, Segmented, Space, Table, Tag, Tooltip, Typography } from 'antd';
import { useState } from 'react';
import { api, type Me, newRequestId, when, yuan } from '../api.ts';
import { CampusExtra, CampusScopeNote, useCampusFilter } from '../components/campus.tsx';
import { ErrorAlert, LoadMore, NoteDialog, useSubmit } from '../components/list-blocks.tsx';
import { offlineText as t } from '../strings.ts';
import { usePages } from '../use-pages.ts';

/** An exception with how it was resolved; `replayed` when a resolution answers a retry. */
type OfflineException = ResolvedException & { replayed?: boolean };

type Action = OfflineResolutionAction;

const actionLabel: Record<Action, string> = { recover: t.recover, write_off: t.writeOff, dismiss: t.dismiss };

/** The device number as devices know it: the core names a re-keyed device `<id>-<keyVersion>`. */
const deviceOf = (ref: string) => ref.split('-')[0] ?? ref;

/**
 * Offline exceptions: payments devices took offline that the card could not pay in full (the rest is a
 * receivable), and records that could not be applied. Finance recovers the receivable from the card,
 * writes it off, or dismisses an exception that owes nothing; each with a note, each once. A campus's
 * list holds its devices' exceptions; a campus admin sees only theirs and leaves resolving (money on the
 * card, the centre's) to the centre's finance (docs/campuses.md).
 */
export function OfflineExceptionsPage({ me }: { me: Me }) {
  const [status, setStatus] = useState<'open' | 'closed'>('open');
  const [result, setResult] = useState<string | null>(null);
  const [acting, setActing] = useState<{ exception: OfflineException; action: Action } | null>(null);
  const manage = me.rights.includes('funds.manage') && !me.campusId;
  const byCampus = useCampusFilter();
  const campusQuery = byCampus.campus ? `&campusId=${encodeURIComponent(byCampus.campus)}` : '';
  const { items, more, error, setError, reload, loadMore } = usePages<OfflineException>(
    `/offline-exceptions?status=${status}${campusQuery}`,
    (last) => ({ beforeAtMs: last.createdAtMs, beforeId: last.id }),
  );

  const columns = [
    {
      title: t.device,
      key: 'device',
      // At a card's centre, a payment another centre's device took is named by that centre (fed:<id>).
      render: (_: unknown, e: OfflineException) =>
        e.deviceId.startsWith('fed:') && e.centreId ? t.centreDevice(e.centreId) : deviceOf(e.deviceId),
    },
    {
      title: t.card,
      key: 'card',
      // Another centre's card is never one of ours: its number with its centre.
      render: (_: unknown, e: OfflineException) =>
        e.cardNo ?? (e.centreCardNo && e.centreId ? t.centreCard(e.centreId, e.centreCardNo) : '—'),
    },
    { title: t.takenAt, dataIndex: 'takenAtMs', render: (ms: number) => when(ms) },
    { title: t.amount, dataIndex: 'amount', render: (fen: number) => yuan(fen) },
    {
      title: t.receivable,
      dataIndex: 'receivableAmount',
      render: (fen: number) =>
        fen > 0 ? <Typography.Text type="danger">{yuan(fen)}</Typography.Text> : yuan(0),
    },
    {
      title: t.reasonLabel,
      dataIndex: 'reason',
      render: (code: string) => <Tooltip title={code}>{t.reason[code] ?? code}</Tooltip>,
    },
    ...(status === 'closed'
      ? [
          {
            title: t.resolutionLabel,
            key: 'resolution',
            render: (_: unknown, e: OfflineException) => (
              <Space direction="vertical" size={0}>
                <Tag
                  color={
                    e.resolution === 'recovered'
                      ? 'green'
                      : e.resolution === 'written_off'
                        ? 'orange'
                        : 'default'
                  }
                >
                  {t.resolution[e.resolution ?? ''] ?? '—'}
                </Tag>
                <Typography.Text type="secondary">
                  {e.resolvedAtMs ? when(e.resolvedAtMs) : ''} {e.resolutionNote ?? ''}
                </Typography.Text>
              </Space>
            ),
          },
        ]
      : []),
    ...(manage && status === 'open'
      ? [
          {
            title: t.actions,
            key: 'actions',
            render: (_: unknown, e: OfflineException) => (
              <Space>
                {e.receivableAmount > 0 && e.cardNo ? (
                  <Button
                    size="small"
                    type="primary"
                    onClick={() => setActing({ exception: e, action: 'recover' })}
                  >
                    {t.recover}
                  </Button>
                ) : null}
                {e.receivableAmount > 0 ? (
                  <Button
                    size="small"
                    danger
                    onClick={() => setActing({ exception: e, action: 'write_off' })}
                  >
                    {t.writeOff}
                  </Button>
                ) : (
                  <Button size="small" onClick={() => setActing({ exception: e, action: 'dismiss' })}>
                    {t.dismiss}
                  </Button>
                )}
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
        <CampusExtra filter={byCampus} testId="offline-campus">
          <Segmented
            value={status}
            onChange={(v) => {
              setResult(null);
              setStatus(v as 'open' | 'closed');
            }}
            options={[
              { value: 'open', label: t.open },
              { value: 'closed', label: t.closed },
            ]}
          />
        </CampusExtra>
      }
    >
      <CampusScopeNote me={me} campuses={byCampus.campuses} />
      <ErrorAlert error={error} onClose={() => setError(null)} />
      {result ? (
        <Alert type="success" message={result} style={{ marginBottom: 12 }} data-testid="offline-result" />
      ) : null}
      <Table rowKey="id" size="small" dataSource={items} pagination={false} columns={columns} />
      <LoadMore more={more} onLoad={loadMore} />
      {acting ? (
        <ResolveDialog
          exception={acting.exception}
          action={acting.action}
          onClose={(done) => {
            setActing(null);
            if (!done) return;
            setError(null);
            const amount = done.resolution === 'dismissed' ? '' : ` ${yuan(done.receivableAmount)}`;
            setResult(
              `${done.replayed ? `${t.replayed}：` : ''}${t.done(actionLabel[acting.action], amount)}`,
            );
            reload();
          }}
        />
      ) : null}
    </Card>
  );
}

/** The reason dialog: one request id per opened dialog, so a double click or a retry acts once. */
function ResolveDialog({
  exception,
  action,
  onClose,
}: {
  exception: OfflineException;
  action: Action;
  onClose: (done?: OfflineException) => void;
}) {
  const [requestId] = useState(newRequestId);
  const [note, setNote] = useState('');
  const { busy, error, setError, submit: run } = useSubmit();
  const amount = yuan(exception.receivableAmount);
  const hint =
    action === 'recover'
      ? t.recoverHint(amount)
      : action === 'write_off'
        ? t.writeOffHint(amount)
        : t.dismissHint;
  const submit = async () => {
    if (!note.trim()) {
      setError(t.noteRequired);
      return;
    }
    await run(async () =>
      onClose(
        await api<OfflineException>('POST', `/offline-exceptions/${exception.id}/resolve`, {
          action,
          requestId,
          note: note.trim(),
        }),
      ),
    );
  };
  return (
    <NoteDialog
      title={t.dialogTitle(actionLabel[action], deviceOf(exception.deviceId))}
      okText={t.confirm}
      danger={action === 'write_off'}
      busy={busy}
      intro={
        <Alert
          type={action === 'write_off' ? 'warning' : 'info'}
          message={hint}
          style={{ marginBottom: 12 }}
        />
      }
      noteLabel={t.note}
      noteRequired
      rows={3}
      note={note}
      onNote={setNote}
      error={error}
      onOk={submit}
      onCancel={() => onClose()}
    />
  );
}
