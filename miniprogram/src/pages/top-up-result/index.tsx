import { Button, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { messageOf } from '../../components/use-remote.ts';
import { formatFen } from '../../lib/money.ts';
import { routeParam } from '../../lib/route.ts';
import { api } from '../../services/api.ts';
import { followTopUp, isFinal } from '../../services/top-ups.ts';
import type { TopUpOrder } from '../../services/types.ts';
import { strings } from '../../strings.ts';

export default function TopUpResultPage() {
  const id = routeParam(useRouter().params.id);
  const [order, setOrder] = useState<TopUpOrder>();
  const [history, setHistory] = useState<string[]>([]);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState(false);

  useEffect(() => {
    if (!id) return;
    let live = true;
    followTopUp(api, id, (next) => {
      if (!live) return;
      setOrder(next);
      setHistory((seen) => (seen[seen.length - 1] === next.status ? seen : [...seen, next.status]));
    })
      .then(() => live && setDone(true))
      .catch((caught: unknown) => live && setError(messageOf(caught)));
    return () => {
      live = false;
    };
  }, [id]);

  return (
    <View className="page page-top-up-result">
      <StateView loading={order === undefined && error === undefined} error={error}>
        {order ? (
          <View className="section">
            <Text className="big-number">{formatFen(order.amount)}</Text>
            <Text className="section-title" id="top-up-state">
              {strings.topUp.state[order.status] ?? ''}
            </Text>
            {history.map((status) => (
              <Text key={status} className="row-sub" style={{ display: 'block' }}>
                {`✓ ${strings.topUp.state[status] ?? ''}`}
              </Text>
            ))}
            {done && !isFinal(order.status) ? (
              <Text className="form-hint">{strings.topUp.stillWaiting}</Text>
            ) : null}
          </View>
        ) : null}
        <Button className="btn btn-plain" onClick={() => Taro.reLaunch({ url: '/pages/home/index' })}>
          {strings.topUp.backHome}
        </Button>
      </StateView>
    </View>
  );
}
