import type { WindowCapacity, WindowCapacityBody } from '../contract/insight.ts';
import { DomainClient } from './transport.ts';

/** Canteen window capacities, against which the app's canteen levels are graded. */
export class WindowCapacitiesClient extends DomainClient {
  windowCapacities(): Promise<{ items: WindowCapacity[] }> {
    return this.transport.call('GET', '/v1/window-capacities');
  }
  /** Sets a window's capacity (null: back to the default); MERCHANT_NOT_FOUND for an unknown merchant. */
  setWindowCapacity(merchantId: string, body: WindowCapacityBody): Promise<{ items: WindowCapacity[] }> {
    return this.transport.call('PUT', `/v1/window-capacities/${encodeURIComponent(merchantId)}`, body);
  }
}
