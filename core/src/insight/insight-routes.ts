import Router from 'koa-router';
import { z } from 'zod';
import { attendanceWarningsQuery, spendingGroupings } from '../contract/insight.ts';
import { CoreError } from '../errors.ts';
import { parseValue } from '../http/middleware.ts';
import { dayBoundsMs, formatDay, parseDay, parseMonth, shanghaiDay } from '../time.ts';
import { attendanceWarnings } from './attendance-warnings.ts';
import { loadDay, loadNow, slotMs } from './canteen-load.ts';
import { deviceFailures, merchantRanking, subsidyEffect } from './card-centre-reports.ts';
import { hiddenNeedCandidates, hiddenNeedDefaults } from './hidden-need.ts';
import { personInsight } from './person-insight.ts';
import { spendingStructureOf } from './spending-structure.ts';
import type { InsightSlot, RunningInsight } from './start.ts';

const month = z.string().refine((text) => parseMonth(text) !== undefined, 'expected a month YYYY-MM');
const ratio = z.coerce.number().gt(0).max(1);
const hiddenNeedQuery = z.object({
  month,
  campusDaysMin: z.coerce.number().int().min(1).max(31).optional(),
  mealsRatioMax: ratio.optional(),
  spendRatioMax: ratio.optional(),
  // Never under 10: a smaller group is not compared with itself (k-anonymity of the yardstick).
  cohortSizeMin: z.coerce.number().int().min(10).max(10_000).optional(),
  fallingRatioMax: ratio.optional(),
  limit: z.coerce.number().int().min(1).max(1_000).default(200),
});

/**
 * The insight store's answers for the backoffice (the BFF checks the admin's right and audits the
 * view; this internal API is reached with a service key only). Off (NOT_FOUND) where INSIGHT_DB_PATH
 * is unset.
 */
export function insightRoutes(insight: InsightSlot): Router {
  const router = new Router({ prefix: '/v1/insight' });
  const running = (): RunningInsight => {
    const open = insight.running;
    if (open === undefined) throw new CoreError('NOT_FOUND', 'campus insight is off (INSIGHT_DB_PATH unset)');
    return open;
  };

  /** The hidden-need candidates of one month, most pressing first, with the thresholds used. */
  router.get('/hidden-need', async (ctx) => {
    const { month: key, limit, ...given } = parseValue({ ...ctx.query }, hiddenNeedQuery);
    const thresholds = {
      ...hiddenNeedDefaults,
      ...Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined)),
    };
    const store = running().store;
    const candidates = await hiddenNeedCandidates(store, key, thresholds);
    ctx.body = {
      month: key,
      thresholds,
      total: candidates.length,
      items: candidates.slice(0, limit),
      sources: await store.watermarks(),
    };
  });

  /** Attendance warnings now, for one department or all, most pressing first, with the evidence. */
  router.get('/attendance-warnings', async (ctx) => {
    const { department, limit, ...given } = parseValue({ ...ctx.query }, attendanceWarningsQuery);
    const thresholds = Object.fromEntries(Object.entries(given).filter(([, v]) => v !== undefined));
    const open = running();
    const answer = await attendanceWarnings(
      open.store,
      Date.now(),
      department ?? null,
      thresholds,
      (from, to) => open.ledger.lateReturns(from, to),
    );
    ctx.body = { ...answer, total: answer.items.length, items: answer.items.slice(0, limit) };
  });

  /**
   * How busy each canteen window is now and in 30 minutes (forecast from the last eight weeks), with
   * the holidays of the campus calendar (the passage domain's, kept by the card centre).
   */
  router.get('/canteen-load', async (ctx) => {
    const nowMs = Date.now();
    const today = shanghaiDay(nowMs);
    const slot = Math.floor((nowMs - dayBoundsMs(today).startMs) / slotMs);
    const open = running();
    const counts = await open.store.slotCounts(dayBoundsMs(today - 56).startMs, nowMs + 1);
    const holidays = new Set(await open.ledger.holidays(today - 56, today));
    ctx.body = { atMs: nowMs, items: loadNow(counts, today, slot, holidays) };
  });

  /** One day's forecast per canteen window and slot against the payments made (the backoffice's chart). */
  router.get('/canteen-day', async (ctx) => {
    const { day: text } = parseValue(
      { ...ctx.query },
      z.object({
        day: z
          .string()
          .refine((t) => parseDay(t) !== undefined, 'expected a date YYYY-MM-DD')
          .optional(),
      }),
    );
    const day = text === undefined ? shanghaiDay(Date.now()) : (parseDay(text) as number);
    const open = running();
    const counts = await open.store.slotCounts(dayBoundsMs(day - 56).startMs, dayBoundsMs(day).endMs);
    const holidays = new Set(await open.ledger.holidays(day - 56, day));
    ctx.body = { day: formatDay(day), holiday: holidays.has(day), items: loadDay(counts, day, holidays) };
  });

  /** A month's spending per department or grade; groups under 10 students are named without figures. */
  router.get('/spending-structure', async (ctx) => {
    const query = parseValue(
      { ...ctx.query },
      z.object({ month, by: z.enum(spendingGroupings).default('department') }),
    );
    ctx.body = await spendingStructureOf(running().store, query.month, query.by);
  });

  /** The card centre's other reports for a month (card-centre-reports.ts), each under the k ≥ 10 rule. */
  const reports = {
    'subsidy-effect': subsidyEffect,
    'merchant-ranking': merchantRanking,
    'device-failures': deviceFailures,
  };
  for (const [path, report] of Object.entries(reports))
    router.get(`/${path}`, async (ctx) => {
      const query = parseValue({ ...ctx.query }, z.object({ month }));
      ctx.body = await report(running().store, query.month);
    });

  /** What the store holds about one student card (the BFF asks for the signed-in student's own only). */
  router.get('/people/:cardNo', async (ctx) => {
    const { cardNo } = parseValue(ctx.params, z.object({ cardNo: z.string().trim().min(1).max(32) }));
    const open = running();
    ctx.body = await personInsight(open.store, cardNo, Date.now(), open.retentionDays);
  });

  /** Where each source of the extract stands (the job's progress). */
  router.get('/sources', async (ctx) => {
    ctx.body = { items: await running().store.watermarks() };
  });
  return router;
}
