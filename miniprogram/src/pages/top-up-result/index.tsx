import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { messageOf } from '../../components/use-remote.ts';
import { formatFen } from '../../lib/money.ts';
import { routeParam } from '../../lib/route.ts';
import { api } from '../../services/api.ts';
import { getFeeReceipt } from '../../services/campus-payments.ts';
import { getCard } from '../../services/card.ts';
import { followTopUp, isFinal } from '../../services/top-ups.ts';
import type { TopUpOrder } from '../../services/types.ts';
import { strings } from '../../strings.ts';
import { uxStrings } from '../../ux-strings.ts';
import { feeChannelWords } from '../fees/fee-words.ts';

export default function TopUpResultPage() {
  const params = useRouter().params;
  const id = routeParam(params.id);
  // The payment page (or the platform's cashier) says when the payer backed out: ?cancelled=1.
  const cancelled = params.cancelled === '1';
  const [balance, setBalance] = useState<number>();
  const [receiptNo, setReceiptNo] = useState<string>();
  const [order, setOrder] = useState<TopUpOrder>();
  const [history, setHistory] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (!id) return;
    let live = true;
    followTopUp(
      api,
      id,
      (next) => {
        if (!live) return;
        setOrder(next);
        setHistory((seen) => (seen[seen.length - 1] === next.status ? seen : [...seen, next.status]));
      },
      cancelled ? { attemptsMax: 1 } : {},
    )
      .then(async (last) => {
        if (!live) return;
        setDone(true);
        // Credited: the new balance, read once the money is on the card (the student's own card; a
        // parent's top-up for a child has no card view of the child here).
        if (last.status !== 'credited') return;
        // A fee paid by platform never reaches the card: its receipt instead of a balance line.
        if (last.feeBillId) {
          getFeeReceipt(api, last.id).then(
            (receipt) => live && setReceiptNo(receipt.receiptNo),
            () => undefined,
          );
          return;
        }
        try {
          const card = await getCard(api);
          if (live && (last.cardNo === undefined || last.cardNo === card.cardNo))
            setBalance(card.balance.main + card.balance.subsidy);
        } catch {
          // No balance line: the result itself stands.
        }
      })
      .catch((caught: unknown) => live && setError(messageOf(caught)));
    return () => {
      live = false;
    };
  }, [id, cancelled]);

  // A fee paid by WeChat Pay or Alipay is followed here too, in the words of a fee.
  const stateWords = order?.feeBillId ? feeChannelWords.state : strings.topUp.state;
  return (
    <View className="page page-top-up-result">
      <StateView loading={order === undefined && error === undefined} error={error}>
        {order ? (
          <View className="section">
            <Text className="big-number">{formatFen(order.amount)}</Text>
            <Text className="section-title" id="top-up-state">
              {stateWords[order.status] ?? ''}
            </Text>
            {history.map((status) => (
              <Text key={status} className="row-sub" style={{ display: 'block' }}>
                {`✓ ${stateWords[status] ?? ''}`}
              </Text>
            ))}
            {order.status === 'created' ? (
              <Text className="form-hint" id="top-up-not-paid">
                {cancelled ? uxStrings.topUpResult.cancelled : uxStrings.topUpResult.notPaid}
              </Text>
            ) : done && !isFinal(order.status) ? (
              <Text className="form-hint">{strings.topUp.stillWaiting}</Text>
            ) : null}
            {order.status === 'closed' ? (
              <Text className="form-hint">{uxStrings.topUpResult.closed}</Text>
            ) : null}
            {balance !== undefined ? (
              <View className="kv">
                <Text className="kv-key">{uxStrings.topUpResult.newBalance}</Text>
                <Text id="top-up-balance">{formatFen(balance)}</Text>
              </View>
            ) : null}
            {receiptNo ? (
              <View className="kv">
                <Text className="kv-key">{feeChannelWords.receiptNo}</Text>
                <Text id="fee-receipt" selectable>
                  {receiptNo}
                </Text>
              </View>
            ) : null}
            <View className="kv">
              <Text className="kv-key">{uxStrings.topUpResult.orderNo}</Text>
              <Text id="top-up-order" selectable>
                {order.id}
              </Text>
            </View>
          </View>
        ) : null}
        {order?.feeBillId ? (
          <Button
            className="btn btn-primary"
            id="back-to-fees"
            onClick={() => Taro.redirectTo({ url: '/pages/fees/index' })}
          >
            {feeChannelWords.backToFees}
          </Button>
        ) : order &&
          (order.status === 'created' || order.status === 'closed' || order.status === 'failed') ? (
          <Button
            className="btn btn-primary"
            id="top-up-again"
            onClick={() => Taro.redirectTo({ url: '/pages/top-up/index' })}
          >
            {uxStrings.topUpResult.again}
          </Button>
        ) : null}
        <Button className="btn btn-plain" onClick={() => Taro.reLaunch({ url: '/pages/home/index' })}>
          {strings.topUp.backHome}
        </Button>
      </StateView>
    </View>
  );
}
