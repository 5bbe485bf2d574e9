import type {
  BusBooking,
  BusBookingRequest,
  BusBookingStatus,
  BusNoShow,
  BusRide,
  BusRideAnswer,
  BusRideCheck,
  BusRidesOfCardPage,
  BusRoute,
  BusRun,
  BusRunTable,
} from '../contract/bus.ts';
import { DomainClient, query } from './transport.ts';

/** The school bus (docs/visitors-meetings-bus.md). */
export class BusClient extends DomainClient {
  addBusRoute(input: { name: string; stops: string[]; fareFen?: number | null }): Promise<BusRoute> {
    return this.transport.call('POST', '/v1/bus/routes', input);
  }
  editBusRoute(
    id: string,
    input: { name: string; stops: string[]; fareFen: number | null },
  ): Promise<BusRoute> {
    return this.transport.call('PUT', `/v1/bus/routes/${encodeURIComponent(id)}`, input);
  }
  /** Moves or resizes a run (BUS_SEATS_TAKEN below its booked seats, BUS_RUN_CLOSED once cancelled). */
  editBusRun(id: string, input: { departsAtMs: number; seats: number }): Promise<BusRun> {
    return this.transport.call('PUT', `/v1/bus/runs/${encodeURIComponent(id)}`, input);
  }
  /** A bus reader's ride check (the gateway): idempotent by (deviceId, sequence). */
  checkBusRide(input: BusRideCheck): Promise<BusRideAnswer> {
    return this.transport.call('POST', '/v1/bus/rides', input);
  }
  /** The answer the ride check under (deviceId, sequence) was given, or null: a retry at another gateway. */
  busRideAnswered(deviceId: string, sequence: number): Promise<{ answer: BusRideAnswer | null }> {
    return this.transport.call('POST', '/v1/bus/rides/answer', { deviceId, sequence });
  }
  /** A card's rides let on, newest first; `before` is the previous page's `next`. */
  busRidesOfCard(
    cardNo: string,
    page: { limit?: number; before?: string } = {},
  ): Promise<BusRidesOfCardPage> {
    return this.transport.call('GET', `/v1/bus/rides${query({ cardNo, ...page })}`);
  }
  /** What a bus reader needs to decide offline on a run. */
  busRunTable(id: string): Promise<BusRunTable> {
    return this.transport.call('GET', `/v1/bus/runs/${encodeURIComponent(id)}/table`);
  }
  busRides(runId: string): Promise<{ items: BusRide[] }> {
    return this.transport.call('GET', `/v1/bus/runs/${encodeURIComponent(runId)}/rides`);
  }
  busNoShows(fromMs: number, toMs: number): Promise<{ items: BusNoShow[] }> {
    return this.transport.call('GET', `/v1/bus/no-shows${query({ fromMs, toMs })}`);
  }
  busRoutes(): Promise<{ items: BusRoute[] }> {
    return this.transport.call('GET', '/v1/bus/routes');
  }
  addBusRun(input: { routeId: string; departsAtMs: number; seats: number }): Promise<BusRun> {
    return this.transport.call('POST', '/v1/bus/runs', input);
  }
  busRuns(fromMs: number, toMs: number): Promise<{ items: BusRun[] }> {
    return this.transport.call('GET', `/v1/bus/runs${query({ fromMs, toMs })}`);
  }
  busRun(id: string): Promise<BusRun> {
    return this.transport.call('GET', `/v1/bus/runs/${encodeURIComponent(id)}`);
  }
  busRunCounts(id: string): Promise<Record<BusBookingStatus, number>> {
    return this.transport.call('GET', `/v1/bus/runs/${encodeURIComponent(id)}/counts`);
  }
  cancelBusRun(id: string): Promise<{ run: BusRun; told: number }> {
    return this.transport.call('POST', `/v1/bus/runs/${encodeURIComponent(id)}/cancel`);
  }
  /** Books a seat (BUS_SOLD_OUT, BUS_BOOKING_LIMIT, BUS_ALREADY_BOOKED, BUS_BOOKING_BARRED refuse it). */
  bookBus(input: BusBookingRequest): Promise<BusBooking> {
    return this.transport.call('POST', '/v1/bus/bookings', input);
  }
  busBookings(cardNo: string): Promise<{ items: BusBooking[] }> {
    return this.transport.call('GET', `/v1/bus/bookings${query({ cardNo })}`);
  }
  cancelBusBooking(id: string, cardNo: string): Promise<BusBooking> {
    return this.transport.call('POST', `/v1/bus/bookings/${encodeURIComponent(id)}/cancel`, { cardNo });
  }
  markBusNoShows(): Promise<{ marked: number; barred: string[] }> {
    return this.transport.call('POST', '/v1/bus/no-shows', {});
  }
}
