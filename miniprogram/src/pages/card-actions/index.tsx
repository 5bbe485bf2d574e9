import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { formatFen, parseYuan } from '../../lib/money.ts';
import { api, credentials } from '../../services/api.ts';
import { proofOf } from '../../services/binding.ts';
import {
  actionsFor,
  type CancelLossProof,
  type CardAction,
  changeCardStatus,
  getCard,
  isValidPin,
  setDailyLimit,
  setPin,
} from '../../services/card.ts';
import { ApiError } from '../../services/request.ts';
import { strings } from '../../strings.ts';

const labels: Record<CardAction, { button: string; confirm: string }> = {
  report_loss: { button: strings.cardActions.reportLoss, confirm: strings.cardActions.confirmReportLoss },
  cancel_loss: { button: strings.cardActions.cancelLoss, confirm: strings.cardActions.confirmCancelLoss },
  freeze: { button: strings.cardActions.freeze, confirm: strings.cardActions.confirmFreeze },
  unfreeze: { button: strings.cardActions.unfreeze, confirm: strings.cardActions.confirmUnfreeze },
};

export default function CardActionsPage() {
  const remote = useRemote(() => getCard(api), []);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [currentPin, setCurrentPin] = useState('');
  const [newPin, setNewPin] = useState('');
  const [limit, setLimit] = useState('');
  const [limitPin, setLimitPin] = useState('');
  // Cancelling a loss: the card PIN, and for a loss a parent or the card centre reported, an identity proof.
  const [cancelPin, setCancelPin] = useState('');
  const [cancelName, setCancelName] = useState('');
  const [cancelProof, setCancelProof] = useState('');
  const card = remote.data;

  async function run(work: () => Promise<string>) {
    setMessage(undefined);
    try {
      setMessage({ ok: true, text: await work() });
    } catch (caught) {
      setMessage({ ok: false, text: messageOf(caught) });
    }
  }

  async function onAction(action: CardAction) {
    const answer = await Taro.showModal({ content: labels[action].confirm });
    if (!answer.confirm) return;
    await run(async () => {
      const reopens = action === 'cancel_loss' || action === 'unfreeze';
      const result = await changeCardStatus(api, action, reopens ? cancelLossProof() : {});
      if (reopens) {
        setCancelPin('');
        setCancelProof('');
      }
      // Every status change bumps the card version: the old certificate is dead, get the next one.
      credentials.clear();
      remote.reload();
      return result.changed ? strings.cardActions.done : strings.cardActions.unchanged;
    });
  }

  /** The ID tail is 6 characters ending in a digit or X; anything longer is the activation code. */
  function cancelLossProof(): CancelLossProof {
    const proof = cancelProof.trim();
    const identity =
      cancelName.trim() !== '' && proof !== ''
        ? {
            name: cancelName.trim(),
            ...(/^[0-9]{5}[0-9Xx]$/.test(proof) ? { secret: proof } : proofOf(proof, '')),
          }
        : undefined;
    return { ...(cancelPin !== '' ? { pin: cancelPin } : {}), ...(identity ? { identity } : {}) };
  }

  async function onPin() {
    if (!isValidPin(newPin) || (currentPin !== '' && !isValidPin(currentPin))) {
      setMessage({ ok: false, text: strings.cardActions.pinInvalid });
      return;
    }
    await run(async () => {
      await setPin(api, newPin, currentPin || undefined);
      setCurrentPin('');
      setNewPin('');
      return strings.cardActions.done;
    });
  }

  async function onLimit() {
    const fen = parseYuan(limit);
    if (fen === undefined) {
      setMessage({ ok: false, text: strings.errors.validation });
      return;
    }
    if (limitPin !== '' && !isValidPin(limitPin)) {
      setMessage({ ok: false, text: strings.cardActions.pinInvalid });
      return;
    }
    if (card?.dailyLimitMax !== undefined && fen > card.dailyLimitMax) {
      setMessage({ ok: false, text: strings.errors.limitTooHigh });
      return;
    }
    await run(async () => {
      try {
        await setDailyLimit(api, fen, limitPin || undefined);
        setLimitPin('');
      } catch (caught) {
        // Here LIMIT_EXCEEDED means "above the school's maximum", not "spent too much today".
        if (caught instanceof ApiError && caught.code === 'LIMIT_EXCEEDED') {
          throw new ApiError(caught.code, caught.status, strings.errors.limitTooHigh);
        }
        throw caught;
      }
      remote.reload();
      return strings.cardActions.done;
    });
  }

  return (
    <View className="page page-card-actions">
      <StateView loading={remote.loading} error={remote.error} onRetry={remote.reload}>
        {card ? (
          <>
            {message ? <Text className={message.ok ? 'form-ok' : 'form-error'}>{message.text}</Text> : null}
            <View className="section">
              <View className="kv">
                <Text className="kv-key">{strings.card.cardNo}</Text>
                <Text>{card.cardNo}</Text>
              </View>
              <View className="kv">
                <Text className="kv-key">{strings.cardActions.title}</Text>
                <Text id="card-status">{strings.card.status[card.status] ?? ''}</Text>
              </View>
              {card.status === 'lost' || card.status === 'frozen' ? (
                <>
                  <Text className="form-hint">{strings.cardActions.cancelLossHint}</Text>
                  <Input
                    id="cancel-pin"
                    className="form-input"
                    type="number"
                    password
                    maxlength={6}
                    placeholder={strings.cardActions.cancelLossPin}
                    value={cancelPin}
                    onInput={(event) => setCancelPin(event.detail.value)}
                  />
                  <Input
                    id="cancel-name"
                    className="form-input"
                    placeholder={strings.cardActions.cancelLossName}
                    value={cancelName}
                    onInput={(event) => setCancelName(event.detail.value)}
                  />
                  <Input
                    id="cancel-proof"
                    className="form-input"
                    password
                    maxlength={12}
                    placeholder={strings.cardActions.cancelLossCode}
                    value={cancelProof}
                    onInput={(event) => setCancelProof(event.detail.value)}
                  />
                </>
              ) : null}
              {actionsFor(card.status).map((action) => (
                <Button
                  key={action}
                  id={`action-${action}`}
                  className={
                    action === 'report_loss' || action === 'freeze' ? 'btn btn-danger' : 'btn btn-plain'
                  }
                  onClick={() => void onAction(action)}
                >
                  {labels[action].button}
                </Button>
              ))}
            </View>
            <View className="section">
              <Text className="section-title">{strings.cardActions.pinTitle}</Text>
              <Text className="form-hint">{strings.cardActions.pinHint}</Text>
              <Input
                className="form-input"
                type="number"
                password
                maxlength={6}
                placeholder={strings.cardActions.currentPin}
                value={currentPin}
                onInput={(event) => setCurrentPin(event.detail.value)}
              />
              <Input
                className="form-input"
                type="number"
                password
                maxlength={6}
                placeholder={strings.cardActions.newPin}
                value={newPin}
                onInput={(event) => setNewPin(event.detail.value)}
              />
              <Button className="btn btn-plain" onClick={() => void onPin()}>
                {strings.cardActions.setPin}
              </Button>
            </View>
            <View className="section">
              <Text className="section-title">{strings.cardActions.limitTitle}</Text>
              <Text className="form-hint">
                {card.dailyLimit !== undefined ? formatFen(card.dailyLimit) : ''}
                {card.dailyLimitMax !== undefined
                  ? ` · ${strings.cardActions.limitHint(formatFen(card.dailyLimitMax))}`
                  : ''}
              </Text>
              <Input
                className="form-input"
                type="digit"
                placeholder={strings.topUp.customPlaceholder}
                value={limit}
                onInput={(event) => setLimit(event.detail.value)}
              />
              <Input
                id="limit-pin"
                className="form-input"
                type="number"
                password
                maxlength={6}
                placeholder={strings.cardActions.limitPin}
                value={limitPin}
                onInput={(event) => setLimitPin(event.detail.value)}
              />
              <Button className="btn btn-plain" onClick={() => void onLimit()}>
                {strings.cardActions.setLimit}
              </Button>
            </View>
          </>
        ) : null}
      </StateView>
    </View>
  );
}
