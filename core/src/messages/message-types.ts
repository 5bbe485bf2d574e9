import { createHash } from 'node:crypto';
import { messageChannelNames, messageKindNames, type messageStatusNames } from '../contract/messages.ts';

/**
 * Messages that reach a person outside the app (docs/messages.md). An event is what happened; the
 * outbox keeps one row per (event key, person, channel), so the same event never reaches the same
 * person twice on one channel.
 */
export type MessageChannel = (typeof messageChannelNames)[number];
export const messageChannels: readonly MessageChannel[] = messageChannelNames;

/**
 * receipt: a payment or top-up (opt-in); low_balance: the student's own balance under their alert;
 * card_status: loss or freeze by someone else (who did it in the fields); statement: monthly;
 * news: news marked important; hold_released: a pre-authorisation given back; attendance_week: the
 * week's attendance; spending_alert: abnormal spending on a child's card (to parents); theft_alert:
 * abnormal spending on the student's own card (to the student, theft-alerts.ts).
 */
export type MessageKind = (typeof messageKindNames)[number];
export const messageKinds: readonly MessageKind[] = messageKindNames;

/** Kinds quiet hours do not hold back: a card that may be in a thief's hands cannot wait for morning. */
export const urgentKinds: ReadonlySet<MessageKind> = new Set<MessageKind>(['theft_alert']);

export interface MessageEvent {
  /** Unique per event, e.g. `pay:<operation id>` or `news:<id>`; the at-most-once key. */
  key: string;
  kind: MessageKind;
  /** The template's values in order (each at most 20 characters, as WeChat's `thing` fields). */
  fields: string[];
  /** The mini-program page the message opens. */
  page?: string;
  /** Also by SMS when the person has no app binding (loss reports, parents without the mini-program). */
  smsFallback?: boolean;
}

export type OutboxStatus = (typeof messageStatusNames)[number];

export interface OutboxRow {
  eventKey: string;
  personId: string;
  channel: MessageChannel;
  kind: MessageKind;
  payload: { fields: string[]; page?: string };
  status: OutboxStatus;
  attempts: number;
  nextAtMs: number;
  lastError: string | null;
  /** A parent's message: the guardian link it is about (read again at delivery); null for a person's own. */
  guardianLinkId: string | null;
  /** An SMS to a guardian on record (sql/150): the child it is about (read again at delivery); else null. */
  guardianOf: string | null;
}

export interface MessagePreferences {
  /** Minutes of the Asia/Shanghai day; start = end means no quiet hours; start > end wraps midnight. */
  quietStartMin: number;
  quietEndMin: number;
  optedOut: MessageKind[];
  /** Payment and top-up receipts are sent only to those who asked for them. */
  receipts: boolean;
  /** The person's own low-balance alert in fen (told when a payment takes the balance under it); null: none. */
  lowBalanceFen: number | null;
}

export const defaultPreferences: MessagePreferences = {
  quietStartMin: 0,
  quietEndMin: 0,
  optedOut: [],
  receipts: false,
  lowBalanceFen: null,
};

/**
 * What a platform answered: sent; refused for good (the user refused, invalid recipient); retry (the
 * platform said it did not take it: busy, rate limit, down, token); unknown (the request may have
 * been taken: a timeout after it left) — never sent again, at most once.
 */
export type SendOutcome =
  | { outcome: 'sent' }
  | { outcome: 'refused'; code: string }
  | { outcome: 'retry'; code: string }
  | { outcome: 'unknown'; code: string };

export interface MessageSender {
  /** `messageId`: the outbox row's own opaque id (outboxMessageId), the same on every attempt. */
  send(
    target: string,
    kind: MessageKind,
    payload: { fields: string[]; page?: string },
    messageId: string,
  ): Promise<SendOutcome>;
  /**
   * What the platform knows of a message whose send had no answer (outcome unknown), asked by its
   * messageId on the days it may have been sent (Asia/Shanghai, YYYYMMDD); a channel that cannot be
   * asked has no lookUp and its unknown rows stay unknown.
   */
  lookUp?(target: string, messageId: string, days: readonly string[]): Promise<LookUpOutcome>;
}

/**
 * A platform's record of a message: taken (sent; a delivery report may still fail it), failed with the
 * carrier's code, none (never taken, or not recorded yet), or no answer to the question (ask again).
 */
export type LookUpOutcome =
  | { outcome: 'sent' }
  | { outcome: 'failed'; code: string }
  | { outcome: 'none' }
  | { outcome: 'no_answer'; code: string };

/**
 * An outbox row's id for a platform that takes one (SMS's OutId): 32 hex digits of the SHA-256 of its
 * event key, recipient and channel, so it names the row and nothing about the person.
 */
export const outboxMessageId = (row: Pick<OutboxRow, 'eventKey' | 'personId' | 'channel'>): string =>
  createHash('sha256').update(`${row.eventKey}\n${row.personId}\n${row.channel}`).digest('hex').slice(0, 32);

export type { MessageDailyCount, MessageFailure as DeliveryFailure } from '../contract/messages.ts';
