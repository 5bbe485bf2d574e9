import { idTailPattern } from '@campus-card/core/contract/limits';
import { Button, Input, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { IdentityProofFields } from '../../components/IdentityProofFields.tsx';
import { PinPad } from '../../components/PinPad.tsx';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { formatFen, parseYuan } from '../../lib/money.ts';
import { routeParam } from '../../lib/route.ts';
import { api, credentials } from '../../services/api.ts';
import { proofOf } from '../../services/binding.ts';
import {
  actionsFor,
  type CancelLossProof,
  type CardAction,
  changeCardStatus,
  getCard,
  isValidPin,
  type PinProof,
  setDailyLimit,
  setPin,
} from '../../services/card.ts';
import { askMessageConsent, preloadMessageTemplates } from '../../services/messages.ts';
import { ApiError } from '../../services/request.ts';
import { strings } from '../../strings.ts';
import { cardAlertStrings } from './strings.ts';

const labels: Record<CardAction, { button: string; confirm: string }> = {
  report_loss: { button: strings.cardActions.reportLoss, confirm: strings.cardActions.confirmReportLoss },
  cancel_loss: { button: strings.cardActions.cancelLoss, confirm: strings.cardActions.confirmCancelLoss },
  freeze: { button: strings.cardActions.freeze, confirm: strings.cardActions.confirmFreeze },
  unfreeze: { button: strings.cardActions.unfreeze, confirm: strings.cardActions.confirmUnfreeze },
};

/**
 * Setting the PIN, one pad at a time: changing it asks the current PIN, then the new one twice; the
 * first PIN and a forgotten one's reset ask the identity proof (name and activation code or ID tail)
 * instead of the current PIN.
 */
type PinMode = 'change' | 'first' | 'forgot';
type PinStep = 'current' | 'new' | 'repeat';

/** The ID tail is 6 characters ending in a digit or X; anything else is the activation code. */
function identityOf(name: string, proofText: string): PinProof['identity'] {
  const proof = proofText.trim();
  if (name.trim() === '' || proof === '') return undefined;
  return { name: name.trim(), ...(idTailPattern.test(proof) ? { secret: proof } : proofOf(proof, '')) };
}

export default function CardActionsPage() {
  const remote = useRemote(() => getCard(api), []);
  // Opened from the abnormal-spending alert (its message or notice): the alert above the freeze button.
  const fromAlert = routeParam(useRouter().params.alert) === '1';
  useEffect(() => preloadMessageTemplates(api), []);
  const [message, setMessage] = useState<{ ok: boolean; text: string }>();
  const [pinMode, setPinMode] = useState<PinMode>();
  const [pinStep, setPinStep] = useState<PinStep>('new');
  const [currentPin, setCurrentPin] = useState('');
  const [newPin, setNewPin] = useState('');
  const [repeatPin, setRepeatPin] = useState('');
  const [pinName, setPinName] = useState('');
  const [pinProof, setPinProof] = useState('');
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
    // Told when someone else changes the card later (a parent, the card centre): its one-time consent.
    if (action === 'report_loss') void askMessageConsent(api, ['card_status']);
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

  function cancelLossProof(): CancelLossProof {
    const identity = identityOf(cancelName, cancelProof);
    return { ...(cancelPin !== '' ? { pin: cancelPin } : {}), ...(identity ? { identity } : {}) };
  }

  function startPin(mode: PinMode | undefined) {
    setPinMode(mode);
    setPinStep(mode === 'change' ? 'current' : 'new');
    setCurrentPin('');
    setNewPin('');
    setRepeatPin('');
    setMessage(undefined);
  }

  /** Each pad moves on by itself once its 6 digits are in; the last one sends. */
  function onPinDigits(step: PinStep, value: string) {
    if (step === 'current') {
      setCurrentPin(value);
      if (isValidPin(value)) setPinStep('new');
    } else if (step === 'new') {
      setNewPin(value);
      if (isValidPin(value)) setPinStep('repeat');
    } else {
      setRepeatPin(value);
      if (isValidPin(value)) void onPin(value);
    }
  }

  async function onPin(repeated: string) {
    if (repeated !== newPin) {
      setMessage({ ok: false, text: strings.cardActions.pinMismatch });
      setNewPin('');
      setRepeatPin('');
      setPinStep('new');
      return;
    }
    const identity = identityOf(pinName, pinProof);
    if (pinMode !== 'change' && identity === undefined) {
      setMessage({ ok: false, text: strings.cardActions.pinIdentityMissing });
      setRepeatPin('');
      return;
    }
    const proof: PinProof = pinMode === 'change' ? { currentPin } : { identity };
    const forgot = pinMode === 'forgot';
    await run(async () => {
      try {
        await setPin(api, newPin, proof);
      } catch (caught) {
        // Start again from the first pad of this mode; the proof fields stay for a retry.
        startPin(pinMode);
        throw caught;
      }
      startPin(undefined);
      setPinProof('');
      remote.reload();
      return forgot ? strings.cardActions.pinReset : strings.cardActions.done;
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
            {fromAlert && card.status === 'active' ? (
              <Text id="card-alert" className="form-error">
                {cardAlertStrings.alert}
              </Text>
            ) : null}
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
                  <IdentityProofFields
                    idPrefix="cancel"
                    name={cancelName}
                    proof={cancelProof}
                    onName={setCancelName}
                    onProof={setCancelProof}
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
            <View className="section" id="pin-section">
              <Text className="section-title">{strings.cardActions.pinTitle}</Text>
              <Text className="form-hint">
                {card.hasPin ? strings.cardActions.pinIsSet : strings.cardActions.pinNotSet} ·{' '}
                {strings.cardActions.pinHint}
              </Text>
              {pinMode === undefined ? (
                card.hasPin ? (
                  <>
                    <Button id="pin-change" className="btn btn-plain" onClick={() => startPin('change')}>
                      {strings.cardActions.changePin}
                    </Button>
                    <Button id="pin-forgot" className="btn btn-plain" onClick={() => startPin('forgot')}>
                      {strings.cardActions.forgotPin}
                    </Button>
                  </>
                ) : (
                  <Button id="pin-first" className="btn btn-plain" onClick={() => startPin('first')}>
                    {strings.cardActions.setPin}
                  </Button>
                )
              ) : (
                <>
                  {pinMode !== 'change' ? (
                    <>
                      <Text className="form-hint">
                        {pinMode === 'first'
                          ? strings.cardActions.pinFirstHint
                          : strings.cardActions.pinForgotHint}
                      </Text>
                      <IdentityProofFields
                        idPrefix="pin"
                        name={pinName}
                        proof={pinProof}
                        onName={setPinName}
                        onProof={setPinProof}
                      />
                    </>
                  ) : null}
                  <PinPad
                    key={pinStep}
                    id={`pin-pad-${pinStep}`}
                    label={
                      pinStep === 'current'
                        ? strings.cardActions.currentPin
                        : pinStep === 'new'
                          ? strings.cardActions.newPin
                          : strings.cardActions.repeatPin
                    }
                    value={pinStep === 'current' ? currentPin : pinStep === 'new' ? newPin : repeatPin}
                    onChange={(value) => onPinDigits(pinStep, value)}
                  />
                  <Button id="pin-cancel" className="btn btn-plain" onClick={() => startPin(undefined)}>
                    {strings.cardActions.pinCancel}
                  </Button>
                </>
              )}
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
