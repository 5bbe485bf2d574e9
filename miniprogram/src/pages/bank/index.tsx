import { Button, Input, Switch, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { bankStrings as words } from '../../bank-strings.ts';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { formatFen, parseYuan } from '../../lib/money.ts';
import { formatShortTime } from '../../lib/month.ts';
import { api } from '../../services/api.ts';
import {
  bankOverview,
  confirmBankBinding,
  loadFromBank,
  saveAutoTopUp,
  startBankBinding,
  unbindBank,
} from '../../services/bank.ts';
import { newIdempotencyKey } from '../../services/top-ups.ts';

const presets = [5_000, 10_000, 20_000];

/** Bank 圈存: bind a bank card (SMS code), load the card from it, and the auto top-up settings. */
export default function BankPage() {
  const overview = useRemote(() => bankOverview(api), []);
  const binding = overview.data?.binding ?? null;
  return (
    <View className="page page-bank">
      <StateView
        loading={overview.loading && overview.data === undefined}
        error={overview.error}
        onRetry={overview.reload}
      >
        {binding ? (
          <>
            <Bound masked={binding.masked} onChanged={overview.reload} />
            <AutoTopUpForm settings={overview.data?.autoTopUp ?? null} onSaved={overview.reload} />
          </>
        ) : (
          <BindForm onBound={overview.reload} />
        )}
        <View className="section" id="bank-leaving">
          <Text className="section-title">{words.leavingTitle}</Text>
          <Text className="form-hint">
            {binding ? words.leavingBound(binding.masked) : words.leavingUnbound}
          </Text>
        </View>
        <Text className="section-title">{words.records}</Text>
        {(overview.data?.transfers ?? []).map((t) => (
          <View className="row bank-transfer" key={t.id}>
            <View className="row-main">
              <Text className="row-title">{`${words.origin[t.origin] ?? ''} ${formatFen(t.amount)}`}</Text>
              <Text className="row-sub">{formatShortTime(t.createdAtMs)}</Text>
            </View>
            <Text className="bank-status">{words.status[t.status] ?? ''}</Text>
          </View>
        ))}
      </StateView>
    </View>
  );
}

function BindForm({ onBound }: { readonly onBound: () => void }) {
  const [cardNumber, setCardNumber] = useState('');
  const [idNumber, setIdNumber] = useState('');
  const [phone, setPhone] = useState('');
  const [code, setCode] = useState('');
  const [pending, setPending] = useState<{ id: string; tail: string }>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  async function onSend() {
    const card = cardNumber.replace(/\s/g, '');
    if (!/^\d{12,19}$/.test(card)) return setError(words.invalidCard);
    if (!/^\d{17}[\dXx]$/.test(idNumber.trim())) return setError(words.invalidId);
    if (!/^1\d{10}$/.test(phone.trim())) return setError(words.invalidPhone);
    setBusy(true);
    setError(undefined);
    try {
      const started = await startBankBinding(api, {
        bankCardNumber: card,
        idNumber: idNumber.trim().toUpperCase(),
        phone: phone.trim(),
      });
      setPending({ id: started.id, tail: started.phoneTail ?? '' });
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  async function onConfirm() {
    if (!pending) return;
    if (!/^\d{6}$/.test(code.trim())) return setError(words.invalidCode);
    setBusy(true);
    setError(undefined);
    try {
      await confirmBankBinding(api, { bindingId: pending.id, smsCode: code.trim() });
      onBound();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className="section bank-bind">
      <Text className="section-title">{words.bindTitle}</Text>
      <Text className="form-hint">{words.bindHint}</Text>
      <View className="form-field" id="bank-card">
        <Text className="form-label">{words.cardNumber}</Text>
        <Input
          aria-label={words.cardNumber}
          className="form-input"
          type="number"
          maxlength={19}
          value={cardNumber}
          onInput={(e) => setCardNumber(e.detail.value)}
        />
      </View>
      <View className="form-field" id="bank-id">
        <Text className="form-label">{words.idNumber}</Text>
        <Input
          aria-label={words.idNumber}
          className="form-input"
          type="idcard"
          maxlength={18}
          value={idNumber}
          onInput={(e) => setIdNumber(e.detail.value)}
        />
      </View>
      <View className="form-field" id="bank-phone">
        <Text className="form-label">{words.phone}</Text>
        <Input
          aria-label={words.phone}
          className="form-input"
          type="number"
          maxlength={11}
          value={phone}
          onInput={(e) => setPhone(e.detail.value)}
        />
      </View>
      <Button className="btn" id="bank-send" disabled={busy} onClick={onSend}>
        {words.sendCode}
      </Button>
      {pending ? (
        <>
          <Text className="form-hint" id="bank-sent">
            {words.codeSent(pending.tail)}
          </Text>
          <View className="form-field" id="bank-code">
            <Text className="form-label">{words.smsCode}</Text>
            <Input
              aria-label={words.smsCode}
              className="form-input"
              type="number"
              maxlength={6}
              value={code}
              onInput={(e) => setCode(e.detail.value)}
            />
          </View>
          <Button className="btn btn-primary" id="bank-confirm" disabled={busy} onClick={onConfirm}>
            {words.confirmBind}
          </Button>
        </>
      ) : null}
      {error ? <Text className="form-error">{error}</Text> : null}
    </View>
  );
}

function Bound({ masked, onChanged }: { readonly masked: string; readonly onChanged: () => void }) {
  const [preset, setPreset] = useState<number>(presets[0] ?? 5_000);
  const [custom, setCustom] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [outcome, setOutcome] = useState<string>();
  const amount = custom.trim() !== '' ? parseYuan(custom) : preset;
  const amountOk = amount !== undefined && amount >= 100 && amount <= 500_000;

  async function onLoad() {
    if (!amountOk || amount === undefined) return setError(words.range);
    const answer = await Taro.showModal({
      title: words.confirmTitle,
      content: words.confirm(formatFen(amount), masked),
    });
    if (!answer.confirm) return;
    setBusy(true);
    setError(undefined);
    setOutcome(undefined);
    try {
      const transfer = await loadFromBank(api, { amount, idempotencyKey: newIdempotencyKey() });
      setOutcome(words.outcome[transfer.status] ?? '');
      onChanged();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  async function onUnbind() {
    const answer = await Taro.showModal({ title: words.unbind, content: words.unbindConfirm });
    if (!answer.confirm) return;
    try {
      await unbindBank(api);
      onChanged();
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <View className="section bank-load">
      <Text className="kv-key" id="bank-bound">
        {words.bound(masked)}
      </Text>
      <Text className="section-title">{words.loadTitle}</Text>
      <View className="presets">
        {presets.map((p) => (
          <View
            key={p}
            id={`bank-preset-${p}`}
            className={`preset ${custom.trim() === '' && preset === p ? 'preset-on' : ''}`}
            onClick={() => {
              setPreset(p);
              setCustom('');
            }}
          >
            <Text>{formatFen(p)}</Text>
          </View>
        ))}
      </View>
      <View className="form-field" id="bank-custom">
        <Text className="form-label">{words.custom}</Text>
        <Input
          aria-label={words.custom}
          className="form-input"
          type="digit"
          value={custom}
          onInput={(e) => setCustom(e.detail.value)}
        />
      </View>
      {error ? <Text className="form-error">{error}</Text> : null}
      {outcome ? (
        <Text className="form-hint" id="bank-outcome">
          {outcome}
        </Text>
      ) : null}
      <Button className="btn btn-primary" id="bank-load" disabled={busy || !amountOk} onClick={onLoad}>
        {words.load(amountOk && amount !== undefined ? formatFen(amount) : '')}
      </Button>
      <Button className="btn btn-plain" id="bank-unbind" onClick={onUnbind}>
        {words.unbind}
      </Button>
    </View>
  );
}

const yuanText = (fen: number) => (fen / 100).toFixed(0);

function AutoTopUpForm({
  settings,
  onSaved,
}: {
  readonly settings: {
    enabled: boolean;
    threshold: number;
    amount: number;
    monthlyCap: number;
    monthUsed: number;
  } | null;
  readonly onSaved: () => void;
}) {
  const [enabled, setEnabled] = useState(settings?.enabled ?? false);
  const [threshold, setThreshold] = useState(yuanText(settings?.threshold ?? 2_000));
  const [amount, setAmount] = useState(yuanText(settings?.amount ?? 5_000));
  const [cap, setCap] = useState(yuanText(settings?.monthlyCap ?? 20_000));
  const [message, setMessage] = useState<string>();
  const [error, setError] = useState<string>();
  useEffect(() => setEnabled(settings?.enabled ?? false), [settings?.enabled]);

  async function onSave() {
    const t = parseYuan(threshold);
    const a = parseYuan(amount);
    const c = parseYuan(cap);
    if (
      t === undefined ||
      a === undefined ||
      c === undefined ||
      t < 0 ||
      t > 100_000 ||
      a < 100 ||
      a > 100_000 ||
      c < a ||
      c > 500_000
    )
      return setError(words.autoRange);
    const answer = await Taro.showModal({
      title: words.autoTitle,
      content: enabled ? words.autoConfirm(formatFen(a), formatFen(t), formatFen(c)) : words.autoOffConfirm,
    });
    if (!answer.confirm) return;
    setError(undefined);
    try {
      await saveAutoTopUp(api, { enabled, threshold: t, amount: a, monthlyCap: c });
      setMessage(words.autoSaved);
      onSaved();
    } catch (caught) {
      setError(messageOf(caught));
    }
  }

  return (
    <View className="section bank-auto">
      <Text className="section-title">{words.autoTitle}</Text>
      <Text className="form-hint">{words.autoHint}</Text>
      <View className="kv">
        <Text className="kv-key">{words.autoEnabled}</Text>
        <Switch id="bank-auto-on" checked={enabled} onChange={(e) => setEnabled(e.detail.value)} />
      </View>
      <View className="form-field" id="bank-threshold">
        <Text className="form-label">{words.threshold}</Text>
        <Input
          aria-label={words.threshold}
          className="form-input"
          type="digit"
          value={threshold}
          onInput={(e) => setThreshold(e.detail.value)}
        />
      </View>
      <View className="form-field" id="bank-auto-amount">
        <Text className="form-label">{words.autoAmount}</Text>
        <Input
          aria-label={words.autoAmount}
          className="form-input"
          type="digit"
          value={amount}
          onInput={(e) => setAmount(e.detail.value)}
        />
      </View>
      <View className="form-field" id="bank-cap">
        <Text className="form-label">{words.monthlyCap}</Text>
        <Input
          aria-label={words.monthlyCap}
          className="form-input"
          type="digit"
          value={cap}
          onInput={(e) => setCap(e.detail.value)}
        />
      </View>
      {settings ? <Text className="row-sub">{words.monthUsed(formatFen(settings.monthUsed))}</Text> : null}
      {error ? <Text className="form-error">{error}</Text> : null}
      {message ? <Text className="form-hint">{message}</Text> : null}
      <Button className="btn" id="bank-auto-save" onClick={onSave}>
        {words.autoSave}
      </Button>
    </View>
  );
}
