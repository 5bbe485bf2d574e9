import { Button, Input, Text, View } from '@tarojs/components';
import Taro, { useRouter } from '@tarojs/taro';
import { useEffect, useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { billWords, labelOf, topUpChannelLabels } from '../../labels.ts';
import { formatFen, parseYuan } from '../../lib/money.ts';
import { routeParam } from '../../lib/route.ts';
import { checkTopUpAmount, topUpLimitsFallback, usablePresets } from '../../lib/top-up.ts';
import { api } from '../../services/api.ts';
import { askMessageConsent, preloadMessageTemplates } from '../../services/messages.ts';
import { payPlacedOrder } from '../../services/platform.ts';
import { ApiError } from '../../services/request.ts';
import { createTopUp, getTopUpLimits, newIdempotencyKey, type PayChannel } from '../../services/top-ups.ts';
import { strings } from '../../strings.ts';

const channel: PayChannel = process.env.TARO_ENV === 'alipay' ? 'alipay' : 'wechat';

export default function TopUpPage() {
  // A parent tops up a child with ?cardNo=…; a student tops up their own card.
  const params = useRouter().params;
  const cardNo = routeParam(params.cardNo);
  const name = routeParam(params.name);
  useEffect(() => preloadMessageTemplates(api), []);
  const limits = useRemote(async () => {
    try {
      return await getTopUpLimits(api);
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return topUpLimitsFallback;
      throw error;
    }
  }, []);
  const [preset, setPreset] = useState<number>();
  const [payWith, setPayWith] = useState<PayChannel>(channel);
  const [custom, setCustom] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();

  const amount = custom.trim() !== '' ? parseYuan(custom) : preset;
  // A browser pays either way the server takes (WeChat's page, Alipay's wap cashier); each app its own.
  const served = (limits.data as { channels?: readonly PayChannel[] } | undefined)?.channels;
  const offered: readonly PayChannel[] =
    process.env.TARO_ENV === 'h5' && served && served.length > 0 ? served : [channel];
  const payChannel = offered.includes(payWith) ? payWith : (offered[0] ?? channel);

  async function onPay() {
    // The messages that may follow need the platform's one-time consent, asked from this tap (the
    // student's own top-up only): an alert of unusual spending on the card first, then the receipt and
    // the low-balance alert (WeChat takes three templates a dialog).
    if (!cardNo) void askMessageConsent(api, ['theft_alert', 'receipt', 'low_balance']);
    const current = limits.data ?? topUpLimitsFallback;
    const problem = checkTopUpAmount(amount, current);
    if (problem !== undefined || amount === undefined) {
      setError(problem);
      return;
    }
    // Money for someone else's card: the parent confirms whose card and how much before paying.
    if (cardNo) {
      const answer = await Taro.showModal({
        title: strings.parents.topUpChild,
        content: strings.parents.confirmTopUp(name ?? '', formatFen(amount)),
      });
      if (!answer.confirm) return;
    }
    setBusy(true);
    setError(undefined);
    try {
      const order = await createTopUp(api, {
        amount,
        channel: payChannel,
        idempotencyKey: newIdempotencyKey(),
        ...(cardNo ? { cardNo } : {}),
      });
      const result = `/pages/top-up-result/index?id=${encodeURIComponent(order.id)}`;
      if (!(await payPlacedOrder(order, strings.topUp.cancelled))) return;
      await Taro.redirectTo({ url: result });
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  const current = limits.data ?? topUpLimitsFallback;
  return (
    <View className="page page-top-up">
      <StateView loading={limits.loading} error={limits.error} onRetry={limits.reload}>
        {name ? <Text className="form-hint">{`${strings.parents.topUpChild}：${name}`}</Text> : null}
        <Text className="section-title">{strings.topUp.presets}</Text>
        <View className="presets">
          {usablePresets(current).map((value) => (
            <View
              key={value}
              className={`preset ${custom === '' && preset === value ? 'preset-on' : ''}`}
              onClick={() => {
                setPreset(value);
                setCustom('');
              }}
            >
              <Text>{formatFen(value)}</Text>
            </View>
          ))}
        </View>
        <View className="form-field" style={{ marginTop: '24px' }}>
          <Text className="form-label">{strings.topUp.custom}</Text>
          <Input
            id="custom-amount"
            className="form-input"
            type="digit"
            placeholder={strings.topUp.customPlaceholder}
            value={custom}
            onInput={(event) => setCustom(event.detail.value)}
          />
        </View>
        <Text className="form-hint">
          {strings.topUp.range(formatFen(current.minAmount), formatFen(current.maxAmount))}
        </Text>
        {offered.length > 1 ? (
          <>
            <Text className="section-title">{billWords.channel}</Text>
            <View className="presets">
              {offered.map((c) => (
                <View
                  key={c}
                  id={`pay-with-${c}`}
                  className={`preset ${payChannel === c ? 'preset-on' : ''}`}
                  onClick={() => setPayWith(c)}
                >
                  <Text>{labelOf(topUpChannelLabels, c, c)}</Text>
                </View>
              ))}
            </View>
          </>
        ) : null}
        {error ? <Text className="form-error">{error}</Text> : null}
        <Button className="btn btn-primary" id="pay" disabled={busy || amount === undefined} onClick={onPay}>
          {busy ? strings.topUp.submitting : strings.topUp.submit(amount ? formatFen(amount) : '')}
        </Button>
      </StateView>
    </View>
  );
}
