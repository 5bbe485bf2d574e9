import { shanghaiToday } from '@campus-card/core/time';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { formatFen } from '../../lib/money.ts';
import { formatShortTime } from '../../lib/month.ts';
import { api } from '../../services/api.ts';
import { buyNetwork, myNetwork, networkOrders } from '../../services/campus-payments.ts';
import { newIdempotencyKey } from '../../services/top-ups.ts';
import { strings } from '../../strings.ts';

const words = strings.network;

/** The campus network fee: the account's package and expiry, buying a package from the card. */
export default function NetworkPage() {
  const account = useRemote(() => myNetwork(api), []);
  const orders = useRemote(() => networkOrders(api), []);
  const [chosen, setChosen] = useState<string>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [outcome, setOutcome] = useState<string>();
  const packages = account.data?.packages ?? [];
  const pkg = packages.find((p) => p.id === chosen) ?? packages[0];
  const expiresAtMs = account.data?.expiresAtMs ?? 0;

  async function onPay() {
    if (!pkg) return;
    const answer = await Taro.showModal({
      title: words.confirmTitle,
      content: words.confirm(pkg.name, formatFen(pkg.priceFen)),
    });
    if (!answer.confirm) return;
    setBusy(true);
    setError(undefined);
    setOutcome(undefined);
    try {
      const order = await buyNetwork(api, {
        id: newIdempotencyKey(),
        packageId: pkg.id,
        amount: pkg.priceFen,
      });
      const until = Number(order.result?.expiresAtMs);
      setOutcome(
        order.status === 'completed' && Number.isFinite(until)
          ? words.completed(shanghaiToday(until))
          : (strings.electricity.status[order.status] ?? ''),
      );
      account.reload();
      orders.reload();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className="page page-network">
      <StateView
        loading={account.loading && account.data === undefined}
        error={account.error}
        onRetry={account.reload}
      >
        <View className="section">
          <View className="kv">
            <Text className="kv-key">{words.account}</Text>
            <Text>{account.data?.accountId ?? ''}</Text>
          </View>
          <Text className="row-sub" id="network-expiry">
            {expiresAtMs > Date.now() ? words.expires(shanghaiToday(expiresAtMs)) : words.expired}
          </Text>
        </View>
        <Text className="section-title">{words.packages}</Text>
        <View className="presets">
          {packages.map((p) => (
            <View
              key={p.id}
              id={`package-${p.id}`}
              className={`preset ${pkg?.id === p.id ? 'preset-on' : ''}`}
              onClick={() => setChosen(p.id)}
            >
              <Text>{`${p.name} ${formatFen(p.priceFen)}`}</Text>
            </View>
          ))}
        </View>
        {error ? <Text className="form-error">{error}</Text> : null}
        {outcome ? <Text className="form-hint">{outcome}</Text> : null}
        <Button className="btn btn-primary" id="pay" disabled={busy || !pkg} onClick={onPay}>
          {words.pay(pkg ? formatFen(pkg.priceFen) : '')}
        </Button>
        <Text className="section-title">{words.orders}</Text>
        {(orders.data?.items ?? []).map((o) => (
          <View className="row" key={o.id}>
            <View className="row-main">
              <Text className="row-title">{formatFen(o.amount)}</Text>
              <Text className="row-sub">{formatShortTime(o.createdAtMs)}</Text>
            </View>
            <Text>{strings.electricity.status[o.status]}</Text>
          </View>
        ))}
      </StateView>
    </View>
  );
}
