import type { ApiClient } from './request.ts';
import type { PayChannel, PlacedTopUp } from './top-ups.ts';

/** Fees, dorm electricity and the network fee: the BFF's /fees, /electricity and /network routes. */
export interface FeeBill {
  id: string;
  item: { code: string; name: string; category: string; dueDay: string; allowPartial: boolean };
  amountDue: number;
  amountPaid: number;
  status: 'unpaid' | 'partial' | 'paid' | 'waived';
}
export interface FeePayment {
  id: string;
  amount: number;
  status: 'pending' | 'paid' | 'refused';
  failureCode: string | null;
  receiptNo: string;
  createdAtMs: number;
}
export interface DormRoom {
  id: string;
  building: string;
  roomNo: string;
  balanceKwhCenti: number | null;
  residents: { personNo: string; name: string }[];
}
export interface UtilityOrder {
  id: string;
  service: 'electricity' | 'network';
  target: string;
  amount: number;
  status: 'created' | 'held' | 'credited' | 'completed' | 'refused' | 'failed' | 'exception';
  failureCode: string | null;
  result: Record<string, unknown> | null;
  createdAtMs: number;
}
export interface NetworkPackage {
  id: string;
  name: string;
  priceFen: number;
  days: number;
}

export const listFeeBills = (api: ApiClient): Promise<{ items: FeeBill[] }> => api.request('GET', '/fees');
export const getFeeBill = (api: ApiClient, id: string): Promise<FeeBill & { payments: FeePayment[] }> =>
  api.request('GET', `/fees/${encodeURIComponent(id)}`);
export const payFee = (
  api: ApiClient,
  billId: string,
  body: { id: string; amount: number; pin?: string },
): Promise<FeePayment> => api.request('POST', `/fees/${encodeURIComponent(billId)}/payments`, body);
/**
 * Pays (part of) a bill straight by WeChat Pay or Alipay: a platform order placed like a top-up (paid with
 * requestPayment, my.tradePay or the H5 page, followed at /top-ups/:id), credited to the fee, not the card.
 */
export const payFeeByChannel = (
  api: ApiClient,
  billId: string,
  body: { amount: number; channel: PayChannel },
  idempotencyKey: string,
): Promise<PlacedTopUp> =>
  api.request('POST', `/fees/${encodeURIComponent(billId)}/channel-payments`, body, {
    headers: { 'idempotency-key': idempotencyKey },
  });
/** The electronic receipt of a paid fee payment of the caller's (a platform-paid fee's id is its order's). */
export const getFeeReceipt = (
  api: ApiClient,
  paymentId: string,
): Promise<{ receiptNo: string; amount: number }> =>
  api.request('GET', `/fee-payments/${encodeURIComponent(paymentId)}/receipt`);

export const myRooms = (api: ApiClient): Promise<{ items: DormRoom[] }> =>
  api.request('GET', '/electricity/rooms');
export const getRoom = (
  api: ApiClient,
  roomId: string,
): Promise<DormRoom & { live: boolean; usage: { day: string; kwh: string }[] }> =>
  api.request('GET', `/electricity/rooms/${encodeURIComponent(roomId)}`);
export const buyElectricity = (
  api: ApiClient,
  body: { id: string; roomId: string; amount: number },
): Promise<UtilityOrder> => api.request('POST', '/electricity/orders', body);
export const electricityOrders = (api: ApiClient): Promise<{ items: UtilityOrder[] }> =>
  api.request('GET', '/electricity/orders');

export const myNetwork = (
  api: ApiClient,
): Promise<{
  accountId: string;
  packageId: string | null;
  expiresAtMs: number;
  packages: NetworkPackage[];
}> => api.request('GET', '/network');
export const buyNetwork = (
  api: ApiClient,
  body: { id: string; packageId: string; amount: number },
): Promise<UtilityOrder> => api.request('POST', '/network/orders', body);
export const networkOrders = (api: ApiClient): Promise<{ items: UtilityOrder[] }> =>
  api.request('GET', '/network/orders');
export const getUtilityOrder = (api: ApiClient, id: string): Promise<UtilityOrder> =>
  api.request('GET', `/utility-orders/${encodeURIComponent(id)}`);

/** "12.34" kWh from hundredths. */
export const kwhText = (centi: number | null): string => (centi === null ? '—' : (centi / 100).toFixed(2));
