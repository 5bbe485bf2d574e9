import type { CardActivityFeed } from '../activity/card-activity.ts';
import type { CardService } from '../cards/card-service.ts';
import type {
  BusBooking,
  BusBookingRequest,
  BusNoShow,
  BusRoute,
  BusRun,
  NewBusRoute,
} from '../contract/bus.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import type { NoticeRepository } from '../notices/notice-repository.ts';
import { formatMinute, shanghaiDay } from '../time.ts';
import type { BusRepository } from './bus-repository.ts';

export interface BusOptions {
  /** Seats one person may hold per Asia/Shanghai day of departure. */
  personDayMax: number;
  /** No-shows on runs that left within `noShowWindowMs` that bar a person from booking for `noShowBarMs`. */
  noShowsMax: number;
  noShowWindowMs: number;
  noShowBarMs: number;
  /** A seat still booked this long after departure is a no-show. */
  noShowGraceMs: number;
}

export const busOptionsDefault: BusOptions = {
  personDayMax: 2,
  noShowsMax: 3,
  noShowWindowMs: 30 * 86_400_000,
  noShowBarMs: 14 * 86_400_000,
  noShowGraceMs: 30 * 60_000,
};

/**
 * The school bus (#15): routes, timetabled runs, seat bookings (a person's daily limit and the run's seats
 * reserved atomically, idempotent by the person's request id), no-show rules, and cancellation notices.
 */
export class BusService {
  constructor(
    private readonly bus: BusRepository,
    private readonly cards: CardService,
    private readonly notices: NoticeRepository,
    private readonly activity: CardActivityFeed,
    private readonly options: BusOptions = busOptionsDefault,
  ) {}

  async addRoute(input: NewBusRoute): Promise<BusRoute> {
    const route = { id: newId(), ...input };
    await this.bus.insertRoute(route, Date.now());
    return route;
  }

  async editRoute(id: string, input: NewBusRoute): Promise<BusRoute> {
    const route = { id, ...input };
    if (!(await this.bus.updateRoute(route))) throw new CoreError('BUS_ROUTE_NOT_FOUND', 'no such route');
    return route;
  }

  routes(): Promise<BusRoute[]> {
    return this.bus.routes();
  }

  async addRun(input: { routeId: string; departsAtMs: number; seats: number }): Promise<BusRun> {
    if (!(await this.bus.routes()).some((r) => r.id === input.routeId))
      throw new CoreError('BUS_ROUTE_NOT_FOUND', 'no such route');
    const id = newId();
    await this.bus.insertRun({ id, ...input }, Date.now());
    return this.run(id);
  }

  async run(id: string): Promise<BusRun> {
    const run = await this.bus.run(id);
    if (!run) throw new CoreError('BUS_RUN_NOT_FOUND', 'no such run');
    return run;
  }

  /** Moves or resizes a scheduled run; never below its booked seats. */
  async editRun(id: string, input: { departsAtMs: number; seats: number }): Promise<BusRun> {
    await this.run(id);
    const outcome = await this.bus.updateRun(id, input.departsAtMs, input.seats);
    if (outcome === 'seats_taken')
      throw new CoreError('BUS_SEATS_TAKEN', 'more seats are booked than the run would have');
    if (outcome === 'closed') throw new CoreError('BUS_RUN_CLOSED', 'the run is cancelled');
    return this.run(id);
  }

  runs(fromMs: number, toMs: number): Promise<BusRun[]> {
    return this.bus.runs(fromMs, toMs);
  }

  /** Books a seat; the same card and request id answer the first booking again. */
  async book(request: BusBookingRequest): Promise<BusBooking> {
    const card = await this.cards.get(request.cardNo);
    if (card.status !== 'active')
      throw new CoreError(`CARD_${card.status.toUpperCase()}` as 'CARD_LOST', 'the card is not active');
    const earlier = await this.bus.bookingByRequest(card.personId, request.requestId);
    if (earlier) return earlier;
    const run = await this.run(request.runId);
    const nowMs = Date.now();
    if (run.status !== 'scheduled' || run.departsAtMs <= nowMs)
      throw new CoreError('BUS_RUN_CLOSED', 'the run is cancelled or has left');
    const id = newId(nowMs);
    const outcome = await this.bus.book({
      id,
      runId: run.id,
      personId: card.personId,
      cardNo: card.cardNo,
      requestId: request.requestId,
      dayNo: shanghaiDay(run.departsAtMs),
      personDayMax: this.options.personDayMax,
      nowMs,
    });
    if (outcome === 'barred') throw new CoreError('BUS_BOOKING_BARRED', 'too many missed bookings lately');
    if (outcome === 'person_limit')
      throw new CoreError('BUS_BOOKING_LIMIT', `at most ${this.options.personDayMax} seats a day`);
    if (outcome === 'sold_out') throw new CoreError('BUS_SOLD_OUT', 'no seat left on this run');
    if (outcome === 'already_booked')
      throw new CoreError('BUS_ALREADY_BOOKED', 'a seat on this run is already booked');
    const booking = await this.bus.booking(id);
    if (!booking) throw new Error('booked seat not found');
    return booking;
  }

  async bookingsOf(cardNo: string): Promise<{ items: BusBooking[] }> {
    const card = await this.cards.get(cardNo);
    return { items: await this.bus.bookingsOf(card.personId, 50) };
  }

  async cancelBooking(id: string, cardNo: string): Promise<BusBooking> {
    const booking = await this.bus.booking(id);
    if (!booking || booking.cardNo !== cardNo)
      throw new CoreError('BUS_BOOKING_NOT_FOUND', 'no such booking');
    if (!(await this.bus.cancelBooking(id, shanghaiDay(booking.departsAtMs))))
      throw new CoreError('INVALID_TRANSITION', 'the booking is not active');
    return (await this.bus.booking(id)) ?? booking;
  }

  /** The transport office cancels a run: every booked rider gets a kept notice and a live one. */
  async cancelRun(id: string): Promise<{ run: BusRun; told: number }> {
    const run = await this.run(id);
    const { cancelled, bookings } = await this.bus.cancelRun(id);
    if (!cancelled) throw new CoreError('INVALID_TRANSITION', 'the run is already cancelled');
    const atMs = Date.now();
    const title = '校车班次已取消';
    const body = `${run.routeName} ${formatMinute(run.departsAtMs)} 的班次已取消，预约已作废`;
    await this.notices.insertMissing(
      bookings.map((b) => ({
        id: `bus-cancelled:${b.id}`,
        personId: b.personId,
        kind: 'bus-cancelled',
        title,
        body,
        data: { runId: id },
        createdAtMs: atMs,
      })),
    );
    for (const b of bookings)
      this.activity.emit({
        type: 'notice',
        cardNo: b.cardNo,
        noticeId: `bus-cancelled:${b.id}`,
        kind: 'bus',
        title,
        atMs,
      });
    return { run: await this.run(id), told: bookings.length };
  }

  /**
   * Seats still booked `noShowGraceMs` after departure are no-shows (the scheduled job, or the transport
   * office); a rider reaching `noShowsMax` within the window is barred from booking for `noShowBarMs`.
   */
  markNoShows(nowMs: number = Date.now()): Promise<{ marked: number; barred: string[] }> {
    return this.bus.markNoShows(nowMs - this.options.noShowGraceMs, {
      max: this.options.noShowsMax,
      sinceMs: nowMs - this.options.noShowWindowMs,
      barredUntilMs: nowMs + this.options.noShowBarMs,
    });
  }

  /** Starts the no-show job: every `everyMs`, once across core instances where a lock is given. */
  startNoShowJob(everyMs: number, log: Logger, lock?: JobLock): void {
    this.jobs.push(
      schedule({
        name: 'bus-no-shows',
        everyMs,
        log,
        lock,
        run: async () => void (await this.markNoShows()),
      }),
    );
  }

  async stopJobs(): Promise<void> {
    await Promise.all(this.jobs.splice(0).map((job) => job.stop()));
  }

  private readonly jobs: Job[] = [];

  noShows(fromMs: number, toMs: number): Promise<BusNoShow[]> {
    return this.bus.noShows(fromMs, toMs);
  }

  async counts(runId: string) {
    await this.run(runId);
    return this.bus.countsOf(runId);
  }
}
