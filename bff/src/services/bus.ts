import type { CoreClient } from '@campus-card/core/client';
import type { BusBooking, BusRidesOfCardPage, BusRun } from '@campus-card/core/contract';
import { dayBoundsMs, parseDay } from '@campus-card/core/time';
import { BffError } from '../errors.ts';
import type { BindingService } from './bindings.ts';

/** The school bus for a bound card holder: a day's timetable, booking, my bookings and rides, cancelling. */
export class Bus {
  constructor(
    private readonly core: CoreClient,
    private readonly bindings: BindingService,
  ) {}

  async timetable(openid: string, day: string): Promise<{ items: BusRun[] }> {
    await this.bindings.require(openid);
    const dayNo = parseDay(day);
    if (dayNo === undefined) throw new BffError('VALIDATION_FAILED', 'day: YYYY-MM-DD');
    const { startMs, endMs } = dayBoundsMs(dayNo);
    return this.core.busRuns(startMs, endMs);
  }

  async book(openid: string, runId: string, requestId: string): Promise<BusBooking> {
    const { cardNo } = await this.bindings.require(openid);
    return this.core.bookBus({ requestId, cardNo, runId });
  }

  async mine(openid: string): Promise<{ items: BusBooking[] }> {
    const { cardNo } = await this.bindings.require(openid);
    return this.core.busBookings(cardNo);
  }

  /** My rides let on (booked seat, free ride, fare; offline-uploaded ones too), newest first, a page at a time. */
  async rides(openid: string, before?: string): Promise<BusRidesOfCardPage> {
    const { cardNo } = await this.bindings.require(openid);
    return this.core.busRidesOfCard(cardNo, { limit: 20, ...(before === undefined ? {} : { before }) });
  }

  async cancel(openid: string, bookingId: string): Promise<BusBooking> {
    const { cardNo } = await this.bindings.require(openid);
    return this.core.cancelBusBooking(bookingId, cardNo);
  }
}
