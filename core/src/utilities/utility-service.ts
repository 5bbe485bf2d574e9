import type { CardService } from '../cards/card-service.ts';
import type {
  DormRoom,
  DormRoomInput,
  UtilityService as ServiceName,
  UtilityOrder,
  UtilityOrderStatus,
  UtilityPurchase,
} from '../contract/utilities.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { Answer } from '../ledger/results.ts';
import type { Logger } from '../log.ts';
import type { MerchantService } from '../merchants/merchant-service.ts';
import type { NoticeRepository } from '../notices/notice-repository.ts';
import { type CreditOutcome, type CreditProvider, ProviderUnavailable } from './providers.ts';
import type { UtilityRepository } from './utility-repository.ts';

/** The merchant (and so the clearing account) each service's income goes to; made at start. */
export const utilityMerchants: Record<ServiceName, { id: string; name: string }> = {
  electricity: { id: 'UTIL-ELECTRICITY', name: '宿舍电费' },
  network: { id: 'UTIL-NETWORK', name: '校园网费' },
};

export interface UtilityOptions {
  /** How long the card's money is held: the longest an outage of ours may last before an order needs finance. */
  holdTimeoutMs: number;
  /** A 'created' order this old is abandoned by the reconciliation (its purchase call died before asking anyone). */
  createdGraceMs: number;
  /** First re-check of an order whose answer was lost; doubles per attempt up to checkDelayMsMax. */
  checkDelayMs: number;
  checkDelayMsMax: number;
  reconcileBatchMax: number;
}

export const defaultUtilityOptions: Omit<UtilityOptions, 'holdTimeoutMs'> = {
  createdGraceMs: 60_000,
  checkDelayMs: 5_000,
  checkDelayMsMax: 600_000,
  reconcileBatchMax: 200,
};

const holdId = (orderId: string) => `util:${orderId}:hold`;

/**
 * Electricity and network purchases (#16, docs/funds.md). The order is written before anything moves;
 * the card's money is HELD before the outside system is asked; the hold is POSTED only after the
 * system said the room or account was credited, and VOIDED only on its definite refusal. Any answer
 * lost (timeout, crash of either side) leaves the order 'held' for reconcile(), which asks the system
 * by the order id (and resends the same order id, which the system credits at most once). So no order
 * is charged without its credit, and none credited twice.
 */
export class UtilityPurchases {
  private reconciler: Job | undefined;
  private roomCheck: Job | undefined;

  constructor(
    private readonly repo: UtilityRepository,
    private readonly providers: Partial<Record<ServiceName, CreditProvider>>,
    private readonly ledger: LedgerService,
    private readonly cards: CardService,
    private readonly merchants: MerchantService,
    private readonly notices: NoticeRepository,
    private readonly log: Logger,
    private readonly options: UtilityOptions,
  ) {}

  /** Makes each configured service's merchant (its clearing account) if it is not there yet. */
  async ensureMerchants(): Promise<void> {
    for (const service of Object.keys(this.providers) as ServiceName[]) {
      const m = utilityMerchants[service];
      try {
        await this.merchants.get(m.id);
      } catch (error) {
        if (!(error instanceof CoreError) || error.code !== 'MERCHANT_NOT_FOUND') throw error;
        try {
          await this.merchants.create({ id: m.id, name: m.name, category: 'other' });
        } catch (raced) {
          if (!(raced instanceof CoreError) || raced.code !== 'ALREADY_EXISTS') throw raced;
        }
      }
    }
  }

  private provider(service: ServiceName): CreditProvider {
    const provider = this.providers[service];
    if (!provider) throw new CoreError('UTILITY_UNAVAILABLE', `no ${service} system is configured`);
    return provider;
  }

  /** Buys electricity for a room or a network package: answers the order as far as it got. */
  async purchase(input: UtilityPurchase): Promise<UtilityOrder> {
    this.provider(input.service);
    if (input.service === 'electricity' && !(await this.repo.room(input.target)))
      throw new CoreError('ROOM_NOT_FOUND', 'no such dorm room');
    if (input.service === 'network' && input.packageId === undefined)
      throw new CoreError('VALIDATION_FAILED', 'a network order names its package');
    const card = await this.cards.get(input.cardNo);
    const now = Date.now();
    const inserted = await this.repo.insert(
      { ...input, personId: card.personId },
      now,
      now + this.options.createdGraceMs,
    );
    let order = await this.mustGet(input.id);
    if (!inserted) {
      const differs = (['service', 'target', 'cardNo', 'amount'] as const).filter(
        (k) => order[k] !== input[k],
      );
      if ((order.packageId ?? undefined) !== input.packageId) differs.push('packageId' as never);
      if (differs.length > 0)
        throw new CoreError('ID_REUSED', 'this order id was used for another order', { fields: differs });
      return order;
    }
    order = await this.drive(order, false);
    return order;
  }

  async get(id: string): Promise<UtilityOrder> {
    return this.mustGet(id);
  }

  private async mustGet(id: string): Promise<UtilityOrder> {
    const order = await this.repo.get(id);
    if (!order) throw new CoreError('UTILITY_ORDER_NOT_FOUND', 'no such order');
    return order;
  }

  /**
   * Takes an order one or more steps towards an end: created → held (or refused), held → credited (or
   * failed, or stays held when no answer came), credited → completed (or exception).
   */
  private async drive(start: UtilityOrder, reconciling: boolean): Promise<UtilityOrder> {
    let order = start;
    if (order.status === 'created') {
      if (reconciling) {
        // Its purchase call died before it asked the system: release whatever was held, if anything.
        await this.release(order);
        await this.repo.transition(order.id, 'created', 'failed', { failureCode: 'ABANDONED' }, Date.now());
        return this.mustGet(order.id);
      }
      const answer = await this.ledger.hold({
        id: holdId(order.id),
        cardNo: order.cardNo,
        merchantId: utilityMerchants[order.service].id,
        amount: order.amount,
        timeoutMs: this.options.holdTimeoutMs,
      });
      if (answer.status === 'rejected') {
        await this.repo.transition(order.id, 'created', 'refused', { failureCode: answer.code }, Date.now());
        return this.mustGet(order.id);
      }
      const now = Date.now();
      if (
        !(await this.repo.transition(
          order.id,
          'created',
          'held',
          { nextCheckAtMs: now + this.options.checkDelayMs },
          now,
        ))
      ) {
        // The reconciliation gave this order up meanwhile: the system was never asked, so nothing is owed.
        await this.release(order);
        return this.mustGet(order.id);
      }
      order = await this.mustGet(order.id);
    }
    if (order.status === 'held') {
      let outcome: CreditOutcome;
      try {
        outcome = await this.ask(order, reconciling);
      } catch (error) {
        if (!(error instanceof ProviderUnavailable)) throw error;
        // No answer: the room may or may not be credited. Only asking again by the order id can tell.
        const delay = Math.min(this.options.checkDelayMs * 2 ** order.attempts, this.options.checkDelayMsMax);
        await this.repo.postpone(order.id, 'held', Date.now() + delay, Date.now());
        this.log.warn(
          { orderId: order.id, service: order.service, err: error.message },
          'utility answer lost; order left held',
        );
        return this.mustGet(order.id);
      }
      if (outcome.kind === 'refused') {
        const voided = await this.release(order);
        if (voided)
          await this.repo.transition(order.id, 'held', 'failed', { failureCode: outcome.code }, Date.now());
        return this.mustGet(order.id);
      }
      if (outcome.kind === 'credited') {
        await this.repo.transition(
          order.id,
          'held',
          'credited',
          { result: outcome.result, nextCheckAtMs: Date.now() },
          Date.now(),
        );
        await this.afterCredit(order, outcome.result);
        order = await this.mustGet(order.id);
      }
    }
    if (order.status === 'credited') {
      // The full usage first, so a hold that expired before the post would still charge what was credited.
      await this.ledger.reportUsage(holdId(order.id), order.amount).catch(() => undefined);
      const posted: Answer = await this.ledger.post({
        id: `util:${order.id}:post`,
        holdId: holdId(order.id),
        amount: order.amount,
      });
      const charged =
        posted.status === 'ok' ||
        (posted.code === 'HOLD_ALREADY_RESOLVED' && posted.details?.chargedAmount === order.amount);
      if (charged) await this.repo.transition(order.id, 'credited', 'completed', {}, Date.now());
      else {
        this.log.error(
          { orderId: order.id, code: posted.status === 'rejected' ? posted.code : undefined },
          'credited order could not be charged',
        );
        await this.repo.transition(
          order.id,
          'credited',
          'exception',
          { failureCode: posted.status === 'rejected' ? posted.code : 'POST_FAILED' },
          Date.now(),
        );
      }
      order = await this.mustGet(order.id);
    }
    return order;
  }

  /** First time: the credit itself. Reconciling: the order looked up, and resent only when the system never saw it. */
  private async ask(order: UtilityOrder, reconciling: boolean): Promise<CreditOutcome> {
    const provider = this.provider(order.service);
    const request = {
      orderId: order.id,
      target: order.target,
      amount: order.amount,
      packageId: order.packageId,
    };
    if (reconciling) {
      const known = await provider.query(order.id);
      if (known.kind !== 'unknown') return known;
    }
    return provider.credit(request);
  }

  /** Voids the order's hold; true when nothing stays held (voided now, before, or never made). */
  private async release(order: UtilityOrder): Promise<boolean> {
    const answer = await this.ledger.void({ id: `util:${order.id}:void`, holdId: holdId(order.id) });
    if (answer.status === 'ok') return true;
    if (answer.code === 'HOLD_NOT_FOUND') return true;
    if (answer.code === 'HOLD_ALREADY_RESOLVED' || answer.code === 'HOLD_EXPIRED')
      return answer.details?.chargedAmount === 0 || answer.details?.chargedAmount === undefined;
    this.log.error({ orderId: order.id, code: answer.code }, 'utility hold could not be voided');
    return false;
  }

  /** Electricity: the balance the meter system answered is the room's latest. */
  private async afterCredit(order: UtilityOrder, result: Record<string, unknown>): Promise<void> {
    if (order.service !== 'electricity') return;
    const balance = kwhCenti(result.balanceKwh);
    if (balance !== undefined) await this.repo.recordBalance(order.target, balance, Date.now());
  }

  /**
   * Drives every unfinished order whose check has come (`now`: every held or credited one, as an operator
   * asks); a 'created' order only once it is createdGraceMs old. Answers how many ended.
   */
  async reconcile(manual: { now?: boolean; createdGraceMs?: number } = {}): Promise<number> {
    const now = Date.now();
    const grace = manual.createdGraceMs ?? this.options.createdGraceMs;
    const due = await this.repo.due(now, now - grace, manual.now === true, this.options.reconcileBatchMax);
    let ended = 0;
    for (const order of due) {
      if (!this.providers[order.service]) continue;
      try {
        const after = await this.drive(order, true);
        if (!['created', 'held', 'credited'].includes(after.status)) ended++;
      } catch (error) {
        this.log.error({ orderId: order.id, err: error }, 'utility order reconciliation failed');
      }
    }
    return ended;
  }

  list(q: Parameters<UtilityRepository['list']>[0]): Promise<UtilityOrder[]> {
    return this.repo.list(q);
  }

  summary(service: ServiceName): Promise<{ status: UtilityOrderStatus; count: number; amount: number }[]> {
    return this.repo.summary(service);
  }

  async saveRoom(
    id: string,
    input: DormRoomInput & { residents: string[] },
  ): Promise<{ room: DormRoom; unknownResidents: string[] }> {
    const now = Date.now();
    await this.repo.upsertRoom(id, input.building, input.roomNo, input.lowKwhCenti, now);
    const unknownResidents = await this.repo.setResidents(id, input.residents, now);
    return { room: (await this.repo.room(id)) as DormRoom, unknownResidents };
  }

  rooms(q: { building?: string; personId?: string }, limit: number): Promise<DormRoom[]> {
    return this.repo.rooms(q, limit);
  }

  /** A room with its live balance and recent daily usage from the meter system (the stored balance when it does not answer). */
  async room(
    id: string,
    usageDays = 7,
  ): Promise<DormRoom & { live: boolean; usage: { day: string; kwh: string }[] }> {
    const room = await this.repo.room(id);
    if (!room) throw new CoreError('ROOM_NOT_FOUND', 'no such dorm room');
    const provider = this.providers.electricity;
    if (!provider) return { ...room, live: false, usage: [] };
    try {
      const state = await provider.target(id);
      const balance = kwhCenti(state?.balanceKwh);
      if (balance !== undefined) await this.recordBalanceAndAlert(room, balance);
      const usage = (await provider.usage?.(id, usageDays)) ?? [];
      return { ...((await this.repo.room(id)) as DormRoom), live: balance !== undefined, usage };
    } catch (error) {
      if (!(error instanceof ProviderUnavailable)) throw error;
      return { ...room, live: false, usage: [] };
    }
  }

  /** A network account's package and expiry, from the billing system. */
  async networkAccount(accountId: string): Promise<Record<string, unknown>> {
    try {
      const state = await this.provider('network').target(accountId);
      if (!state) throw new CoreError('NETWORK_ACCOUNT_NOT_FOUND', 'no such network account');
      return state;
    } catch (error) {
      if (error instanceof ProviderUnavailable)
        throw new CoreError('UTILITY_UNAVAILABLE', 'the network billing system did not answer');
      throw error;
    }
  }

  /** Reads every occupied room's balance; tells the residents of each room newly under its threshold. */
  async checkRooms(): Promise<number> {
    const provider = this.providers.electricity;
    if (!provider) return 0;
    let alerted = 0;
    for (const id of await this.repo.occupiedRoomIds(5_000)) {
      const room = await this.repo.room(id);
      if (!room) continue;
      try {
        const balance = kwhCenti((await provider.target(id))?.balanceKwh);
        if (balance !== undefined && (await this.recordBalanceAndAlert(room, balance))) alerted++;
      } catch (error) {
        if (!(error instanceof ProviderUnavailable)) throw error;
        this.log.warn({ roomId: id }, 'meter system did not answer a balance read');
      }
    }
    return alerted;
  }

  private async recordBalanceAndAlert(room: DormRoom, balance: number): Promise<boolean> {
    const now = Date.now();
    if (!(await this.repo.recordBalance(room.id, balance, now))) return false;
    const text = `${room.building} ${room.roomNo} 剩余电量 ${(balance / 100).toFixed(2)} 度，请及时购电。`;
    await this.notices.insertMissing(
      room.residents.map((p) => ({
        // Once per fall below the threshold: recordBalance took the alert with a conditional UPDATE.
        id: newId(now),
        personId: p.personId,
        kind: 'electricity-low',
        title: '宿舍电量不足',
        body: text,
        data: { roomId: room.id, balanceKwhCenti: balance },
        createdAtMs: now,
      })),
    );
    return true;
  }

  /** Starts the reconciliation and the room balance check; with a lock, one instance runs each tick. */
  start(reconcileEveryMs: number, roomCheckEveryMs: number, lock?: JobLock): void {
    if (Object.keys(this.providers).length === 0) return;
    this.reconciler = schedule({
      name: 'utility-reconcile',
      everyMs: reconcileEveryMs,
      log: this.log,
      lock,
      runAtStart: true,
      run: async () => {
        const ended = await this.reconcile();
        if (ended > 0) this.log.info({ ended }, 'utility orders reconciled');
      },
    });
    if (this.providers.electricity)
      this.roomCheck = schedule({
        name: 'dorm-room-check',
        everyMs: roomCheckEveryMs,
        log: this.log,
        lock,
        run: () => this.checkRooms(),
      });
  }

  /** The reconciliation, run now for every open order (the backoffice's button, tests). */
  runReconcileNow(createdGraceMs?: number): Promise<number> {
    return this.reconcile({ now: true, createdGraceMs });
  }

  async stop(): Promise<void> {
    await Promise.all([this.reconciler?.stop(), this.roomCheck?.stop()]);
  }
}

/** "12.34" kWh → 1234 hundredths; undefined for anything else. */
function kwhCenti(value: unknown): number | undefined {
  if (typeof value !== 'string' && typeof value !== 'number') return undefined;
  const text = String(value);
  if (!/^\d{1,9}(\.\d{1,2})?$/.test(text)) return undefined;
  const [whole, part = ''] = text.split('.');
  return Number(whole) * 100 + Number(part.padEnd(2, '0'));
}
