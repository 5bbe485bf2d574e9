// The school bus (docs/visitors-meetings-bus.md): a day's runs, booking a seat with my card, my bookings,
// my rides.
import type { BusBooking, BusRideOfCard, BusRidesOfCardPage, BusRun } from '@campus-card/core/contract';
import type { ApiClient } from './request.ts';

export type { BusBooking, BusRideOfCard, BusRun };

/** My rides, newest first; `before` is the previous page's `next`. */
export function myBusRides(api: ApiClient, before?: string): Promise<BusRidesOfCardPage> {
  return api.request('GET', '/bus/rides', undefined, { query: { before } });
}

export function busRuns(api: ApiClient, day: string): Promise<{ items: BusRun[] }> {
  return api.request('GET', '/bus/runs', undefined, { query: { day } });
}

export function bookBus(api: ApiClient, runId: string, requestId: string): Promise<BusBooking> {
  return api.request('POST', '/bus/bookings', { runId, requestId });
}

export function myBusBookings(api: ApiClient): Promise<{ items: BusBooking[] }> {
  return api.request('GET', '/bus/bookings');
}

export function cancelBusBooking(api: ApiClient, id: string): Promise<BusBooking> {
  return api.request('POST', `/bus/bookings/${encodeURIComponent(id)}/cancel`);
}
