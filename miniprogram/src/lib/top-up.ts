// Which amounts the top-up page offers and accepts. The BFF's limits win; these are what the page shows
// when it could not read them (the BFF refuses anything out of range anyway).

import type { TopUpLimits } from '../services/types.ts';
import { strings } from '../strings.ts';
import { formatFen } from './money.ts';

export const topUpLimitsFallback: TopUpLimits = {
  minAmount: 100,
  maxAmount: 50_000,
  presets: [2_000, 5_000, 10_000, 20_000, 30_000, 50_000],
};

/** undefined when the amount may be paid; otherwise the sentence to show. */
export function checkTopUpAmount(amount: number | undefined, limits: TopUpLimits): string | undefined {
  if (amount === undefined || amount < limits.minAmount || amount > limits.maxAmount) {
    return strings.topUp.range(formatFen(limits.minAmount), formatFen(limits.maxAmount));
  }
  return undefined;
}

/** The presets that fall inside the limits, so a lowered maximum never offers a button that fails. */
export function usablePresets(limits: TopUpLimits): number[] {
  return limits.presets.filter((amount) => amount >= limits.minAmount && amount <= limits.maxAmount);
}
