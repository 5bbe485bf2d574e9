import type {
  DormRoom,
  DormRoomInput,
  UtilityOrder,
  UtilityOrderStatus,
  UtilityPurchase,
  UtilityService,
} from '../contract/utilities.ts';
import { DomainClient, query } from './transport.ts';

export type { DormRoom, DormRoomInput, UtilityOrder, UtilityOrderStatus, UtilityPurchase, UtilityService };

/** Dorm electricity and the network fee: purchases, their orders, rooms and network accounts. */
export class UtilitiesClient extends DomainClient {
  /**
   * Buys electricity for a room or a network package, paid from the card (held, then charged when the
   * outside system confirms). The id is the idempotency key: a retry answers the order as it stands.
   */
  purchaseUtility(input: UtilityPurchase): Promise<UtilityOrder> {
    return this.transport.call('POST', '/v1/utility-orders', input);
  }
  utilityOrder(id: string): Promise<UtilityOrder> {
    return this.transport.call('GET', `/v1/utility-orders/${encodeURIComponent(id)}`);
  }
  utilityOrders(
    q: {
      service?: UtilityService;
      cardNo?: string;
      target?: string;
      status?: UtilityOrderStatus;
      limit?: number;
      beforeAtMs?: number;
      beforeId?: string;
    } = {},
  ): Promise<{ items: UtilityOrder[]; next: { beforeAtMs: number; beforeId: string } | null }> {
    return this.transport.call('GET', `/v1/utility-orders${query(q)}`);
  }
  utilityOrderSummary(
    service: UtilityService,
  ): Promise<{ items: { status: UtilityOrderStatus; count: number; amount: number }[] }> {
    return this.transport.call('GET', `/v1/utility-orders/summary${query({ service })}`);
  }
  /** Runs the reconciliation now (it also runs on its own every UTILITY_RECONCILE_INTERVAL_MS). */
  reconcileUtilityOrders(options: { createdGraceMs?: number } = {}): Promise<{ ended: number }> {
    return this.transport.call('POST', '/v1/utility-orders/reconcile', options);
  }
  saveDormRoom(
    roomId: string,
    input: DormRoomInput,
  ): Promise<{ room: DormRoom; unknownResidents: string[] }> {
    return this.transport.call('PUT', `/v1/dorm-rooms/${encodeURIComponent(roomId)}`, input);
  }
  dormRooms(
    q: { building?: string; personId?: string; limit?: number } = {},
  ): Promise<{ items: DormRoom[] }> {
    return this.transport.call('GET', `/v1/dorm-rooms${query(q)}`);
  }
  /** The room with its live balance and daily usage (live false: the meter system did not answer). */
  dormRoom(
    roomId: string,
    usageDays?: number,
  ): Promise<DormRoom & { live: boolean; usage: { day: string; kwh: string }[] }> {
    return this.transport.call('GET', `/v1/dorm-rooms/${encodeURIComponent(roomId)}${query({ usageDays })}`);
  }
  /** Reads occupied rooms' balances now and alerts the residents of rooms newly under their threshold. */
  checkDormRooms(): Promise<{ alerted: number }> {
    return this.transport.call('POST', '/v1/dorm-rooms/check');
  }
  networkAccount(accountId: string): Promise<Record<string, unknown>> {
    return this.transport.call('GET', `/v1/network-accounts/${encodeURIComponent(accountId)}`);
  }
}
