import { Button, Input, Text, View } from '@tarojs/components';
import Taro from '@tarojs/taro';
import { useState } from 'react';
import { StateView } from '../../components/StateView.tsx';
import { messageOf, useRemote } from '../../components/use-remote.ts';
import { formatFen, parseYuan } from '../../lib/money.ts';
import { formatShortTime } from '../../lib/month.ts';
import { api } from '../../services/api.ts';
import {
  buyElectricity,
  electricityOrders,
  getRoom,
  getUtilityOrder,
  kwhText,
  myRooms,
  type UtilityOrder,
} from '../../services/campus-payments.ts';
import { newIdempotencyKey } from '../../services/top-ups.ts';
import { strings } from '../../strings.ts';

const words = strings.electricity;
const presets = [1_000, 2_000, 5_000, 10_000];
/** An order whose answer is outstanding is read again this often, this many times (the job settles it anyway). */
const followEveryMs = 3_000;
const followTimesMax = 20;
const open: ReadonlySet<string> = new Set(['created', 'held', 'credited']);

function outcomeText(order: UtilityOrder): string {
  if (order.status === 'completed') return words.completed(String(order.result?.kwh ?? ''));
  if (order.status === 'failed') return words.failed;
  if (order.status === 'refused') return words.refused;
  return words.held;
}

/** Dorm electricity: my room's balance and usage, buying for it (or any room), and my purchases. */
export default function ElectricityPage() {
  const rooms = useRemote(() => myRooms(api), []);
  const [chosen, setChosen] = useState<string>();
  const [typed, setTyped] = useState('');
  const roomId = (typed.trim() || chosen || rooms.data?.items[0]?.id) ?? '';
  const room = useRemote(() => (roomId ? getRoom(api, roomId) : Promise.resolve(undefined)), [roomId]);
  const orders = useRemote(() => electricityOrders(api), []);
  const [preset, setPreset] = useState<number>(presets[1] ?? 2_000);
  const [custom, setCustom] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string>();
  const [outcome, setOutcome] = useState<string>();
  const amount = custom.trim() !== '' ? parseYuan(custom) : preset;
  const amountOk = amount !== undefined && amount >= 100 && amount <= 50_000;

  async function onPay() {
    if (!amountOk || amount === undefined || roomId === '') {
      setError(words.range);
      return;
    }
    const place = room.data ? `${room.data.building} ${room.data.roomNo}` : roomId;
    const answer = await Taro.showModal({
      title: words.confirmTitle,
      content: words.confirm(place, formatFen(amount)),
    });
    if (!answer.confirm) return;
    setBusy(true);
    setError(undefined);
    setOutcome(undefined);
    try {
      let order = await buyElectricity(api, { id: newIdempotencyKey(), roomId, amount });
      setOutcome(outcomeText(order));
      // The meter system's answer was lost: follow the order until the reconciliation ends it.
      for (let i = 0; i < followTimesMax && open.has(order.status); i++) {
        await new Promise((resolve) => setTimeout(resolve, followEveryMs));
        order = await getUtilityOrder(api, order.id);
        setOutcome(outcomeText(order));
      }
      room.reload();
      orders.reload();
    } catch (caught) {
      setError(messageOf(caught));
    } finally {
      setBusy(false);
    }
  }

  return (
    <View className="page page-electricity">
      <StateView
        loading={rooms.loading && rooms.data === undefined}
        error={rooms.error}
        onRetry={rooms.reload}
      >
        <Text className="section-title">{words.myRooms}</Text>
        {rooms.data?.items.length ? (
          <View className="presets">
            {rooms.data.items.map((r) => (
              <View
                key={r.id}
                id={`room-${r.id}`}
                className={`preset ${roomId === r.id ? 'preset-on' : ''}`}
                onClick={() => {
                  setChosen(r.id);
                  setTyped('');
                }}
              >
                <Text>{`${r.building} ${r.roomNo}`}</Text>
              </View>
            ))}
          </View>
        ) : (
          <Text className="form-hint">{words.noRoom}</Text>
        )}
        <View className="form-field">
          <Text className="form-label">{words.roomId}</Text>
          <Input
            id="room-id"
            className="form-input"
            aria-label={words.roomId}
            value={typed}
            onInput={(event) => setTyped(event.detail.value)}
          />
        </View>
        {room.data ? (
          <View className="section" id="room-state">
            <Text className="section-title">{`${room.data.building} ${room.data.roomNo}`}</Text>
            <View className="kv">
              <Text className="kv-key">{words.balance}</Text>
              <Text id="room-balance">{words.kwh(kwhText(room.data.balanceKwhCenti))}</Text>
            </View>
            <Text className="kv-key">{words.usage}</Text>
            {room.data.usage.map((u) => (
              <View className="kv" key={u.day}>
                <Text className="kv-key">{u.day.slice(5)}</Text>
                <Text>{words.kwh(u.kwh)}</Text>
              </View>
            ))}
          </View>
        ) : null}
        {room.error ? <Text className="form-error">{room.error}</Text> : null}
        <Text className="section-title">{words.amount}</Text>
        <View className="presets">
          {presets.map((value) => (
            <View
              key={value}
              id={`preset-${value}`}
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
        <View className="form-field">
          <Text className="form-label">{words.custom}</Text>
          <Input
            id="custom-amount"
            className="form-input"
            aria-label={words.custom}
            type="digit"
            value={custom}
            onInput={(event) => setCustom(event.detail.value)}
          />
        </View>
        <Text className="form-hint">{words.range}</Text>
        {error ? <Text className="form-error">{error}</Text> : null}
        {outcome ? (
          <Text className="form-hint" id="outcome">
            {outcome}
          </Text>
        ) : null}
        <Button
          className="btn btn-primary"
          id="pay"
          disabled={busy || !amountOk || roomId === ''}
          onClick={onPay}
        >
          {words.pay(amountOk && amount !== undefined ? formatFen(amount) : '')}
        </Button>
        <Text className="section-title">{words.orders}</Text>
        {(orders.data?.items ?? []).map((o) => (
          <View className="row" key={o.id}>
            <View className="row-main">
              <Text className="row-title">{`${o.target} ${formatFen(o.amount)}`}</Text>
              <Text className="row-sub">{formatShortTime(o.createdAtMs)}</Text>
            </View>
            <Text>{words.status[o.status]}</Text>
          </View>
        ))}
      </StateView>
    </View>
  );
}
