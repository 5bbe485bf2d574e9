// 我的通行 (docs/passage.md): the doors my own bound card opens now; the BFF takes the card from the session.
import type { PlaceDecision } from '@campus-card/core/client';
import type { ApiClient } from './request.ts';

export type { PlaceDecision };

export function myPassageRights(api: ApiClient): Promise<{ cardNo: string; items: PlaceDecision[] }> {
  return api.request('GET', '/passage/rights');
}
