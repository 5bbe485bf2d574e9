import type { ForeignPaymentRequest, PaymentLookup } from '../contract/federation.ts';
import { type Job, type JobLock, schedule } from '../jobs/scheduler.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { Logger } from '../log.ts';
import type { Ask, AsksRepository } from './asks-repository.ts';
import type { FederationForwards } from './federation-forwards.ts';
import type { FederationLinks } from './federation-links.ts';
import type { TrustList } from './trust-list.ts';

export const linkLookupPath = (id: string) => `/federation/v1/payments/${encodeURIComponent(id)}`;

/** An ask left without a booked answer this long is taken for lost (many times the link's timeout). */
export const reaskAfterMs = 60_000;
/** Asks tried per run, at most. */
const asksPerRunMax = 200;

/**
 * Answers lost on the way back and never retried by the device (docs/federation.md § Settling an
 * exception). At the device's centre (B) every online ask is kept before it is sent; a job asks the card's
 * centre (A) again about those still without an answer here, under B's operation id, and books A's answer
 * as the device's retry would have: A's acceptance as the foreign sale owed by A, A's refusal as that
 * refusal. A only looks its answer up (`lookup`): what it did the first time, or that it never had the
 * payment — the customer was told BUSY and has gone, so nothing new is debited.
 */
export class LostAnswers {
  private job: Job | undefined;

  constructor(
    private readonly trust: TrustList,
    private readonly repository: AsksRepository,
    private readonly ledger: LedgerService,
    private readonly links: FederationLinks,
    private readonly forwards: FederationForwards,
    private readonly log: Logger,
  ) {}

  /** At B, before asking A online. */
  record(request: ForeignPaymentRequest, nowMs: number): Promise<void> {
    return this.repository.record({
      id: request.id,
      centreId: request.centreId,
      cardNo: request.cardNo,
      merchantId: request.merchantId,
      deviceId: request.deviceId ?? null,
      amount: request.amount,
      askedAtMs: nowMs,
    });
  }

  /** At A: our stored answer to the asking centre's operation, or null when we never had it. */
  async lookup(callerCentreId: string, operationId: string): Promise<PaymentLookup> {
    await this.trust.activeCentre(callerCentreId);
    const refused = await this.forwards.refusedForward(callerCentreId, operationId);
    if (refused !== undefined) return { answer: refused };
    const stored = await this.ledger.operation(`fed:${callerCentreId}:${operationId}`).catch(() => undefined);
    if (stored?.kind !== 'payment') return { answer: null };
    return { answer: { ...stored.result, replayed: true } };
  }

  /**
   * At B: every ask older than reaskAfterMs without an answer here asked again and booked. Answers how
   * many were booked. Safe on two instances at once: the ledger books each id once.
   */
  async settle(nowMs = Date.now()): Promise<number> {
    const beforeMs = nowMs - reaskAfterMs;
    await this.repository.closeAnswered(beforeMs, nowMs);
    let booked = 0;
    for (const ask of await this.repository.lost(beforeMs, asksPerRunMax)) {
      try {
        if (await this.reask(ask, nowMs)) booked += 1;
      } catch (error) {
        this.log.warn(
          { operationId: ask.id, centreId: ask.centreId, err: (error as Error).name },
          'lost federation answer not settled',
        );
      }
    }
    return booked;
  }

  start(everyMs: number, log: Logger, lock?: JobLock): void {
    this.job = schedule({ name: 'federation-reask', everyMs, log, lock, run: () => this.settle() });
  }

  async stop(): Promise<void> {
    await this.job?.stop();
  }

  private async reask(ask: Ask, nowMs: number): Promise<boolean> {
    const centre = await this.trust.activeCentre(ask.centreId);
    let lookup: PaymentLookup;
    try {
      lookup = await this.links.call<PaymentLookup>(centre, 'GET', linkLookupPath(ask.id));
    } catch {
      return false; // no answer now: the next run asks again
    }
    const decision = lookup.answer;
    if (decision === null) {
      // A never had it (the request was lost on its way there): nothing to settle.
      await this.repository.close(ask.id, 'absent', nowMs);
      return false;
    }
    if (decision.status === 'rejected' && decision.code === 'OVERLOADED') return false;
    const sale = await this.ledger.sellForeign({
      id: ask.id,
      merchantId: ask.merchantId,
      ...(ask.deviceId === null ? {} : { deviceId: ask.deviceId }),
      amount: ask.amount,
      centreId: ask.centreId,
      foreignCardNo: ask.cardNo,
      ...(decision.status === 'rejected' ? { refusedBy: decision.code } : {}),
    });
    if (decision.status === 'ok' && sale.status !== 'ok') {
      this.log.error(
        { operationId: ask.id, code: sale.code },
        'foreign sale debited at its centre but not recorded here',
      );
      return false;
    }
    await this.repository.close(ask.id, 'reasked', nowMs);
    return true;
  }
}
