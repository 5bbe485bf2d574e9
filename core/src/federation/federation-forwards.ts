import type {
  ForeignPaymentRequest,
  Forward,
  LinkForwardRequest,
  OfflinePolicy,
} from '../contract/federation.ts';
import type { Answer } from '../contract/ledger.ts';
import { CoreError, type ErrorCode } from '../errors.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { Logger } from '../log.ts';
import { shanghaiDay } from '../time.ts';
import type { FederationLinks } from './federation-links.ts';
import { CapExceeded, type ForwardsRepository } from './forwards-repository.ts';
import type { TrustList } from './trust-list.ts';

export const offlinePolicyPath = '/federation/v1/offline-policy';
export const linkForwardPath = '/federation/v1/forwards';

/** Forwards tried per run, at most. */
const forwardsPerRunMax = 200;
/** The first retry of a forward its centre did not answer, doubled each time up to the maximum. */
const retryBaseMs = 5_000;
const retryMaxMs = 10 * 60_000;

/** Why a forward cannot be taken under the card centre's offline policy now. */
export type OfflineRefusal = 'NOT_PERMITTED' | 'LIMIT_EXCEEDED';

/**
 * A card's centre that cannot be asked (docs/federation.md § A unreachable). At the device's centre (B):
 * a payment of the card is taken under that centre's offline policy — read over the link beforehand and
 * kept on the trust list — the card's daily cap reserved atomically, and the payment forwarded to the
 * card's centre (with backoff) until it answers. Its answer is final: accepted, B records the foreign sale
 * as if asked online; refused, B records that refusal and an offline exception. At the card's centre (A):
 * a forward is judged once by its id — its policy, its cap over every centre, a card lost before the
 * payment — then posted as the card's payment to the merchant that stands for B, or refused, the refusal
 * an offline exception at A too.
 */
export class FederationForwards {
  private job: Job | undefined;

  constructor(
    private readonly trust: TrustList,
    private readonly repository: ForwardsRepository,
    private readonly ledger: LedgerService,
    private readonly links: FederationLinks,
    private readonly log: Logger,
    private readonly own: { centreId: string; policy: OfflinePolicy },
  ) {}

  /** Our policy for our cards at other centres, as they read it over the link. */
  policy(): OfflinePolicy {
    return this.own.policy;
  }

  /**
   * At B: the card's centre could not be asked about this payment. Taken under its offline policy as a
   * pending forward (the same id answers the same), or refused for the policy's reason.
   */
  async takeOffline(request: ForeignPaymentRequest, takenAtMs: number): Promise<Answer | OfflineRefusal> {
    const stored = await this.repository.get(request.id);
    if (stored !== undefined) return stored.status === 'refused' ? 'NOT_PERMITTED' : this.takenAnswer(stored);
    const centre = await this.trust.activeCentre(request.centreId);
    const policy = centre.offlinePolicy;
    if (policy.paymentMaxFen === 0 || policy.cardCapFen === 0) return 'NOT_PERMITTED';
    if (request.amount > policy.paymentMaxFen) return 'LIMIT_EXCEEDED';
    const forward: Forward = {
      id: request.id,
      centreId: request.centreId,
      cardNo: request.cardNo,
      cardVersion: request.cardVersion ?? null,
      codeId: request.codeId ?? null,
      merchantId: request.merchantId,
      deviceId: request.deviceId ?? null,
      amount: request.amount,
      takenAtMs,
      status: 'pending',
      reason: null,
      attempts: 0,
      nextAttemptAtMs: Date.now(),
      decidedAtMs: null,
    };
    try {
      await this.repository.insert(forward, { day: shanghaiDay(takenAtMs), capFen: policy.cardCapFen });
    } catch (error) {
      if (error instanceof CapExceeded) return 'LIMIT_EXCEEDED';
      throw error;
    }
    // Stored now, or by a request of the same id a moment before: that one's answer.
    const kept = (await this.repository.get(request.id)) ?? forward;
    return this.takenAnswer(kept);
  }

  /** A forward as stored, if any. */
  get(id: string): Promise<Forward | undefined> {
    return this.repository.get(id);
  }

  list(status: Forward['status'], limit = 100): Promise<Forward[]> {
    return this.repository.list(status, limit);
  }

  /** At A: the refusal of a forward refused before the ledger saw it, if that is what it was. */
  async refusedForward(callerCentreId: string, operationId: string): Promise<Answer | undefined> {
    const received = await this.repository.received(callerCentreId, operationId);
    if (received?.status !== 'refused') return undefined;
    return refusal(
      `fed:${callerCentreId}:${operationId}`,
      (received.reason ?? 'LIMIT_EXCEEDED') as ErrorCode,
    );
  }

  /** At B: every active centre's offline policy read over its link; a centre that does not answer keeps its last. */
  async refreshPolicies(): Promise<number> {
    let read = 0;
    for (const c of await this.trust.list()) {
      if (c.status !== 'active') continue;
      try {
        const centre = await this.trust.activeCentre(c.id);
        const policy = await this.links.call<OfflinePolicy>(centre, 'GET', offlinePolicyPath);
        await this.trust.setOfflinePolicy(c.id, {
          paymentMaxFen: wholeFen(policy.paymentMaxFen),
          cardCapFen: wholeFen(policy.cardCapFen),
        });
        read += 1;
      } catch (error) {
        this.log.warn({ centreId: c.id, code: (error as CoreError).code }, 'offline policy not read');
      }
    }
    return read;
  }

  /**
   * At B: the forwards due now, each to its card's centre. Answers how many were decided. A centre that
   * does not answer has the forward tried again later, each time twice as late (5 s up to 10 minutes).
   */
  async forwardDue(nowMs = Date.now()): Promise<number> {
    let decided = 0;
    for (const forward of await this.repository.due(nowMs, forwardsPerRunMax)) {
      if (await this.forwardOne(forward)) decided += 1;
    }
    return decided;
  }

  /** At B, every FEDERATION_FORWARD_INTERVAL_MS, once per tick across core instances. */
  start(everyMs: number, log: Logger, lock?: JobLock): void {
    this.job = schedule({
      name: 'federation-forwards',
      everyMs,
      log,
      lock,
      run: async () => {
        await this.refreshPolicies();
        await this.forwardDue();
      },
    });
  }

  async stop(): Promise<void> {
    await this.job?.stop();
  }

  /**
   * At A: a forward of the asking centre, judged once. Its id is the same as an online authorisation of
   * the same operation, so a payment A already answered online is answered the same here.
   */
  async receive(callerCentreId: string, request: LinkForwardRequest): Promise<Answer> {
    const centre = await this.trust.activeCentre(callerCentreId);
    const id = `fed:${callerCentreId}:${request.id}`;
    if (id.length > 64) throw new CoreError('VALIDATION_FAILED', 'the operation id is too long for the link');
    const received = await this.repository.received(callerCentreId, request.id);
    if (received?.status === 'refused')
      return refusal(id, (received.reason ?? 'LIMIT_EXCEEDED') as ErrorCode);
    const day = shanghaiDay(request.takenAtMs);
    const exception = (reason: string, receivableAmount = 0) =>
      this.repository.insertException({
        deviceId: `fed:${callerCentreId}`,
        operationId: id,
        cardNo: request.cardNo,
        centreId: callerCentreId,
        centreCardNo: null,
        amount: request.amount,
        receivableAmount,
        reason,
        takenAtMs: request.takenAtMs,
      });
    const refuse = async (code: ErrorCode): Promise<Answer> => {
      await this.repository.refuseReceived(
        callerCentreId,
        request.id,
        request.cardNo,
        day,
        request.amount,
        code,
      );
      await exception(code);
      return refusal(id, code);
    };
    const done = await this.ledger.operation(id).catch(() => undefined);
    if (done !== undefined) {
      // Answered before (online, or this forward before a crash): the same answer, its exception kept.
      if (done.result.status === 'rejected') await exception(done.result.code);
      return { ...done.result, replayed: true } as Answer;
    }
    const listed = await this.repository.listedSince(request.cardNo);
    if (received === undefined) {
      const policy = this.own.policy;
      // No policy (0) or above it: the device's centre should not have taken it.
      if (request.amount > policy.paymentMaxFen || policy.cardCapFen === 0) return refuse('LIMIT_EXCEEDED');
      // Lost (frozen, cancelled) before the payment: the card holder did not make it.
      if (listed !== undefined && listed.atMs <= request.takenAtMs) return refuse(blockedCode(listed.reason));
      try {
        await this.repository.reserveReceived(
          this.own.centreId,
          callerCentreId,
          request.id,
          request.cardNo,
          request.amount,
          { day, capFen: policy.cardCapFen },
        );
      } catch (error) {
        if (error instanceof CapExceeded) return refuse('LIMIT_EXCEEDED');
        throw error;
      }
    }
    const payment = {
      id,
      cardNo: request.cardNo,
      merchantId: centre.merchantId,
      amount: request.amount,
      ...(request.cardVersion === undefined ? {} : { cardVersion: request.cardVersion }),
      ...(request.codeId === undefined ? {} : { codeId: request.codeId }),
    };
    // Listed only after the payment: the card holder made it. It is posted as an offline payment (the
    // wallets pay nothing, the whole amount a receivable from the card holder) and listed for our
    // administrators to recover; we owe the other centre as for any accepted payment.
    const answer =
      listed === undefined
        ? await this.ledger.pay(payment)
        : await this.ledger.pay({ ...payment, offline: true, takenAtMs: request.takenAtMs });
    if (answer.status === 'rejected') {
      await this.repository.releaseReceived(this.own.centreId, callerCentreId, request.id, answer.code);
      await exception(answer.code);
    } else if ((answer.receivableAmount ?? 0) > 0) {
      await exception(answer.shortfall ?? 'INSUFFICIENT_FUNDS', answer.receivableAmount);
    }
    return answer;
  }

  /** At B: one forward asked of its centre; true when its answer was final and is recorded. */
  private async forwardOne(forward: Forward): Promise<boolean> {
    let decision: Answer;
    try {
      const centre = await this.trust.activeCentre(forward.centreId);
      decision = await this.links.call<Answer>(centre, 'POST', linkForwardPath, {
        id: forward.id,
        cardNo: forward.cardNo,
        amount: forward.amount,
        takenAtMs: forward.takenAtMs,
        ...(forward.cardVersion === null ? {} : { cardVersion: forward.cardVersion }),
        ...(forward.codeId === null ? {} : { codeId: forward.codeId }),
      } satisfies LinkForwardRequest);
    } catch (error) {
      return this.later(forward, (error as CoreError).code);
    }
    // The card's ledger was too busy to decide: nothing happened there; asked again later.
    if (decision.status === 'rejected' && decision.code === 'OVERLOADED')
      return this.later(forward, 'OVERLOADED');
    const sale = await this.ledger.sellForeign({
      id: forward.id,
      merchantId: forward.merchantId,
      ...(forward.deviceId === null ? {} : { deviceId: forward.deviceId }),
      amount: forward.amount,
      centreId: forward.centreId,
      foreignCardNo: forward.cardNo,
      ...(decision.status === 'rejected' ? { refusedBy: decision.code } : {}),
    });
    if (decision.status === 'ok' && sale.status !== 'ok') {
      this.log.error(
        { operationId: forward.id, code: sale.code },
        'forwarded payment accepted at its centre but not recorded here',
      );
      return this.later(forward, sale.code);
    }
    if (decision.status === 'rejected') {
      // The goods went out against a payment the card's centre refused: an offline exception here.
      await this.repository.insertException({
        deviceId: forward.deviceId ?? `fed:${forward.centreId}`,
        operationId: forward.id,
        cardNo: null,
        centreId: forward.centreId,
        centreCardNo: forward.cardNo,
        amount: forward.amount,
        receivableAmount: 0,
        reason: decision.code,
        takenAtMs: forward.takenAtMs,
      });
    }
    await this.repository.decide(
      forward.id,
      decision.status === 'ok' ? 'accepted' : 'refused',
      decision.status === 'ok' ? null : decision.code,
      Date.now(),
    );
    return true;
  }

  private async later(forward: Forward, code: string | undefined): Promise<false> {
    const attempts = forward.attempts + 1;
    const delayMs = Math.min(retryBaseMs * 2 ** Math.min(attempts - 1, 20), retryMaxMs);
    await this.repository.postpone(forward.id, attempts, Date.now() + delayMs);
    this.log.warn(
      { operationId: forward.id, centreId: forward.centreId, code, attempts },
      'forward not answered',
    );
    return false;
  }

  /** What the device is told of a payment taken for forwarding: approved, the card's balance unknown here. */
  private takenAnswer(forward: Forward): Answer {
    return {
      status: 'ok',
      id: forward.id,
      kind: 'foreign_sale',
      amount: forward.amount,
      subsidyAmount: 0,
      mainAmount: forward.amount,
      createdAtMs: forward.takenAtMs,
      replayed: false,
    };
  }
}

function refusal(id: string, code: ErrorCode): Answer {
  return {
    status: 'rejected',
    id,
    kind: 'payment',
    code,
    message: 'refused as a forwarded offline payment',
    replayed: false,
  };
}

function blockedCode(reason: string): ErrorCode {
  return reason === 'frozen' ? 'CARD_FROZEN' : reason === 'cancelled' ? 'CARD_CANCELLED' : 'CARD_LOST';
}

function wholeFen(value: unknown): number {
  return Number.isSafeInteger(value) && (value as number) >= 0 ? (value as number) : 0;
}
