import { randomUUID } from 'node:crypto';
import type { CoreClient, TopUpMismatch, TopUpOrder, TopUpRefund } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import type { JobLock } from '@campus-card/core/jobs';
import type { Logger } from '@campus-card/core/log';
import { BffError } from '../../errors.ts';
import type { Kv } from '../../kv/index.ts';
import { type AlipayPay, AlipayRefused, AlipayUnavailable, isAlipayAccount } from '../alipay-pay.ts';
import { AlipayNotifications, type AlipayNotifyAnswer } from './alipay-notify.ts';
import type { TopUpConfig, TopUpSettings } from './config.ts';
import { type PollReport, TopUpPoller } from './poller.ts';
import { TopUpRefunder } from './refunds.ts';
import { type CardOfUser, errorName, PaymentChecks, TopUpPart, type TopUpView, view } from './shared.ts';
import { type NotifyAnswer, WechatNotifications } from './wechat-notify.ts';
import type { RequestPayment, WechatPay } from './wechat-pay.ts';

export type { AlipayNotifyAnswer, CardOfUser, NotifyAnswer, PollReport, TopUpView };
export { view };

// Top-ups, split along their stories: this file places orders and reads them; wechat-notify.ts and
// alipay-notify.ts take the platforms' notifications; poller.ts catches what they missed and
// reconciles each day; refunds.ts gives money back; shared.ts holds the check that credits once.

/** The result page polls every 0.5–3 s; WeChat is asked about one order at most this often. */
const QUERY_ON_READ_MS = 2_000;

/**
 * Top-ups by WeChat Pay: orders through the SDK, notifications checked and applied, a poller for
 * what notifications missed, refunds and the daily reconciliation. The core keeps the orders and
 * credits each WeChat transaction once; this service speaks WeChat Pay.
 */
export class TopUpService extends TopUpPart {
  #checks: PaymentChecks;
  #wechat: WechatNotifications;
  #alipayNotes: AlipayNotifications;
  #refunds: TopUpRefunder;
  #poller: TopUpPoller;

  constructor(
    core: CoreClient,
    /** WeChat Pay; undefined on a server that takes Alipay only. */
    pay: WechatPay | undefined,
    kv: Kv,
    /** The shared settings, plus WeChat Pay's appid, mchid and H5 page when WeChat Pay is configured. */
    config: TopUpSettings & Partial<Pick<TopUpConfig, 'appId' | 'mchid' | 'h5PayUrl'>>,
    private readonly cardOf: CardOfUser,
    log: Logger,
    /** Alipay as the second channel (docs/alipay.md); orders with channel 'alipay' are refused without it. */
    alipay?: AlipayPay,
    /** The H5 result page Alipay's cashier returns to ({id} is the order id); TOP_UP_H5_RETURN_URL by default. */
    private readonly alipayReturnUrl: string = config.h5ReturnUrl,
  ) {
    const deps = { core, pay, alipay, kv, config, log };
    super(deps);
    this.#refunds = new TopUpRefunder(deps);
    this.#checks = new PaymentChecks(deps, this.#refunds);
    this.#wechat = new WechatNotifications(deps, this.#checks);
    this.#alipayNotes = new AlipayNotifications(deps, this.#checks);
    this.#poller = new TopUpPoller(deps, this.#checks, this.#refunds);
  }

  limits() {
    return {
      minAmount: this.config.amountMin,
      maxAmount: this.config.amountMax,
      dailyCap: this.config.dailyCap,
      presets: this.config.presets.filter((p) => p >= this.config.amountMin && p <= this.config.amountMax),
      /** The channels this server takes; a browser may offer both (WeChat's page, Alipay's wap cashier). */
      channels: [...(this.pay ? ['wechat' as const] : []), ...(this.alipay ? ['alipay' as const] : [])],
    };
  }

  async create(
    openid: string,
    input: {
      amount: number;
      idempotencyKey?: string | undefined;
      cardNo?: string | undefined;
      channel?: TopUpOrder['channel'] | undefined;
      /** A fee bill of the caller's the order pays (docs/funds.md § Fees): the core checks what is owed. */
      feeBillId?: string | undefined;
    },
  ): Promise<TopUpView> {
    const channel = input.channel ?? 'wechat';
    if (channel === 'alipay' && !this.alipay)
      throw new BffError('UNAVAILABLE', 'Alipay top-ups are not configured on this server');
    if (channel === 'wechat' && !this.pay)
      throw new BffError('UNAVAILABLE', 'WeChat Pay top-ups are not configured on this server');
    // An Alipay account has no WeChat openid to pay with: refused before any order is made.
    if (channel === 'wechat' && isAlipayAccount(openid))
      throw new BffError(
        'VALIDATION_FAILED',
        'an account signed in through Alipay tops up with channel alipay',
      );
    const { amountMin, amountMax } = this.config;
    // A fee is whatever the bill owes (the core refuses more, or a part where parts are not allowed).
    if (input.feeBillId === undefined && (input.amount < amountMin || input.amount > amountMax))
      throw new BffError('AMOUNT_OUT_OF_RANGE', `a top-up is ${amountMin} to ${amountMax} fen`, {
        minAmount: amountMin,
        maxAmount: amountMax,
      });
    const cardNo =
      input.feeBillId === undefined ? await this.cardFor(openid, input.cardNo) : await this.cardOf(openid);
    const order = await this.core.createTopUpOrder({
      ...(input.feeBillId === undefined ? {} : { feeBillId: input.feeBillId }),
      openid,
      cardNo,
      idempotencyKey: input.idempotencyKey ?? randomUUID(),
      amount: input.amount,
      channel,
      dailyCap: this.config.dailyCap,
      ttlMs: this.config.orderTtlMs,
    });
    if (order.status !== 'created' || order.expiresAtMs <= Date.now()) return view(order);
    if (order.channel === 'alipay') return this.placeWithAlipay(order);
    // Placing the same order again is safe: WeChat answers an identical repeat with the same prepay_id.
    const payment = await this.wechatPay().jsapi({
      outTradeNo: order.id,
      amount: order.amount,
      openid,
      expiresAtMs: order.expiresAtMs,
    });
    await this.core.setTopUpPrepayId(order.id, payment.package.slice('prepay_id='.length));
    const { appId: _appId, ...forClient } = payment;
    return { ...view(order), payment: forClient, ...this.payPage(order, payment) };
  }

  /**
   * Places an Alipay order: from the Alipay mini-program (an account signed in through Alipay) with
   * alipay.trade.create, whose trade_no the app hands to my.tradePay; from anywhere else (the H5
   * build in a browser) as the signed alipay.trade.wap.pay cashier URL. Placing the same order again
   * answers the same trade, so a retried create is safe.
   */
  private async placeWithAlipay(order: TopUpOrder): Promise<TopUpView> {
    const alipay = this.alipay as AlipayPay;
    const placed = { outTradeNo: order.id, amount: order.amount, expiresAtMs: order.expiresAtMs };
    if (!isAlipayAccount(order.openid)) {
      const returnUrl = this.alipayReturnUrl.replace('{id}', order.id);
      return { ...view(order), payPageUrl: alipay.wapPayUrl(placed, returnUrl) };
    }
    let tradeNo: string;
    try {
      tradeNo = await alipay.createForMiniProgram({ ...placed, openid: order.openid });
    } catch (error) {
      if (error instanceof AlipayUnavailable || error instanceof AlipayRefused) {
        this.log.warn({ orderId: order.id, err: errorName(error) }, 'Alipay trade.create failed');
        throw new BffError('ALIPAY_UNAVAILABLE', 'Alipay could not place the order; try again');
      }
      throw error;
    }
    await this.core.setTopUpPrepayId(order.id, tradeNo);
    return { ...view(order), alipay: { tradeNO: tradeNo } };
  }

  /**
   * The card an account may top up: its own (its binding's), or, when it names another card, a
   * child's it is linked to as a parent. The payer is always the calling account.
   */
  private async cardFor(openid: string, requested: string | undefined): Promise<string> {
    if (requested === undefined) return this.cardOf(openid);
    const links = await this.core.guardianLinks({ parentOpenid: openid });
    if (links.items.some((link) => link.cardNo === requested)) return requested;
    let own: string | undefined;
    try {
      own = await this.cardOf(openid);
    } catch (error) {
      if (!(error instanceof BffError && error.code === 'NOT_BOUND')) throw error;
    }
    if (own !== requested)
      throw new BffError('FORBIDDEN', 'you can top up your own card or a linked child’s');
    return own;
  }

  /**
   * One order, as the result page polls it. While it is still created after being placed, WeChat is
   * asked directly (at most once per order every QUERY_ON_READ_MS, across instances) so a payment
   * whose notification is late shows as credited without waiting for the poller.
   */
  async get(openid: string, id: string): Promise<TopUpView> {
    const order = await this.ownOrder(openid, id);
    // An Alipay H5 order has no trade until the payer opens the cashier: it is asked about too.
    if (order.status !== 'created' || (order.prepayId === null && order.channel !== 'alipay'))
      return view(order);
    if (!(await this.kv.setIfAbsent(`topup-query:${order.id}`, '1', QUERY_ON_READ_MS))) return view(order);
    if (order.channel === 'alipay') {
      try {
        const trade = await this.alipayPay().query(order.id);
        if (trade && (trade.status === 'TRADE_SUCCESS' || trade.status === 'TRADE_FINISHED')) {
          await this.#checks.applyPaid(this.#checks.alipayPaid(trade), 'poll');
          return view(await this.core.topUpOrder(order.id));
        }
      } catch (error) {
        this.log.warn({ orderId: order.id, err: errorName(error) }, 'top-up query on read failed');
      }
      return view(order);
    }
    try {
      const t = await this.wechatPay().query(order.id);
      if (t && (t.trade_state === 'SUCCESS' || t.trade_state === 'REFUND')) {
        await this.#checks.applyTransaction(t, 'poll');
        return view(await this.core.topUpOrder(order.id));
      }
    } catch (error) {
      // The page keeps polling and the poller keeps going; a failed look-up changes nothing.
      this.log.warn({ orderId: order.id, err: errorName(error) }, 'top-up query on read failed');
    }
    return view(order);
  }

  async list(openid: string, page: { limit: number; beforeId?: string | undefined }) {
    const cardNo = await this.cardOf(openid);
    const found = await this.core.topUpOrders(cardNo, page);
    return { items: found.items.map(view), next: found.next };
  }

  /** A notification from WeChat Pay (wechat-notify.ts). */
  notify(headers: Record<string, string | string[] | undefined>, rawBody: Buffer): Promise<NotifyAnswer> {
    return this.#wechat.notify(headers, rawBody);
  }

  /** An Alipay asynchronous notification (alipay-notify.ts). */
  notifyAlipay(fields: Record<string, string>): Promise<AlipayNotifyAnswer> {
    return this.#alipayNotes.notify(fields);
  }

  /** One pass of the poller (poller.ts). */
  pollOnce(): Promise<PollReport> {
    return this.#poller.pollOnce();
  }

  /** Refunds (part of) a top-up (refunds.ts). */
  refund(orderId: string, input: { refundId: string; amount: number; reason: string }): Promise<TopUpRefund> {
    return this.#refunds.refund(orderId, input);
  }

  /**
   * Our top-ups against each channel's bill of one day (poller.ts). A bill Alipay did not give, or gave
   * in an answer that does not verify, is ALIPAY_UNAVAILABLE (503): nothing of that channel is compared,
   * and the run can simply be started again.
   */
  async reconcile(billDate: string): Promise<TopUpMismatch[]> {
    try {
      return await this.#poller.reconcile(billDate);
    } catch (error) {
      if (error instanceof AlipayUnavailable) {
        this.log.warn({ billDate, err: error.reason }, "Alipay's bill could not be fetched");
        throw new BffError('ALIPAY_UNAVAILABLE', "Alipay's bill could not be fetched; try again");
      }
      throw error;
    }
  }

  mismatches(billDate: string | undefined, limit: number) {
    return this.#poller.mismatches(billDate, limit);
  }

  /** Starts the poller; with a lock, one instance polls each tick. */
  start(lock?: JobLock): void {
    this.#poller.start(lock);
  }

  /** Stops polling; answers once a poll in flight has finished. */
  stop(): Promise<void> {
    return this.#poller.stop();
  }

  private async ownOrder(openid: string, id: string): Promise<TopUpOrder> {
    try {
      const order = await this.core.topUpOrder(id);
      // Someone else's order reads as no order at all.
      if (order.openid !== openid) throw new BffError('NOT_FOUND', 'no such top-up');
      return order;
    } catch (error) {
      if (error instanceof CoreError && error.code === 'TOP_UP_NOT_FOUND')
        throw new BffError('NOT_FOUND', 'no such top-up');
      throw error;
    }
  }

  private payPage(order: TopUpOrder, payment: RequestPayment): { payPageUrl?: string } {
    if (!this.config.h5PayUrl) return {};
    const url = new URL(this.config.h5PayUrl);
    for (const [key, value] of Object.entries(payment)) url.searchParams.set(key, value);
    if (this.config.h5ReturnUrl)
      url.searchParams.set('return_url', this.config.h5ReturnUrl.replace('{id}', order.id));
    return { payPageUrl: url.toString() };
  }
}
