import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { formatFen, parseYuan } from '../../lib/money.ts';
import { api } from '../../services/api.ts';
import { type FeeBill, listFeeBills, payFee } from '../../services/campus-payments.ts';
import { newIdempotencyKey } from '../../services/top-ups.ts';
import { strings } from '../../strings.ts';

const words = strings.fees;

function BillCard({ bill, onPaid }: { readonly bill: FeeBill; readonly onPaid: () => void }) {
  const owed = bill.amountDue - bill.amountPaid;
  const [custom, setCustom] = useState('');
  const [pin, setPin] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const amount = bill.item.allowPartial && custom.trim() !== '' ? parseYuan(custom) : owed;
  const amountOk = amount !== undefined && amount > 0 && amount <= owed;

  async function onPay() {
    if (!amountOk || amount === undefined) {
      setError(strings.errors.feeAmountExceedsDue);
      return;
    }
    const answer = await Taro.showModal({
      title: words.confirmTitle,
      content: words.confirm(bill.item.name, formatFen(amount)),
    });
    if (!answer.confirm) return;
    setBusy(true);
    setError(undefined);
    try {
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
                type="digit"
                value={custom}
                onInput={(e) => setCustom(e.detail.value)}
              />
            </View>
          ) : null}
          <View className="form-field">
            <Text className="form-label">{words.pin}</Text>
            <Input
              className="form-input fee-pin"
              type="number"
              password
              maxlength={6}
              value={pin}
              onInput={(e) => setPin(e.detail.value)}
            />
          </View>
          {error ? <Text className="form-error">{error}</Text> : null}
          <Button className="btn btn-primary fee-pay" disabled={busy || !amountOk} onClick={onPay}>
            {words.pay(amountOk && amount !== undefined ? formatFen(amount) : '')}
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
          <BillCard key={bill.id} bill={bill} onPaid={bills.reload} />
        ))}
      </StateView>
    </View>
  );
}
