import type { CoreClient } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import {
  type CanteenLoadAnswer,
  type CanteenSlotLoad,
  canteenLoadLevels,
  windowCapacityDefault,
} from '@campus-card/core/contract/insight';

/** How long one forecast serves every student (the core reads eight weeks of slots for it). */
const answerTtlMs = 60_000;
/** How long a window's names are kept (merchants and devices change rarely). */
const namesTtlMs = 10 * 60_000;

interface WindowNames {
  canteen: string;
  window: string;
  /** The merchant the window is (its capacity is set on it). */
  merchantId: string;
}

/** A slot's level from the payments expected there against the window's capacity (the contract's ratios). */
export function slotLoad(expected: number, capacity: number = windowCapacityDefault): CanteenSlotLoad {
  const { quietBelow, moderateBelow } = canteenLoadLevels;
  const share = expected / capacity;
  return {
    level:
      share >= 1 ? 'crowded' : share >= moderateBelow ? 'busy' : share >= quietBelow ? 'moderate' : 'quiet',
    expected: Math.round(expected),
    capacity,
    bar: Math.min(100, Math.round(share * 100)),
  };
}

/**
 * How busy each canteen window is now and in 30 minutes, for the app's canteen card
 * (docs/analytics.md "Canteen load"): the core's forecast per window (a terminal, or a canteen where
 * the terminal is not known) named by its canteen and window, windows under one name summed, graded
 * against the window's capacity (set by the card centre, windowCapacityDefault where unset). Now is
 * the forecast for the slot, or the payments already made in it where they are more. One answer
 * serves every caller for a minute, so the eight weeks the core reads are read once a minute per
 * instance, not once per student. Where insight is off the answer is empty (the card shows nothing).
 */
export class CanteenLoad {
  #answer: { atMs: number; value: Promise<CanteenLoadAnswer> } | undefined;
  readonly #names = new Map<string, { atMs: number; value: Promise<WindowNames | undefined> }>();

  constructor(
    private readonly core: CoreClient,
    private readonly now: () => number = Date.now,
  ) {}

  current(): Promise<CanteenLoadAnswer> {
    const nowMs = this.now();
    if (this.#answer && nowMs - this.#answer.atMs < answerTtlMs) return this.#answer.value;
    const value = this.compute();
    this.#answer = { atMs: nowMs, value };
    // A failure is not kept: the next caller asks again.
    value.catch(() => {
      if (this.#answer?.value === value) this.#answer = undefined;
    });
    return value;
  }

  private async compute(): Promise<CanteenLoadAnswer> {
    let forecast: Awaited<ReturnType<CoreClient['insightCanteenLoad']>>;
    try {
      forecast = await this.core.insightCanteenLoad();
    } catch (error) {
      if (error instanceof CoreError && error.code === 'NOT_FOUND') return { atMs: this.now(), items: [] };
      throw error;
    }
    const [named, capacities] = await Promise.all([
      Promise.all(forecast.items.map(async (item) => ({ item, names: await this.names(item.window) }))),
      this.core.windowCapacities(),
    ]);
    const capacityOf = new Map(capacities.items.map((c) => [c.merchantId, c.paymentsPer15Min]));
    const rows = new Map<string, WindowNames & { now: number; in30: number }>();
    for (const { item, names } of named) {
      // A window whose terminal and merchant are gone has no name to show: left out.
      if (!names) continue;
      const key = `${names.canteen}\u0000${names.window}`;
      const row = rows.get(key) ?? { ...names, now: 0, in30: 0 };
      row.now += Math.max(item.nowExpected, item.nowSoFar);
      row.in30 += item.in30Expected;
      rows.set(key, row);
    }
    const items = [...rows.values()]
      .sort((a, b) => a.canteen.localeCompare(b.canteen, 'zh') || a.window.localeCompare(b.window, 'zh'))
      .map((row) => ({
        canteen: row.canteen,
        window: row.window,
        now: slotLoad(row.now, capacityOf.get(row.merchantId)),
        in30: slotLoad(row.in30, capacityOf.get(row.merchantId)),
      }));
    return { atMs: forecast.atMs, items };
  }

  /** The canteen and window names of a forecast's window id (a device id, or a merchant id). */
  names(id: string): Promise<WindowNames | undefined> {
    const nowMs = this.now();
    const kept = this.#names.get(id);
    if (kept && nowMs - kept.atMs < namesTtlMs) return kept.value;
    const value = this.lookUp(id);
    this.#names.set(id, { atMs: nowMs, value });
    value.catch(() => this.#names.delete(id));
    return value;
  }

  private async lookUp(id: string): Promise<WindowNames | undefined> {
    const device = await this.core.getDevice(id).catch(notFoundAsUndefined);
    const merchantId = device ? device.merchantId : id;
    if (!merchantId) return undefined;
    const merchant = await this.core.getMerchant(merchantId).catch(notFoundAsUndefined);
    if (!merchant) return undefined;
    if (!merchant.parentId) return { canteen: merchant.name, window: '', merchantId };
    const parent = await this.core.getMerchant(merchant.parentId).catch(notFoundAsUndefined);
    return parent
      ? { canteen: parent.name, window: merchant.name, merchantId }
      : { canteen: merchant.name, window: '', merchantId };
  }
}

function notFoundAsUndefined(error: unknown): undefined {
  const absent = ['NOT_FOUND', 'MERCHANT_NOT_FOUND', 'VALIDATION_FAILED'];
  if (error instanceof CoreError && absent.includes(error.code)) return undefined;
  throw error;
}
