import { Button, Text, Textarea, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import './dispute.css';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { disputeReasonOrder, disputeStrings as words } from '../../dispute-strings.ts';
import { formatFen } from '../../lib/money.ts';
import { api } from '../../services/api.ts';
import { type DisputeReason, disputesOfPayment, openDispute } from '../../services/disputes.ts';
import type { Transaction } from '../../services/types.ts';

const newRequestId = () => `d${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

/**
 * 消费纠错 on a payment's detail: the latest dispute's state and outcome, or — when none is waiting and
 * something is left to refund — a form (reason, optional note) that asks to confirm with the amount.
 */
export function DisputeSection({ row }: { readonly row: Transaction }) {
  const remote = useRemote(() => disputesOfPayment(api, row.id), [row.id]);
  const [formOpen, setFormOpen] = useState(false);
  const [reason, setReason] = useState<DisputeReason | undefined>();
  const [note, setNote] = useState('');
  const [requestId, setRequestId] = useState(newRequestId);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const paid = Math.abs(row.amount);
  const amountText = formatFen(paid);
  const latest = remote.data?.items[0];
  const waiting = latest?.status === 'open' || latest?.status === 'refunding';
  const refundable = paid - (row.refundedAmount ?? 0) > 0;

  async function submit() {
    if (!reason) {
      setError(words.chooseReason);
      return;
    }
    const { confirm } = await Taro.showModal({
      title: words.confirmTitle,
      content: words.confirm(amountText, words.reasons[reason]),
    });
    if (!confirm) return;
    setBusy(true);
    setError(undefined);
    try {
      const trimmed = note.trim();
      await openDispute(api, { requestId, paymentId: row.id, reason, ...(trimmed ? { note: trimmed } : {}) });
      await Taro.showToast({ title: words.submitted, icon: 'none' });
      setFormOpen(false);
      setRequestId(newRequestId());
      remote.reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className="dispute-block" id="dispute">
      {latest ? (
        <>
          <View className="kv" id="dispute-state">
            <Text className="kv-key">{words.stateLabel}</Text>
            <Text>{words.statuses[latest.status]}</Text>
          </View>
          {latest.status === 'accepted' && latest.refundAmount ? (
            <View className="kv" id="dispute-refund">
              <Text className="kv-key">{words.refundLabel}</Text>
              <Text>{formatFen(latest.refundAmount)}</Text>
            </View>
          ) : null}
          {latest.decisionNote && (latest.status === 'accepted' || latest.status === 'rejected') ? (
            <View className="kv" id="dispute-answer">
              <Text className="kv-key">{words.answerLabel}</Text>
              <Text>{latest.decisionNote}</Text>
            </View>
          ) : null}
        </>
      ) : null}
      {!waiting && refundable && !remote.loading && !formOpen ? (
        <Button className="btn btn-plain" id="dispute-open" onClick={() => setFormOpen(true)}>
          {words.open}
        </Button>
      ) : null}
      {formOpen ? (
        <View id="dispute-form">
          <Text className="row-sub">{words.intro(amountText)}</Text>
          <Text className="form-label">{words.reasonLabel}</Text>
          <View className="dispute-reasons">
            {disputeReasonOrder.map((r) => (
              <Button
                key={r}
                id={`dispute-reason-${r}`}
                className={`btn btn-small ${reason === r ? 'btn-primary' : 'btn-plain'}`}
                onClick={() => setReason(r)}
              >
                {words.reasons[r]}
              </Button>
            ))}
          </View>
          <Text className="form-label">{words.noteLabel}</Text>
          <Textarea
            id="dispute-note"
            className="form-textarea"
            maxlength={200}
            placeholder={words.notePlaceholder}
            value={note}
            onInput={(e) => setNote(e.detail.value)}
          />
          {error ? <Text className="form-error">{error}</Text> : null}
          <Button className="btn btn-primary" id="dispute-submit" disabled={busy} onClick={submit}>
            {busy ? words.submitting : words.submit}
          </Button>
          <Button className="btn btn-plain" onClick={() => setFormOpen(false)}>
            {words.cancel}
          </Button>
        </View>
      ) : null}
    </View>
  );
}
