// 食堂人流 (docs/analytics.md "Canteen load"): how busy each canteen window is now and in 30 minutes.
import type { CanteenLoadAnswer } from '@campus-card/core/contract/insight';
import type { ApiClient } from './request.ts';

/** Empty where campus insight is off: the card then shows nothing. */
export function getCanteenLoad(api: ApiClient): Promise<CanteenLoadAnswer> {
  return api.request('GET', '/canteen-load');
}
