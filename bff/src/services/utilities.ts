import type { Binding, CoreClient } from '@campus-card/core/client';
import type { DormRoom, UtilityOrder } from '@campus-card/core/contract';
import { BffError } from '../errors.ts';

/**
 * Dorm electricity and the network fee for the signed-in student: their rooms (any room may be paid
 * for: a roommate, a friend), the room's live balance and usage, purchases paid from their own card,
 * and their orders. The network account is the student's own number.
 */
export class UtilitiesService {
  constructor(private readonly core: CoreClient) {}

  async myRooms(binding: Binding): Promise<DormRoom[]> {
    return (await this.core.dormRooms({ personId: binding.personId })).items;
  }

  room(roomId: string) {
    return this.core.dormRoom(roomId, 7);
  }

  buyElectricity(
    binding: Binding,
    input: { id: string; roomId: string; amount: number },
  ): Promise<UtilityOrder> {
    return this.core.purchaseUtility({
      id: input.id,
      service: 'electricity',
      target: input.roomId,
      cardNo: binding.cardNo,
      amount: input.amount,
    });
  }

  network(binding: Binding): Promise<Record<string, unknown>> {
    return this.core.networkAccount(binding.personNo);
  }

  buyNetwork(
    binding: Binding,
    input: { id: string; packageId: string; amount: number },
  ): Promise<UtilityOrder> {
    return this.core.purchaseUtility({
      id: input.id,
      service: 'network',
      target: binding.personNo,
      packageId: input.packageId,
      cardNo: binding.cardNo,
      amount: input.amount,
    });
  }

  async orders(binding: Binding, service: 'electricity' | 'network'): Promise<UtilityOrder[]> {
    return (await this.core.utilityOrders({ service, cardNo: binding.cardNo, limit: 20 })).items;
  }

  /** One of the caller's orders (to follow a 'held' one to its end); another's is NOT_FOUND. */
  async order(binding: Binding, id: string): Promise<UtilityOrder> {
    const order = await this.core.utilityOrder(id);
    if (order.cardNo !== binding.cardNo) throw new BffError('NOT_FOUND', 'no such order');
    return order;
  }
}
