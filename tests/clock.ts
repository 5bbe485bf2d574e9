/**
 * A clock the tests can set. The days of this system are Asia/Shanghai days; a bug that cuts them
 * in the machine's zone shows only while the machine's date and Shanghai's differ: from 16:00 to
 * 24:00 UTC on a machine in UTC, from 16:00 to 08:00 UTC in America/Los_Angeles, where every test
 * process and browser runs. A test of a day or month boundary therefore moves the clock of the
 * system under test into that window (03:30 Shanghai is 19:30 UTC, inside both), to the first of a
 * month, or across a Shanghai midnight, on every run instead of some of them.
 *
 * The shift is an offset added to the process's `Date` (`Date.now()` and `new Date()`); timers keep
 * real time. Worlds started after the shift use it for the database clock too (the core's
 * `clockOffsetMs` option: tests/kit/core.ts), and browser contexts made with
 * tests/browser.ts start their page clocks at the shifted time. The clock only moves forward, so
 * cookies and tokens issued by the shifted services never look expired to a real clock. Shift it
 * before starting the world (a shift moves the browser contexts made after it).
 */
const RealDate = globalThis.Date;
const dayMs = 86_400_000;
const shanghaiOffsetMs = 8 * 3_600_000;
let offsetMs = 0;
/** While holdClock runs: the instant the process clock stands at. */
let heldAtMs: number | undefined;
const nowMs = (): number => heldAtMs ?? RealDate.now() + offsetMs;

/** How far the process clock is ahead of the machine's, ms (0 when never shifted). */
export const clockOffsetMs = (): number => offsetMs;

// Installed when this module loads, which tests/exit-guard.ts makes the first thing in every test
// process: code that keeps `Date.now` as a default (`now = Date.now`) keeps this one and follows a
// later shift. With no shift it is the machine's clock. A function rather than a class, so `Date()`
// without new still answers a string; Reflect.construct keeps subclasses of Date working.
const ShiftedDate = function (this: unknown, ...args: unknown[]) {
  if (!new.target) return new RealDate(nowMs()).toString();
  return Reflect.construct(RealDate, args.length === 0 ? [nowMs()] : args, new.target);
} as unknown as DateConstructor;
Object.setPrototypeOf(ShiftedDate, RealDate);
Object.defineProperty(ShiftedDate, 'prototype', { value: RealDate.prototype });
ShiftedDate.now = nowMs;
globalThis.Date = ShiftedDate;

/**
 * Moves the process clock forward to the next instant whose Asia/Shanghai time of day is `time`
 * ('HH:mm:ss' or 'HH:mm'), and answers that instant. '03:30' is 19:30 UTC, where the date in
 * America/Los_Angeles (and in UTC) is the day before Shanghai's; '23:59:57' sits just before a
 * Shanghai midnight.
 */
export function setShanghaiTime(time: string): number {
  const match = /^(\d{2}):(\d{2})(?::(\d{2}))?$/.exec(time);
  if (!match) throw new RangeError(`not a time of day: ${time}`);
  const target = ((Number(match[1]) * 60 + Number(match[2])) * 60 + Number(match[3] ?? 0)) * 1000;
  const now = RealDate.now() + offsetMs;
  let ahead = target - ((now + shanghaiOffsetMs) % dayMs);
  if (ahead <= 0) ahead += dayMs;
  offsetMs += ahead;
  return now + ahead;
}

/**
 * Moves the process clock forward to `time` Shanghai on the first day of the next Shanghai month
 * (as setShanghaiTime), where even the month differs from the machine's: statements and bills.
 */
export function setShanghaiMonthStart(time: string): number {
  setShanghaiTime(time);
  for (;;) {
    const shanghai = new RealDate(RealDate.now() + offsetMs + shanghaiOffsetMs);
    if (shanghai.getUTCDate() === 1) return RealDate.now() + offsetMs;
    offsetMs += dayMs;
  }
}

/** Moves the process clock forward to the instant `atMs` (never back), and answers it. */
export function advanceClockTo(atMs: number): number {
  const ahead = atMs - (RealDate.now() + offsetMs);
  if (ahead < 0)
    throw new RangeError(`the test clock only moves forward: ${new RealDate(atMs).toISOString()}`);
  offsetMs += ahead;
  return atMs;
}

/**
 * Runs `run` with the process clock standing still at the instant it is called (`Date.now()` and
 * `new Date()`; timers, Redis expiries and the database clock keep real time), then lets it go on
 * from real time again, which is later: the clock never goes back. For a burst whose outcome
 * depends on how much time passes between its requests (a 1 s delay running out while a loaded
 * machine queues them): held, every request of the burst is decided at the same instant.
 */
export async function holdClock<T>(run: () => Promise<T>): Promise<T> {
  if (heldAtMs !== undefined) return run();
  heldAtMs = RealDate.now() + offsetMs;
  try {
    return await run();
  } finally {
    heldAtMs = undefined;
  }
}
