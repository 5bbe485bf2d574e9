import type { SettlementException } from '@campus-card/core/contract';
import { App, Button, Descriptions, Space, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, type Me, yuan } from '../../api.ts';
import { confirmMoney } from '../../components/confirm.tsx';
import { NoteDialog, useSubmit } from '../../components/list-blocks.tsx';
import { amountInWords } from '../../components/money.ts';
import { describeFederationError, federationText as t } from '../../strings.ts';
import type { SettlementView } from './FederationPage.tsx';

// Settling one of a day's inter-centre exceptions by hand (docs/federation.md § Settling an exception):
// one admin proposes — 采纳对方金额 (the line at the other centre's figure) or 按本方核销 (closed at ours) —
// with a reason; a second admin approves it, seeing the figure and its 大写, or rejects it. The core
// refuses the proposer approving and audits every step.

type Action = 'accept_theirs' | 'write_off';
const stateColor: Record<SettlementException['state'], string> = {
  open: 'red',
  reasked: 'blue',
  proposed: 'orange',
  resolved: 'green',
};

/** The line's figure once settled by the action. */
const settledBy = (e: SettlementException, action: Action) =>
  (action === 'accept_theirs' ? e.theirAmount : e.ourAmount) ?? 0;

export function ExceptionState({ e }: { e: SettlementException }) {
  return (
    <Space direction="vertical" size={0}>
      <Tag color={stateColor[e.state]}>{t.exceptionState[e.state]}</Tag>
      {e.resolution ? (
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>
          {t.resolutionAction[e.resolution.action]}：{yuan(e.resolution.settledAmount)}（
          {amountInWords(e.resolution.settledAmount)}）· {e.resolution.reason}
        </Typography.Text>
      ) : null}
    </Space>
  );
}

/** The actions on one exception for an admin who may settle, while the day's net is not recorded. */
export function ExceptionActions(props: {
  me: Me;
  e: SettlementException;
  path: string;
  centreName: string;
  onSettlement: (s: SettlementView) => void;
}) {
  const { me, e, path, centreName, onSettlement } = props;
  const { modal } = App.useApp();
  const [proposing, setProposing] = useState<Action | null>(null);
  const [reason, setReason] = useState('');
  const { busy, error, setError, submit } = useSubmit(describeFederationError);
  const key = { direction: e.direction, operationId: e.operationId };
  const decide = (decision: 'approve' | 'reject') =>
    api<{ settlement: SettlementView }>('POST', `${path}/exceptions/decide`, { ...key, decision }).then((r) =>
      onSettlement(r.settlement),
    );

  if (e.state === 'resolved') return null;
  if (e.state === 'reasked') return <Typography.Text type="secondary">{t.reaskedNote}</Typography.Text>;
  if (e.state === 'proposed' && e.resolution) {
    const resolution = e.resolution;
    if (resolution.makerId === me.adminId)
      return <Typography.Text type="secondary">{t.awaitingChecker}</Typography.Text>;
    return (
      <Space>
        <Button
          size="small"
          type="primary"
          onClick={() =>
            confirmMoney(modal, {
              title: `${t.approve}：${centreName} ${e.operationId}`,
              amountFen: resolution.settledAmount,
              amountLabel: t.settledAmount,
              details: [
                [t.directionLabel, t.direction[e.direction] ?? e.direction],
                [t.handling, t.resolutionAction[resolution.action]],
                [t.ourAmount, e.ourAmount === null ? '—' : yuan(e.ourAmount)],
                [t.theirAmount, e.theirAmount === null ? '—' : yuan(e.theirAmount)],
                [t.resolutionReason, resolution.reason],
              ],
              note: t.approveNote,
              okText: `确认${t.approve}`,
              onOk: () =>
                decide('approve').catch((err) => {
                  modal.error({ title: describeFederationError(err) });
                }),
            })
          }
        >
          {t.approve}
        </Button>
        <Button
          size="small"
          danger
          onClick={() =>
            modal.confirm({
              title: `${t.reject}：${e.operationId}`,
              content: t.rejectNote,
              okText: `确认${t.reject}`,
              cancelText: '取消',
              onOk: () =>
                decide('reject').catch((err) => {
                  modal.error({ title: describeFederationError(err) });
                }),
            })
          }
        >
          {t.reject}
        </Button>
      </Space>
    );
  }
  const open = (action: Action) => {
    setReason('');
    setError(null);
    setProposing(action);
  };
  const propose = (action: Action) => {
    if (reason.trim().length < 2) {
      setError(t.reasonRequired);
      return;
    }
    return submit(async () => {
      const r = await api<{ settlement: SettlementView }>('POST', `${path}/exceptions/propose`, {
        ...key,
        action,
        reason: reason.trim(),
      });
      setProposing(null);
      onSettlement(r.settlement);
    });
  };
  return (
    <>
      <Space>
        <Button size="small" onClick={() => open('accept_theirs')}>
          {t.resolutionAction.accept_theirs}
        </Button>
        <Button size="small" onClick={() => open('write_off')}>
          {t.resolutionAction.write_off}
        </Button>
      </Space>
      {proposing ? (
        <NoteDialog
          title={`${t.resolutionAction[proposing]}：${e.operationId}`}
          okText={t.submitForReview}
          busy={busy}
          intro={
            <Descriptions
              size="small"
              column={1}
              bordered
              style={{ marginBottom: 12 }}
              items={[
                { key: 'd', label: t.directionLabel, children: t.direction[e.direction] ?? e.direction },
                { key: 'k', label: '差异类型', children: t.kind[e.kind] ?? '差异' },
                { key: 'o', label: t.ourAmount, children: e.ourAmount === null ? '—' : yuan(e.ourAmount) },
                {
                  key: 't',
                  label: t.theirAmount,
                  children: e.theirAmount === null ? '—' : yuan(e.theirAmount),
                },
                {
                  key: 's',
                  label: t.settledAmount,
                  children: (
                    <span data-testid="settled-amount">
                      <strong>{yuan(settledBy(e, proposing))}</strong>（
                      {amountInWords(settledBy(e, proposing))}）
                    </span>
                  ),
                },
              ]}
            />
          }
          noteLabel={t.resolutionReason}
          noteRequired
          rows={2}
          note={reason}
          onNote={setReason}
          error={error}
          onOk={() => propose(proposing)}
          onCancel={() => setProposing(null)}
        />
      ) : null}
    </>
  );
}
