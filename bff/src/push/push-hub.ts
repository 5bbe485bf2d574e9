import type { CardActivity } from '@campus-card/core/client';

/** One open live view: the cards it watches and how to reach it. */
export interface Watcher {
  cardNos: readonly string[];
  /** A parent's low-balance alerts, fen by card: below one, the view is also sent a low_balance message. */
  alerts?: Readonly<Record<string, number>>;
  send(message: string): void;
}

/**
 * The live views open at this BFF instance, by the cards they watch (a student's own card, a
 * parent's children's cards). Every instance hears every card's activity and delivers it to the
 * views it holds, so a view may be open at any instance.
 */
export class PushHub {
  readonly #byCard = new Map<string, Set<Watcher>>();
  #watchers = 0;
  #lagObserver: ((lagMs: number) => void) | undefined;

  constructor(private readonly watchersMax: number) {}

  get size(): number {
    return this.#watchers;
  }

  /** Adds a view; false when the instance holds as many as it may. The returned function removes it. */
  add(watcher: Watcher): (() => void) | undefined {
    if (this.#watchers >= this.watchersMax) return undefined;
    this.#watchers += 1;
    for (const cardNo of watcher.cardNos) {
      let set = this.#byCard.get(cardNo);
      if (!set) {
        set = new Set();
        this.#byCard.set(cardNo, set);
      }
      set.add(watcher);
    }
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.#watchers -= 1;
      for (const cardNo of watcher.cardNos) {
        const set = this.#byCard.get(cardNo);
        set?.delete(watcher);
        if (set?.size === 0) this.#byCard.delete(cardNo);
      }
    };
  }

  /**
   * Tells `observer` each delivery's push lag: from the activity's commit at the core (its atMs, the
   * database's clock) to its sending here; only for activity some view here watched.
   */
  observeLag(observer: (lagMs: number) => void): void {
    this.#lagObserver = observer;
  }

  /** Sends one card's activity to every view watching the card; answers how many got it. */
  deliver(activity: CardActivity): number {
    const watchers = this.#byCard.get(activity.cardNo);
    if (!watchers) return 0;
    const message = JSON.stringify({ type: 'activity', activity });
    const total =
      activity.type === 'operation' && activity.balance
        ? activity.balance.main + activity.balance.subsidy
        : undefined;
    for (const watcher of watchers) {
      watcher.send(message);
      // Every movement that leaves the balance under the alert tells the parent again, on any instance.
      const threshold = watcher.alerts?.[activity.cardNo];
      if (threshold !== undefined && total !== undefined && total < threshold)
        watcher.send(
          JSON.stringify({
            type: 'low_balance',
            cardNo: activity.cardNo,
            balance: total,
            threshold,
            atMs: activity.atMs,
          }),
        );
    }
    this.#lagObserver?.(Math.max(0, Date.now() - activity.atMs));
    return watchers.size;
  }
}
