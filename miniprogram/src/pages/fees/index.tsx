import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { labelOf, topUpChannelLabels } from '../../labels.ts';
import { formatFen, parseYuan } from '../../lib/money.ts';
import { api } from '../../services/api.ts';
import { type FeeBill, listFeeBills, payFee, payFeeByChannel } from '../../services/campus-payments.ts';
import { payPlacedOrder } from '../../services/platform.ts';
import { getTopUpLimits, newIdempotencyKey, type PayChannel } from '../../services/top-ups.ts';
import { strings } from '../../strings.ts';
import { feeChannelWords } from './fee-words.ts';

const words = strings.fees;
/** How this build pays a platform: the WeChat app WeChat Pay, the Alipay app Alipay, a browser either. */
const appChannel: PayChannel = process.env.TARO_ENV === 'alipay' ? 'alipay' : 'wechat';
type Method = 'card' | PayChannel;

/** The platforms this build can pay a fee with: in a browser those the server takes, in an app its own. */
async function offeredChannels(): Promise<readonly PayChannel[]> {
  try {
    const served = (await getTopUpLimits(api)).channels ?? [];
    return process.env.TARO_ENV === 'h5' ? served : served.filter((c) => c === appChannel);
  } catch {
    // Platform payments not configured here: the card alone.
    return [];
  }
}

function BillCard({
  bill,
  channels,
  onPaid,
}: {
  readonly bill: FeeBill;
  readonly channels: readonly PayChannel[];
  readonly onPaid: () => void;
}) {
  const owed = bill.amountDue - bill.amountPaid;
  const [custom, setCustom] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const [method, setMethod] = useState<Method>('card');
  const methodName = method === 'card' ? feeChannelWords.card : labelOf(topUpChannelLabels, method, method);
  const amount = bill.item.allowPartial && custom.trim() !== '' ? parseYuan(custom) : owed;
  const amountOk = amount !== undefined && amount > 0 && amount <= owed;

  async function onPay() {
    if (!amountOk || amount === undefined) {
      setError(strings.errors.feeAmountExceedsDue);
      return;
    }
    const answer = await Taro.showModal({
      title: words.confirmTitle,
      content:
        method === 'card'
          ? words.confirm(bill.item.name, formatFen(amount))
          : feeChannelWords.confirmBy(methodName, bill.item.name, formatFen(amount)),
    });
    if (!answer.confirm) return;
    setBusy(true);
    setError(undefined);
    try {
      if (method !== 'card') {
        const order = await payFeeByChannel(api, bill.id, { amount, channel: method }, newIdempotencyKey());
        if (!(await payPlacedOrder(order, strings.topUp.cancelled))) return;
        await Taro.redirectTo({ url: `/pages/top-up-result/index?id=${encodeURIComponent(order.id)}` });
        return;
      }
      const payment = await payFee(api, bill.id, {
        id: newIdempotencyKey(),
        amount,
        ...(/^\d{6}$/.test(pin) ? { pin } : {}),
      });
      if (payment.status === 'paid') {
        setDone(words.done(payment.receiptNo));
        onPaid();
      } else setError(words.refused);
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className="section" id={`bill-${bill.item.code}`}>
      <Text className="section-title">{bill.item.name}</Text>
      <View className="kv">
        <Text className="kv-key">{words.owed}</Text>
        <Text className="bill-owed">{formatFen(owed)}</Text>
      </View>
      <View className="kv">
        <Text className="kv-key">{words.paid}</Text>
        <Text>{formatFen(bill.amountPaid)}</Text>
      </View>
      <Text className="row-sub">{`${words.due(bill.item.dueDay)} · ${words.status[bill.status]}`}</Text>
      {owed > 0 ? (
        <>
          {bill.item.allowPartial ? (
            <View className="form-field">
              <Text className="form-label">{`${words.amount} · ${words.partialAllowed}`}</Text>
              <Input
                className="form-input fee-amount"
                aria-label={`${words.amount} · ${words.partialAllowed}`}
                type="digit"
                value={custom}
                onInput={(e) => setCustom(e.detail.value)}
              />
            </View>
          ) : null}
          {channels.length > 0 ? (
            <>
              <Text className="form-label">{feeChannelWords.method}</Text>
              <View className="presets">
                {(['card', ...channels] as const).map((m) => (
                  <View
                    key={m}
                    className={`preset fee-method-${m} ${method === m ? 'preset-on' : ''}`}
                    onClick={() => setMethod(m)}
                  >
                    <Text>{m === 'card' ? feeChannelWords.card : labelOf(topUpChannelLabels, m, m)}</Text>
                  </View>
                ))}
              </View>
            </>
          ) : null}
          {method === 'card' ? (
            <View className="form-field">
              <Text className="form-label">{words.pin}</Text>
              <Input
                className="form-input fee-pin"
                aria-label={words.pin}
                type="number"
                password
                maxlength={6}
                value={pin}
                onInput={(e) => setPin(e.detail.value)}
              />
            </View>
          ) : null}
          {error ? <Text className="form-error">{error}</Text> : null}
          <Button className="btn btn-primary fee-pay" disabled={busy || !amountOk} onClick={onPay}>
            {method === 'card'
              ? words.pay(amountOk && amount !== undefined ? formatFen(amount) : '')
              : feeChannelWords.payBy(methodName, amountOk && amount !== undefined ? formatFen(amount) : '')}
          </Button>
        </>
      ) : null}
      {done ? <Text className="form-hint fee-done">{done}</Text> : null}
    </View>
  );
}

/** Fees the student owes (tuition, accommodation, exams, textbooks …), paid from the card with a receipt. */
export default function FeesPage() {
  const bills = useRemote(() => listFeeBills(api), []);
  const channels = useRemote(offeredChannels, []);
  const items = bills.data?.items ?? [];
  return (
    <View className="page page-fees">
      <StateView
        loading={bills.loading && bills.data === undefined}
        error={bills.error}
        onRetry={bills.reload}
        empty={items.length === 0}
        emptyText={words.empty}
      >
        {items.map((bill) => (
          <BillCard key={bill.id} bill={bill} channels={channels.data ?? []} onPaid={bills.reload} />
        ))}
      </StateView>
    </View>
  );
}
