// 消费纠错 (#19): dispute one of my payments, and follow my disputes of it.
import type { Dispute, DisputeReason } from '@campus-card/core/contract';
import type { ApiClient } from './request.ts';

export type { Dispute, DisputeReason };

export function openDispute(
  api: ApiClient,
  input: { requestId: string; paymentId: string; reason: DisputeReason; note?: string },
): Promise<Dispute> {
  return api.request('POST', '/disputes', input);
}

export function disputesOfPayment(api: ApiClient, paymentId: string): Promise<{ items: Dispute[] }> {
  return api.request('GET', '/disputes', undefined, { query: { paymentId } });
}
