import { addDays, shanghaiToday } from '@campus-card/core/time';
import { codes, type Handler, startVendorServer, type VendorAnswer } from './vendor-api.ts';

/**
 * A stand-in for the campus dorm meter system (宿舍电控): rooms with a prepaid electricity balance in
 * kWh, a recharge in yuan converted at the room's price, the order looked up by the payer's order
 * number, and the room's daily usage. The order number is the vendor's idempotency key: a second
 * recharge with it credits nothing and answers 2001 with the first one's figures.
 *
 * Fault switches (each a count of recharges it applies to, taken one per recharge):
 * - timeoutAfterCredit: the room is credited, the answer never comes (the caller times out);
 * - timeoutBeforeCredit: nothing is credited and no answer comes;
 * - duplicate: the request arrives twice (a resend by a proxy): credited once, answered 2001;
 * - roomNotFound: answered 1001 room not found, nothing credited;
 * - delayMs (not a count): every recharge is credited at once and answered this much later.
 */
export interface UtilityFaults {
  timeoutAfterCredit?: number;
  timeoutBeforeCredit?: number;
  duplicate?: number;
  roomNotFound?: number;
  delayMs?: number;
}

export interface MeterRoom {
  roomId: string;
  building: string;
  roomNo: string;
  /** Remaining balance, hundredths of a kWh. */
  balanceCenti: number;
  priceFenPerKwh: number;
  /** Day (YYYY-MM-DD, Asia/Shanghai) → hundredths of a kWh used. */
  usage: Map<string, number>;
}

export interface MeterOrder {
  orderNo: string;
  roomId: string;
  amountFen: number;
  kwhCenti: number;
  balanceCentiAfter: number;
  creditedAtMs: number;
}

export const utilityDefaults = { appId: 'campus-card', secret: 'utility-dev-secret-0123456789' };

const kwh = (centi: number) => (centi / 100).toFixed(2);

export async function startUtilityStandIn(
  options: { host?: string; port?: number; appId?: string; secret?: string } = {},
) {
  const rooms = new Map<string, MeterRoom>();
  const orders = new Map<string, MeterOrder>();
  let faults: UtilityFaults = {};
  /** How many times each order number was applied to a room (a test asserts it is never above 1). */
  const credits = new Map<string, number>();

  const take = (name: Exclude<keyof UtilityFaults, 'delayMs'>): boolean => {
    const left = faults[name] ?? 0;
    if (left <= 0) return false;
    faults = { ...faults, [name]: left - 1 };
    return true;
  };
  const orderData = (o: MeterOrder) => ({
    orderNo: o.orderNo,
    roomId: o.roomId,
    amountFen: o.amountFen,
    kwh: kwh(o.kwhCenti),
    balanceKwh: kwh(o.balanceCentiAfter),
    status: 'SUCCESS',
    creditedAt: o.creditedAtMs,
  });
  const apply = (orderNo: string, room: MeterRoom, amountFen: number): MeterOrder => {
    const kwhCenti = Math.floor((amountFen * 100) / room.priceFenPerKwh);
    room.balanceCenti += kwhCenti;
    const order = {
      orderNo,
      roomId: room.roomId,
      amountFen,
      kwhCenti,
      balanceCentiAfter: room.balanceCenti,
      creditedAtMs: Date.now(),
    };
    orders.set(orderNo, order);
    credits.set(orderNo, (credits.get(orderNo) ?? 0) + 1);
    return order;
  };

  const recharge: Handler = async (f) => {
    const orderNo = String(f.orderNo ?? '');
    const amountFen = Number(f.amountFen);
    if (!/^[A-Za-z0-9:_.-]{1,64}$/.test(orderNo) || !Number.isSafeInteger(amountFen) || amountFen <= 0)
      return { code: codes.badRequest, msg: '参数错误' };
    const existing = orders.get(orderNo);
    if (existing) return { code: codes.duplicate, msg: '订单已存在', data: orderData(existing) };
    const room = rooms.get(String(f.roomId ?? ''));
    if (room === undefined || take('roomNotFound')) return { code: codes.notFound, msg: '房间不存在' };
    if (take('timeoutBeforeCredit')) return 'no-answer';
    const order = apply(orderNo, room, amountFen);
    if (take('timeoutAfterCredit')) return 'no-answer';
    if (take('duplicate')) return { code: codes.duplicate, msg: '订单已存在', data: orderData(order) };
    const answer: VendorAnswer = { code: codes.ok, msg: '成功', data: orderData(order) };
    if (faults.delayMs) await new Promise((r) => setTimeout(r, faults.delayMs));
    return answer;
  };

  const roomData = (room: MeterRoom) => ({
    roomId: room.roomId,
    building: room.building,
    roomNo: room.roomNo,
    balanceKwh: kwh(room.balanceCenti),
    priceFenPerKwh: room.priceFenPerKwh,
  });

  const vendor = await startVendorServer({
    appId: options.appId ?? utilityDefaults.appId,
    secret: options.secret ?? utilityDefaults.secret,
    host: options.host,
    port: options.port,
    routes: {
      '/api/elec/recharge': recharge,
      '/api/elec/order/query': async (f) => {
        const order = orders.get(String(f.orderNo ?? ''));
        return order
          ? { code: codes.ok, msg: '成功', data: orderData(order) }
          : { code: codes.orderNotFound, msg: '订单不存在' };
      },
      '/api/elec/room/query': async (f) => {
        const room = rooms.get(String(f.roomId ?? ''));
        return room
          ? { code: codes.ok, msg: '成功', data: roomData(room) }
          : { code: codes.notFound, msg: '房间不存在' };
      },
      '/api/elec/room/usage': async (f) => {
        const room = rooms.get(String(f.roomId ?? ''));
        if (!room) return { code: codes.notFound, msg: '房间不存在' };
        const days = Math.min(Math.max(Number(f.days) || 7, 1), 31);
        const today = shanghaiToday();
        const items = Array.from({ length: days }, (_, i) => {
          const day = addDays(today, i - days + 1);
          return { day, kwh: kwh(room.usage.get(day) ?? 0) };
        });
        return { code: codes.ok, msg: '成功', data: { roomId: room.roomId, items } };
      },
    },
    control: (method, path, body) => {
      const b = (body ?? {}) as Record<string, unknown>;
      if (method === 'POST' && path === '/__mock/rooms') {
        api.addRoom(b as unknown as Parameters<typeof api.addRoom>[0]);
        return { ok: true };
      }
      if (method === 'POST' && path === '/__mock/faults') {
        faults = { ...(b as UtilityFaults) };
        return { ok: true };
      }
      if (method === 'POST' && path === '/__mock/consume') {
        api.consume(String(b.roomId), Number(b.kwhCenti));
        return { ok: true };
      }
      return undefined;
    },
  });

  const api = {
    url: vendor.url,
    rooms,
    orders,
    credits,
    addRoom(room: {
      roomId: string;
      building: string;
      roomNo: string;
      balanceCenti?: number;
      priceFenPerKwh?: number;
    }) {
      rooms.set(room.roomId, {
        roomId: room.roomId,
        building: room.building,
        roomNo: room.roomNo,
        balanceCenti: room.balanceCenti ?? 0,
        priceFenPerKwh: room.priceFenPerKwh ?? 60,
        usage: new Map(),
      });
    },
    /** The room uses electricity today: its balance goes down (not below 0) and the day's usage up. */
    consume(roomId: string, kwhCenti: number) {
      const room = rooms.get(roomId);
      if (!room || !Number.isSafeInteger(kwhCenti) || kwhCenti <= 0) return;
      const used = Math.min(kwhCenti, room.balanceCenti);
      room.balanceCenti -= used;
      const day = shanghaiToday();
      room.usage.set(day, (room.usage.get(day) ?? 0) + used);
    },
    setFaults(next: UtilityFaults) {
      faults = { ...next };
    },
    close: vendor.close,
  };
  return api;
}

export type UtilityStandIn = Awaited<ReturnType<typeof startUtilityStandIn>>;
