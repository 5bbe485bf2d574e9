import { createHash } from 'node:crypto';
import type { CardActivityFeed } from '../activity/card-activity.ts';
import type { Database } from '../db/database.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { Logger } from '../log.ts';
import { addMonthsToKey, monthKeyOf, monthKeyRangeMs } from '../time.ts';
import type { Notice, NoticeRepository } from './notice-repository.ts';

const spending = "o.kind IN ('payment', 'post', 'expire')";

const categoryNames: Record<string, string> = {
  canteen: '食堂',
  shop: '超市购物',
  shower: '洗浴',
  laundry: '洗衣',
  library: '图书馆',
  transport: '校车',
  other: '其他',
};

const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;

/** 'YYYY-MM' of the Asia/Shanghai month an instant falls in. */
export const shanghaiMonth = monthKeyOf;

export function previousMonth(month: string): string {
  return addMonthsToKey(month, -1);
}

/** The UTC instants [from, to) of an Asia/Shanghai month. */
export function monthRangeMs(month: string): { fromMs: number; toMs: number } {
  const range = monthKeyRangeMs(month);
  if (!range) throw new RangeError(`not a month: ${month}`);
  return range;
}

interface CardMonth {
  cardNo: string;
  personId: string;
  spent: number;
  toppedUp: number;
  subsidies: number;
}

/**
 * On the first day of each Asia/Shanghai month every card holder who used the card gets last
 * month's statement as a notice: what they spent, on what, against the month before. Two queries
 * over all cards per month (not one per student), notices with deterministic ids inserted once, so
 * a rerun, a restart or a second core instance sends nobody a second one.
 */
export class MonthlyStatementNotices {
  #job: Job | undefined;
  #doneMonth: string | undefined;

  constructor(
    private readonly db: Database,
    private readonly notices: NoticeRepository,
    private readonly activity: CardActivityFeed,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  /** Makes the notices for `month`; answers how many were new. */
  async run(month: string): Promise<number> {
    const kind = `statement:${month}`;
    const [current, before, categories, done] = await Promise.all([
      this.figures(month),
      this.figures(previousMonth(month)),
      this.topCategories(month),
      this.notices.personsWithKind(kind),
    ]);
    const previous = new Map(before.map((f) => [f.cardNo, f.spent]));
    const createdAtMs = this.now();
    const fresh: (Notice & { cardNo: string })[] = [];
    for (const f of current) {
      if (done.has(f.personId)) continue;
      const last = previous.get(f.cardNo) ?? 0;
      const change = f.spent - last;
      const top = categories.get(f.cardNo);
      const [, m] = month.split('-');
      const parts = [`${Number(m)}月共消费 ${yuan(f.spent)}`];
      if (last > 0 || change !== 0)
        parts.push(
          change === 0 ? '与上月持平' : `较上月${change > 0 ? '多' : '少'} ${yuan(Math.abs(change))}`,
        );
      if (top)
        parts.push(`花得最多的是${categoryNames[top.category] ?? top.category}（${yuan(top.amount)}）`);
      if (f.toppedUp > 0) parts.push(`充值 ${yuan(f.toppedUp)}`);
      if (f.subsidies > 0) parts.push(`补贴 ${yuan(f.subsidies)}`);
      fresh.push({
        id: `S${createHash('sha256').update(`${kind}\n${f.personId}`).digest('hex').slice(0, 25)}`,
        personId: f.personId,
        cardNo: f.cardNo,
        kind,
        title: `${month.replace('-', '年')}月账单`,
        body: `${parts.join('，')}。`,
        data: { month, spent: f.spent, previousSpent: last, topCategory: top?.category ?? null },
        createdAtMs,
      });
    }
    await this.notices.insertMissing(fresh.map(({ cardNo, ...notice }) => notice));
    for (const n of fresh)
      this.activity.emit({
        type: 'notice',
        cardNo: n.cardNo,
        noticeId: n.id,
        kind: 'statement',
        title: n.title,
        atMs: n.createdAtMs,
      });
    return fresh.length;
  }

  /**
   * Checks every interval (and at once) whether last month's notices are out yet, and sends them
   * once per month; with a lock (several core instances), one instance checks each tick.
   */
  startSchedule(intervalMs: number, lock?: JobLock): void {
    this.#job = schedule({
      name: 'monthly-statements',
      everyMs: intervalMs,
      runAtStart: true,
      log: this.log,
      lock,
      run: async () => {
        const month = previousMonth(shanghaiMonth(this.now()));
        if (this.#doneMonth === month) return;
        const count = await this.run(month);
        this.#doneMonth = month;
        if (count > 0) this.log.info({ month, count }, 'monthly statement notices sent');
      },
    });
  }

  /** Stops the schedule; answers once a run in flight has finished. */
  async stop(): Promise<void> {
    await this.#job?.stop();
  }

  private async figures(month: string): Promise<CardMonth[]> {
    const { fromMs, toMs } = monthRangeMs(month);
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT c.card_no, c.person_id,
              SUM(CASE WHEN ${spending} THEN o.amount WHEN o.kind = 'refund' THEN -o.amount ELSE 0 END) AS spent,
              SUM(CASE WHEN o.kind = 'top_up' THEN o.amount ELSE 0 END) AS topped_up,
              SUM(CASE WHEN o.kind = 'subsidy' THEN o.amount ELSE 0 END) AS subsidies
         FROM operations o JOIN cards c ON c.card_no = o.card_no
        WHERE o.outcome = 'ok' AND o.created_at_ms >= ? AND o.created_at_ms < ?
        GROUP BY c.card_no, c.person_id`,
      [fromMs, toMs],
    );
    return rows.map((r) => ({
      cardNo: String(r.card_no),
      personId: String(r.person_id),
      spent: Number(r.spent),
      toppedUp: Number(r.topped_up),
      subsidies: Number(r.subsidies),
    }));
  }

  private async topCategories(month: string): Promise<Map<string, { category: string; amount: number }>> {
    const { fromMs, toMs } = monthRangeMs(month);
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT o.card_no, m.category, SUM(o.amount) AS amount
         FROM operations o JOIN merchants m ON m.id = o.merchant_id
        WHERE o.outcome = 'ok' AND o.created_at_ms >= ? AND o.created_at_ms < ? AND ${spending}
        GROUP BY o.card_no, m.category`,
      [fromMs, toMs],
    );
    const top = new Map<string, { category: string; amount: number }>();
    for (const r of rows) {
      const cardNo = String(r.card_no);
      const amount = Number(r.amount);
      const best = top.get(cardNo);
      if (!best || amount > best.amount) top.set(cardNo, { category: String(r.category), amount });
    }
    return top;
  }
}
