import type { CardActivity, CoreClient } from '@campus-card/core/client';
import type { Logger } from '@campus-card/core/log';
import { shanghaiParts, shanghaiToday } from '@campus-card/core/time';

/** The per-minute chart's window. */
const dashboardMinutes = 60;

export type Dashboard = Awaited<ReturnType<typeof computeDashboard>>;

/**
 * Today (Asia/Shanghai) at a glance, from the same report queries finance reads, so the figures
 * agree: sales, top-ups, devices online (from the gateways' presence reports) and used today, refusals, the last hour per
 * minute and today per hour. The GET route and the live socket both answer this.
 *
 * With a campus (docs/campuses.md): the sales at its merchants, its devices (by their effective
 * campus), and no top-ups (null: a top-up is the centre's, not a campus's).
 */
export async function computeDashboard(core: CoreClient, campusId: string | null, nowMs = Date.now()) {
  const today = shanghaiToday(nowMs);
  const { weekday } = shanghaiParts(nowMs);
  const range = { from: today, to: today };
  const sales = campusId === null ? range : { ...range, campusId };
  const [turnover, channels, hours, usage, minutes, online] = await Promise.all([
    core.report<{ paymentCount: number; netAmount: number }>('turnover/daily', sales),
    campusId === null
      ? core.report<{ channel: string; count: number; amount: number }>('top-up-channels', range)
      : null,
    core.report<{ weekday: number; hour: number; count: number; amount: number }>('peak-hours', sales),
    core.report<{ deviceId: string; acceptedCount: number; refusedCount: number }>('device-usage', range),
    core.reportPerMinute(dashboardMinutes, campusId ?? undefined),
    campusId === null ? core.devicePresenceSummary().then((p) => p.online) : null,
  ]);
  const scope = campusId === null ? null : new Set((await core.campusScope(campusId)).deviceIds);
  const used = scope === null ? usage.items : usage.items.filter((d) => scope.has(d.deviceId));
  const devicesOnline =
    online ??
    (await core.devices()).items.filter((d) => scope?.has(d.id) && d.presence?.online === true).length;
  const day = turnover.items[0];
  const operations = used.reduce((n, d) => n + d.acceptedCount + d.refusedCount, 0);
  const refused = used.reduce((n, d) => n + d.refusedCount, 0);
  return {
    atMs: nowMs,
    day: today,
    paymentCount: day?.paymentCount ?? 0,
    turnoverAmount: day?.netAmount ?? 0,
    campusId,
    topUpCount: channels ? channels.items.reduce((n, c) => n + c.count, 0) : null,
    topUpAmount: channels ? channels.items.reduce((n, c) => n + c.amount, 0) : null,
    /** Signed in at a gateway and heard from lately (the gateways' presence reports). */
    devicesOnline,
    devicesUsedToday: used.length,
    refusedRateBp: operations ? Math.round((refused * 10_000) / operations) : 0,
    perMinute: minutes.items,
    paymentsByHour: hours.items
      .filter((c) => c.weekday === weekday)
      .map((c) => ({ hour: c.hour, count: c.count, amount: c.amount })),
  };
}

export interface LiveDashboardOptions {
  /** However much activity arrives, the dashboard is computed at most once in this long. */
  recomputeIntervalMs: number;
  /** Computed again this often even when nothing happens, so device counts and the minute chart move. */
  refreshMs: number;
  /** Sockets one instance feeds at most. */
  subscribersMax: number;
}

export const defaultLiveDashboardOptions: LiveDashboardOptions = {
  recomputeIntervalMs: 1_000,
  refreshMs: 15_000,
  subscribersMax: 1_000,
};

/**
 * The dashboard for the backoffice's open sockets at this instance: one computation shared by all of
 * them, made when card activity arrives (coalesced to at most one per recomputeIntervalMs) and every
 * refreshMs, and only while someone is watching. Each instance computes for its own sockets.
 */
export class LiveDashboard {
  readonly #subscribers = new Set<(message: string) => void>();
  #latest: string | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #refresher: ReturnType<typeof setInterval> | undefined;
  #running = false;
  /** Activity arrived while a computation ran: compute again once it is done. */
  #stale = false;
  #lastStartMs = 0;
  /** Computations made so far (for tests and the log). */
  computations = 0;

  constructor(
    private readonly compute: () => Promise<Dashboard>,
    private readonly log: Logger,
    private readonly options: LiveDashboardOptions = defaultLiveDashboardOptions,
  ) {}

  get size(): number {
    return this.#subscribers.size;
  }

  /**
   * Adds a watcher; it gets the current snapshot (at once when others keep one fresh, else as soon as
   * it is computed) and every later one. Undefined when this instance feeds as many as it may.
   */
  subscribe(send: (message: string) => void): (() => void) | undefined {
    if (this.#subscribers.size >= this.options.subscribersMax) return undefined;
    const fresh = this.#subscribers.size > 0 ? this.#latest : undefined;
    this.#subscribers.add(send);
    if (fresh) send(fresh);
    else this.#request();
    if (!this.#refresher) {
      this.#refresher = setInterval(() => this.#request(), this.options.refreshMs);
      this.#refresher.unref();
    }
    return () => {
      if (!this.#subscribers.delete(send) || this.#subscribers.size > 0) return;
      this.stop();
    };
  }

  /** Card activity heard on the channel: a payment, top-up or refund moves the figures. */
  onActivity(activity: CardActivity): void {
    if (activity.type === 'operation') this.#request();
  }

  /** Stops the timers and forgets the snapshot (nobody is watching). */
  stop(): void {
    clearInterval(this.#refresher);
    clearTimeout(this.#timer);
    this.#refresher = undefined;
    this.#timer = undefined;
    this.#latest = undefined;
  }

  #request(): void {
    if (this.#subscribers.size === 0 || this.#timer) return;
    if (this.#running) {
      this.#stale = true;
      return;
    }
    const waitMs = Math.max(0, this.#lastStartMs + this.options.recomputeIntervalMs - Date.now());
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, waitMs);
  }

  async #run(): Promise<void> {
    if (this.#subscribers.size === 0) return;
    this.#running = true;
    this.#stale = false;
    this.#lastStartMs = Date.now();
    this.computations += 1;
    try {
      const message = JSON.stringify({ type: 'dashboard', dashboard: await this.compute() });
      if (this.#subscribers.size === 0) return;
      this.#latest = message;
      for (const send of this.#subscribers) send(message);
    } catch (error) {
      // The next activity or refresh tries again; the page keeps its last figures meanwhile.
      this.log.warn({ err: { message: (error as Error).message } }, 'live dashboard computation failed');
    } finally {
      this.#running = false;
      if (this.#stale) this.#request();
    }
  }
}

/**
 * One LiveDashboard per campus watched at this instance (null: the whole centre), made when its first
 * socket opens: a campus admin's socket gets their campus's figures only (docs/campuses.md).
 */
export class LiveDashboards {
  readonly #byCampus = new Map<string | null, LiveDashboard>();

  constructor(private readonly make: (campusId: string | null) => LiveDashboard) {}

  of(campusId: string | null): LiveDashboard {
    let dashboard = this.#byCampus.get(campusId);
    if (!dashboard) {
      dashboard = this.make(campusId);
      this.#byCampus.set(campusId, dashboard);
    }
    return dashboard;
  }

  onActivity(activity: CardActivity): void {
    for (const dashboard of this.#byCampus.values()) dashboard.onActivity(activity);
  }

  stop(): void {
    for (const dashboard of this.#byCampus.values()) dashboard.stop();
  }
}
