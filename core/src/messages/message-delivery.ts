import { randomBytes } from 'node:crypto';
import type { Logger } from '../log.ts';
import { formatDateTime } from '../time.ts';
import type { MessageRepository } from './message-repository.ts';
import type { MessageService } from './message-service.ts';
import {
  type MessageChannel,
  type MessageSender,
  type OutboxRow,
  outboxMessageId,
  urgentKinds,
} from './message-types.ts';
import { quietUntil } from './quiet-hours.ts';

export interface DeliveryOptions {
  /** Channels whose one-time consent is required per message (WeChat subscription messages). */
  consentChannels?: readonly MessageChannel[];
  leaseMs?: number;
  batchMax?: number;
  attemptsMax?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
  /**
   * A message whose send had no answer (unknown) is first asked about this long after (the platform's
   * record may lag), then after twice as long each time, capped at backoffMaxMs.
   */
  unknownCheckAfterMs?: number;
  /** Questions asked about one unknown message; none of them finding it makes it failed (never taken). */
  unknownChecksMax?: number;
  now?: () => number;
}

/**
 * Delivers the outbox (sql/080). A row is claimed (lease; nothing sent, so an expired claim is taken
 * again), then marked sending before the request leaves: a worker that stops after that leaves the row
 * to become unknown, never sent twice. Quiet hours put it back to pending until they end; a definite
 * "not taken" is retried with exponential backoff up to attemptsMax. A message whose send had no answer
 * is never sent again: where the channel can be asked (SMS's QuerySendDetails) it is asked about on a
 * backoff schedule and becomes sent or failed by the platform's record.
 */
export class MessageDelivery {
  readonly owner = `msg-${randomBytes(6).toString('hex')}`;
  private readonly o: Required<Omit<DeliveryOptions, 'now'>> & { now: () => number };

  constructor(
    private readonly repo: MessageRepository,
    private readonly service: MessageService,
    private readonly senders: Partial<Record<MessageChannel, MessageSender>>,
    private readonly log: Logger,
    options: DeliveryOptions = {},
  ) {
    this.o = {
      consentChannels: options.consentChannels ?? ['wechat'],
      leaseMs: options.leaseMs ?? 60_000,
      batchMax: options.batchMax ?? 50,
      attemptsMax: options.attemptsMax ?? 6,
      backoffBaseMs: options.backoffBaseMs ?? 30_000,
      backoffMaxMs: options.backoffMaxMs ?? 3_600_000,
      unknownCheckAfterMs: options.unknownCheckAfterMs ?? 60_000,
      unknownChecksMax: options.unknownChecksMax ?? 8,
      now: options.now ?? Date.now,
    };
  }

  /** One pass: answers how many rows it finished (sent, refused, failed, skipped) or deferred. */
  async runOnce(): Promise<number> {
    const nowMs = this.o.now();
    await this.repo.abandonStaleSending(nowMs);
    const rows = await this.repo.claim(this.owner, nowMs, nowMs + this.o.leaseMs, this.o.batchMax);
    for (const row of rows) await this.deliver(row);
    await this.resolveUnknown();
    return rows.length;
  }

  /**
   * Asks the platforms about messages whose send had no answer (up to batchMax per pass): each question
   * is reserved first (counted, its next time set), then asked; the platform's record makes the row sent
   * or failed. Not found yet or no answer: asked again later, twice as late each time; not found at the
   * last question: failed as never taken. Nothing is ever sent again here.
   */
  async resolveUnknown(): Promise<number> {
    let settled = 0;
    for (const channel of ['sms', 'wechat', 'alipay'] as const) {
      const sender = this.senders[channel];
      if (sender?.lookUp === undefined) continue;
      const nowMs = this.o.now();
      const due = await this.repo.unknownDue(
        channel,
        nowMs,
        nowMs - this.o.unknownCheckAfterMs,
        this.o.unknownChecksMax,
        this.o.batchMax,
      );
      for (const { row, doneAtMs, checks } of due) {
        const waitMs = Math.min(this.o.backoffMaxMs, this.o.unknownCheckAfterMs * 2 ** (checks + 1));
        if (!(await this.repo.reserveUnknownCheck(row, checks, nowMs + waitMs))) continue;
        const target = await this.service.targetOfRow(row);
        if (target === undefined) continue;
        // The request left while the row was sending: on the day it became unknown, or the day before
        // when that was just after midnight.
        const days = [
          ...new Set(
            [doneAtMs - this.o.leaseMs, doneAtMs].map((ms) =>
              formatDateTime(ms).slice(0, 10).replaceAll('-', ''),
            ),
          ),
        ];
        const found = await sender.lookUp(target, outboxMessageId(row), days);
        const last = checks + 1 >= this.o.unknownChecksMax;
        if (found.outcome === 'sent' || found.outcome === 'failed' || (found.outcome === 'none' && last)) {
          const code =
            found.outcome === 'failed'
              ? found.code
              : found.outcome === 'none'
                ? `${channel}_never_taken`
                : null;
          if (
            await this.repo.settleUnknown(
              row,
              found.outcome === 'sent' ? 'sent' : 'failed',
              code,
              this.o.now(),
            )
          )
            settled += 1;
        } else if (found.outcome === 'no_answer')
          this.log.warn(
            { channel, kind: row.kind, code: found.code, checks: checks + 1 },
            'message outcome not answered',
          );
      }
    }
    return settled;
  }

  /** Tests only: the step after which a worker "stops" (between marking sending and recording). */
  afterSendHook?: (row: OutboxRow) => Promise<void>;

  private finish(
    row: OutboxRow,
    from: 'claimed' | 'sending',
    to: 'sent' | 'refused' | 'failed' | 'skipped' | 'unknown',
    lastError: string | null,
    attempts = row.attempts,
  ) {
    return this.repo.transition(row, this.owner, from, to, { lastError, attempts, nowMs: this.o.now() });
  }

  private async deliver(row: OutboxRow): Promise<void> {
    const nowMs = this.o.now();
    const prefs = await this.service.preferences(row.personId);
    if (prefs.optedOut.includes(row.kind)) {
      await this.finish(row, 'claimed', 'skipped', 'opted_out');
      return;
    }
    const until = urgentKinds.has(row.kind)
      ? undefined
      : quietUntil(nowMs, prefs.quietStartMin, prefs.quietEndMin);
    if (until !== undefined) {
      await this.repo.transition(row, this.owner, 'claimed', 'pending', {
        nextAtMs: until,
        lastError: 'quiet_hours',
        nowMs,
      });
      return;
    }
    const sender = this.senders[row.channel];
    const target = await this.service.targetOfRow(row);
    if (sender === undefined || target === undefined) {
      await this.finish(row, 'claimed', 'skipped', sender === undefined ? 'channel_off' : 'no_target');
      return;
    }
    const needsConsent = this.o.consentChannels.includes(row.channel);
    if (needsConsent && !(await this.repo.takeConsent(row.personId, row.channel, row.kind, nowMs))) {
      await this.finish(row, 'claimed', 'skipped', 'no_consent');
      return;
    }
    const attempts = row.attempts + 1;
    const marked = await this.repo.transition(row, this.owner, 'claimed', 'sending', {
      attempts,
      leaseUntilMs: nowMs + this.o.leaseMs,
      nowMs,
    });
    if (!marked) {
      if (needsConsent) await this.repo.returnConsent(row.personId, row.channel, row.kind, nowMs);
      return;
    }
    const sending = { ...row, attempts, status: 'sending' as const };
    const result = await sender.send(target, row.kind, row.payload, outboxMessageId(row));
    if (this.afterSendHook) await this.afterSendHook(sending);
    if (result.outcome === 'sent') {
      await this.finish(sending, 'sending', 'sent', null, attempts);
      return;
    }
    this.log.warn(
      { channel: row.channel, kind: row.kind, code: result.code, attempts },
      'message not delivered',
    );
    if (result.outcome === 'unknown') {
      await this.finish(sending, 'sending', 'unknown', result.code, attempts);
      return;
    }
    // The platform did not take it: the consent is still unused.
    if (needsConsent) await this.repo.returnConsent(row.personId, row.channel, row.kind, this.o.now());
    if (result.outcome === 'refused' || attempts >= this.o.attemptsMax) {
      await this.finish(
        sending,
        'sending',
        result.outcome === 'refused' ? 'refused' : 'failed',
        result.code,
        attempts,
      );
      return;
    }
    const backoffMs = Math.min(this.o.backoffMaxMs, this.o.backoffBaseMs * 2 ** (attempts - 1));
    await this.repo.transition(sending, this.owner, 'sending', 'pending', {
      attempts,
      nextAtMs: this.o.now() + backoffMs,
      lastError: result.code,
      nowMs: this.o.now(),
    });
  }
}
