import type { Balances } from '../ledger/results.ts';

/**
 * What happened to a card, told to whoever shows it live (the BFF pushes it to the student's and
 * linked parents' open mini-programs). Sent after the change committed; the ledger and the card
 * history stay the record, so a missed message loses nothing but its immediacy.
 */
export type CardActivity =
  | {
      type: 'operation';
      cardNo: string;
      /** payment, top_up, subsidy, refund, hold, post, void, expire, adjustment, close_out. */
      kind: string;
      operationId: string;
      amount: number;
      balance?: Balances;
      holdId?: string;
      merchantId?: string;
      atMs: number;
    }
  | { type: 'card'; cardNo: string; status: string; version: number; atMs: number }
  /** A notice kept in the notification list (a monthly statement, an alert). */
  | { type: 'notice'; cardNo: string; noticeId: string; kind: string; title: string; atMs: number };

export type CardActivityListener = (activity: CardActivity) => void;

/** In-process fan-out of card activity: to the Redis publisher, and to a BFF in the same process. */
export class CardActivityFeed {
  readonly #listeners = new Set<CardActivityListener>();

  on(listener: CardActivityListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  emit(activity: CardActivity): void {
    for (const listener of this.#listeners) {
      try {
        listener(activity);
      } catch {
        // A listener's failure is its own; the change has committed and others still hear of it.
      }
    }
  }
}
