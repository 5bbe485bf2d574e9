// The school bus: today's runs (Asia/Shanghai) with the seats left and a 预约 each, my bookings with a
// confirmed cancel, and my rides (rides.tsx). The card is the signed-in holder's; a retried tap is the same
// booking (its request id).
import { formatMinute, shanghaiToday } from '@campus-card/core/time';
import { Button, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { busStrings as words } from '../../bus-strings.ts';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { api } from '../../services/api.ts';
import { bookBus, busRuns, cancelBusBooking, myBusBookings } from '../../services/bus.ts';
import { BusRides } from './rides.tsx';

const newRequestId = () => `b${Date.now().toString(36)}${Math.random().toString(36).slice(2, 10)}`;

export default function BusPage() {
  const day = shanghaiToday();
  const runs = useRemote(() => busRuns(api, day), [day]);
  const mine = useRemote(() => myBusBookings(api), []);
  const [busy, setBusy] = useState<string>();
  const [error, setError] = useState<string>();
  // One request id per run until it is booked: a double tap or a retry books once.
  const [keys, setKeys] = useState<Record<string, string>>({});

  async function onBook(runId: string) {
    const requestId = keys[runId] ?? newRequestId();
    setKeys((k) => ({ ...k, [runId]: requestId }));
    setBusy(runId);
    setError(undefined);
    try {
      await bookBus(api, runId, requestId);
      await Taro.showToast({ title: words.booked, icon: 'none' });
      runs.reload();
      mine.reload();
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(undefined);
    }
  }

  async function onCancel(id: string, what: string) {
    const { confirm } = await Taro.showModal({ title: words.cancel, content: words.cancelConfirm(what) });
    if (!confirm) return;
    try {
      await cancelBusBooking(api, id);
      await Taro.showToast({ title: words.cancelled, icon: 'none' });
      runs.reload();
      mine.reload();
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const items = runs.data?.items ?? [];
  const bookings = mine.data?.items ?? [];
  return (
    <View className="page page-bus">
      {error ? <Text className="form-error">{error}</Text> : null}
      <Text className="form-label">{words.runs}</Text>
      <StateView loading={runs.loading} error={runs.error} empty={items.length === 0} onRetry={runs.reload}>
        <View className="list">
          {items.map((run) => {
            const left = run.seats - run.booked;
            const open = run.status === 'scheduled' && left > 0 && run.departsAtMs > Date.now();
            return (
              <View key={run.id} className="row bus-run">
                <View className="row-main">
                  <Text className="row-title">{run.routeName}</Text>
                  <Text className="row-sub">{formatMinute(run.departsAtMs)}</Text>
                  <Text className="row-sub">
                    {run.status === 'cancelled' ? words.runCancelled : words.seatsLeft(left)}
                  </Text>
                </View>
                <Button
                  className={open ? 'btn btn-primary' : 'btn btn-plain'}
                  disabled={!open || busy === run.id}
                  onClick={() => onBook(run.id)}
                >
                  {busy === run.id ? words.booking : open ? words.book : words.full}
                </Button>
              </View>
            );
          })}
        </View>
      </StateView>
      <Text className="form-label">{words.mine}</Text>
      <StateView
        loading={mine.loading}
        error={mine.error}
        empty={bookings.length === 0}
        onRetry={mine.reload}
      >
        <View className="list">
          {bookings.map((b) => (
            <View key={b.id} className="row bus-booking">
              <View className="row-main">
                <Text className="row-title">{b.routeName}</Text>
                <Text className="row-sub">{formatMinute(b.departsAtMs)}</Text>
                <Text className="row-sub">{words.status[b.status] ?? ''}</Text>
              </View>
              {b.status === 'booked' && b.departsAtMs > Date.now() ? (
                <Button
                  className="btn btn-plain"
                  onClick={() => onCancel(b.id, `${b.routeName} ${formatMinute(b.departsAtMs)}`)}
                >
                  {words.cancel}
                </Button>
              ) : null}
            </View>
          ))}
        </View>
      </StateView>
      <BusRides />
    </View>
  );
}
