// The last card view seen, so the home page has a name, number and balance to show with no network.
import type { CardView } from '../services/types.ts';
import { type KeyValueStorage, storageKeys } from './storage.ts';

export interface CachedCard {
  readonly card: CardView;
  readonly savedAtMs: number;
}

export function saveCard(storage: KeyValueStorage, card: CardView, nowMs = Date.now()): void {
  storage.set(storageKeys.card, JSON.stringify({ card, savedAtMs: nowMs } satisfies CachedCard));
}

export function loadCard(storage: KeyValueStorage): CachedCard | undefined {
  const text = storage.get(storageKeys.card);
  if (text === undefined) return undefined;
  try {
    const value = JSON.parse(text) as Partial<CachedCard>;
    return value.card && typeof value.savedAtMs === 'number' ? (value as CachedCard) : undefined;
  } catch {
    return undefined;
  }
}
