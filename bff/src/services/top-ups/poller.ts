import type { RefundBillRow, TopUpMismatch, TopUpOrder, TopUpRefund } from '@campus-card/core/client';
import { type Job, type JobLock, schedule } from '@campus-card/core/jobs';
import { addDays, shanghaiParts, shanghaiToday } from '@campus-card/core/time';
import { parseAlipayBill } from '../alipay-bill.ts';
import { outRequestNoOf } from '../alipay-pay.ts';
import type { TopUpRefunder } from './refunds.ts';
import { errorName, isFinal, type PaymentChecks, type TopUpDeps, TopUpPart } from './shared.ts';

export interface PollReport {
  checked: number;
  credited: number;
  closed: number;
  /** Refunds still processing that were looked up (and settled or asked again). */
  refunds: number;
  failed: number;
}

const ORDERS_PER_POLL_MAX = 100;
/** At most this many pages of orders per pass (1,000 orders); the next pass starts again from the oldest. */
const POLL_PAGES_MAX = 10;

/**
 * What the notifications missed: a pass over unsettled orders and processing refunds every
 * TOP_UP_POLL_INTERVAL_MS, and once a day the reconciliation of yesterday against each channel's bill.
 */
export class TopUpPoller extends TopUpPart {
  #job: Job | undefined;

  constructor(
    deps: TopUpDeps,
    private readonly checks: PaymentChecks,
    private readonly refunds: TopUpRefunder,
  ) {
    super(deps);
  }

  /**
   * One pass over orders older than TOP_UP_POLL_AFTER_MS that are not settled: each is queried;
   * a paid one is credited (its notification was lost or late), an expired unpaid one is closed
   * at WeChat first and then here, so it cannot be paid behind our back.
   */
  async pollOnce(): Promise<PollReport> {
    const report: PollReport = { checked: 0, credited: 0, closed: 0, refunds: 0, failed: 0 };
    // Pages by id, so orders still waiting to be paid never hide newer ones that were paid.
    let afterId: string | undefined;
    for (let page = 0; page < POLL_PAGES_MAX; page++) {
      const { items } = await this.core.unsettledTopUpOrders(
        this.config.pollAfterMs,
        ORDERS_PER_POLL_MAX,
        afterId,
      );
      for (const order of items) {
        report.checked += 1;
        try {
          const outcome = await this.settle(order);
          if (outcome === 'credited') report.credited += 1;
          if (outcome === 'closed') report.closed += 1;
        } catch (error) {
          report.failed += 1;
          this.log.warn({ orderId: order.id, err: errorName(error) }, 'top-up poll failed for an order');
        }
      }
      afterId = items.at(-1)?.id;
      if (items.length < ORDERS_PER_POLL_MAX || afterId === undefined) break;
    }
    const refunds = await this.core.processingTopUpRefunds(this.config.pollAfterMs, ORDERS_PER_POLL_MAX);
    for (const refund of refunds.items) {
      report.refunds += 1;
      try {
        await this.followRefund(refund);
      } catch (error) {
        report.failed += 1;
        this.log.warn({ orderId: refund.orderId, err: errorName(error) }, 'top-up poll failed for a refund');
      }
    }
    return report;
  }

  /**
   * A refund without its notification: settled from the refund query, or asked again under the same
   * out_refund_no when WeChat never got it (the request was lost on the way).
   */
  private async followRefund(refund: TopUpRefund): Promise<void> {
    const order = await this.core.topUpOrder(refund.orderId);
    if (order.channel === 'alipay') {
      // Alipay refunds synchronously, once per out_request_no: asking again answers the first result.
      await this.refunds.askAlipay(order, refund);
      return;
    }
    const found = await this.wechatPay().findRefund(refund.id);
    if (found === undefined) {
      const asked = await this.wechatPay().refund({
        outTradeNo: order.id,
        outRefundNo: refund.id,
        amount: refund.amount,
        total: order.amount,
        reason: refund.reason,
      });
      if (asked.status === 'SUCCESS' || asked.status === 'CLOSED' || asked.status === 'ABNORMAL')
        await this.settleRefund(refund.id, asked.status, asked.refundId, asked.successTime);
      return;
    }
    if (found.status === 'SUCCESS' || found.status === 'CLOSED' || found.status === 'ABNORMAL')
      await this.settleRefund(refund.id, found.status, found.refundId, found.successTime);
  }

  private async settle(order: TopUpOrder): Promise<'credited' | 'closed' | 'waiting'> {
    if (order.channel === 'alipay') return this.settleAlipay(order);
    const expired = order.expiresAtMs <= Date.now();
    const t = await this.wechatPay().query(order.id);
    if (t === undefined) {
      // WeChat never got the order (the create failed on the way): nothing to pay, close when due.
      if (!expired) return 'waiting';
      await this.core.closeTopUpOrder(order.id);
      return 'closed';
    }
    if (t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND')
      return (await this.checks.applyTransaction(t, 'poll')) === 'credited' ? 'credited' : 'waiting';
    if (t.trade_state === 'CLOSED' || t.trade_state === 'REVOKED' || t.trade_state === 'PAYERROR') {
      await this.core.closeTopUpOrder(order.id);
      return 'closed';
    }
    if (!expired) return 'waiting';
    const closed = await this.wechatPay().close(order.id);
    if (closed === 'paid') {
      const paid = await this.wechatPay().query(order.id);
      if (paid) await this.checks.applyTransaction(paid, 'poll');
      return 'credited';
    }
    await this.core.closeTopUpOrder(order.id);
    return 'closed';
  }

  /**
   * An Alipay order the notifications left behind: alipay.trade.query; paid is credited, closed at
   * Alipay is closed here, and an expired unpaid one is closed at Alipay first (alipay.trade.close)
   * and then here, so it cannot be paid behind our back. A trade Alipay never had (an H5 cashier
   * never opened, or a create that never arrived) is closed here once expired.
   */
  private async settleAlipay(order: TopUpOrder): Promise<'credited' | 'closed' | 'waiting'> {
    const alipay = this.alipayPay();
    const expired = order.expiresAtMs <= Date.now();
    const trade = await alipay.query(order.id);
    if (trade === undefined) {
      if (!expired) return 'waiting';
      await this.core.closeTopUpOrder(order.id);
      return 'closed';
    }
    if (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED')
      return (await this.checks.applyPaid(this.checks.alipayPaid(trade), 'poll')) === 'credited'
        ? 'credited'
        : 'waiting';
    if (trade.status === 'TRADE_CLOSED') {
      if (trade.paidAtMs !== undefined) {
        // Paid, then refunded in full at Alipay: not ours to close; the card centre sees it.
        await this.checks.alert(
          order.id,
          'state_differs',
          `${order.status} ${order.amount}`,
          `TRADE_CLOSED ${trade.totalText} ${trade.tradeNo}`,
          Date.now(),
          {
            source: 'poll',
            why: 'Alipay trade closed after payment while the order is not credited',
          },
        );
        return 'waiting';
      }
      await this.core.closeTopUpOrder(order.id);
      return 'closed';
    }
    if (!expired) return 'waiting';
    const closed = await alipay.close(order.id);
    if (closed === 'paid') {
      const paid = await alipay.query(order.id);
      if (paid) await this.checks.applyPaid(this.checks.alipayPaid(paid), 'poll');
      return 'credited';
    }
    await this.core.closeTopUpOrder(order.id);
    return 'closed';
  }

  /**
   * Our top-ups and their refunds against each channel's bill of one Asia/Shanghai day: WeChat's trade
   * bill, and with Alipay configured, Alipay's 业务明细 (a day without an Alipay bill is compared as
   * empty). Differences are stored in the core. Both channels are tried; a failure of either is thrown after.
   */
  async reconcile(billDate: string): Promise<TopUpMismatch[]> {
    const found: TopUpMismatch[] = [];
    let failure: unknown;
    if (this.pay) {
      try {
        const bill = await this.pay.tradeBill(billDate);
        found.push(
          ...(await this.core.reconcileTopUps(billDate, bill.rows, 'wechat', bill.refunds)).mismatches,
        );
      } catch (error) {
        failure = error;
      }
    }
    if (this.alipay) {
      try {
        const zip = await this.alipay.billZip(billDate);
        const bill = zip === undefined ? { rows: [], refunds: [] } : parseAlipayBill(zip);
        const refunds = await this.ourRefundIds(bill.refunds);
        found.push(...(await this.core.reconcileTopUps(billDate, bill.rows, 'alipay', refunds)).mismatches);
      } catch (error) {
        failure ??= error;
      }
    }
    if (found.length > 0)
      this.log.warn({ billDate, count: found.length }, 'top-up reconciliation found differences');
    if (failure !== undefined) throw failure;
    return found;
  }

  /**
   * Alipay's bill names a refund by its out_request_no, our refund id encoded (outRequestNoOf): each
   * is turned back into the id of the order's refund it encodes. A number no refund of that order
   * encodes stays as it is, so the core finds no such refund (missing_ours).
   */
  private async ourRefundIds(rows: readonly RefundBillRow[]): Promise<RefundBillRow[]> {
    const idsByOrder = new Map<string, Map<string, string>>();
    const mapped: RefundBillRow[] = [];
    for (const row of rows) {
      let ids = idsByOrder.get(row.outTradeNo);
      if (ids === undefined) {
        ids = new Map();
        try {
          for (const refund of (await this.core.topUpRefunds(row.outTradeNo)).items)
            ids.set(outRequestNoOf(refund.id), refund.id);
        } catch (error) {
          if (!isFinal(error)) throw error;
        }
        idsByOrder.set(row.outTradeNo, ids);
      }
      mapped.push({ ...row, outRefundNo: ids.get(row.outRefundNo) ?? row.outRefundNo });
    }
    return mapped;
  }

  async mismatches(billDate: string | undefined, limit: number) {
    return (await this.core.topUpMismatches({ ...(billDate ? { billDate } : {}), limit })).items;
  }

  /**
   * Polls every TOP_UP_POLL_INTERVAL_MS and reconciles yesterday once a day (by a kv claim); with a
   * lock (several BFF instances on one Redis), one instance polls each tick.
   */
  start(lock?: JobLock): void {
    if (this.config.pollIntervalMs === 0 || this.#job) return;
    this.#job = schedule({
      name: 'top-up-poll',
      everyMs: this.config.pollIntervalMs,
      log: this.log,
      lock,
      run: () => this.tick(),
    });
  }

  /** Stops polling; answers once a poll in flight has finished. */
  async stop(): Promise<void> {
    const job = this.#job;
    this.#job = undefined;
    await job?.stop();
  }

  private async tick(): Promise<void> {
    await this.pollOnce();
    const nowMs = Date.now();
    const { hour } = shanghaiParts(nowMs);
    if (this.config.reconcileAtHour >= 0 && hour >= this.config.reconcileAtHour) {
      const yesterday = addDays(shanghaiToday(nowMs), -1);
      if (await this.kv.setIfAbsent(`topup-reconciled:${yesterday}`, '1', 3 * 86_400_000))
        await this.reconcile(yesterday);
    }
  }
}
