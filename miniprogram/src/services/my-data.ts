// 我的数据 (docs/analytics.md): what campus insight holds about the signed-in student's own card.
import type { PersonInsight } from '@campus-card/core/contract/insight';
import type { ApiClient } from './request.ts';

export type MyData = ({ held: true } & PersonInsight) | { held: false };

export function getMyData(api: ApiClient): Promise<MyData> {
  return api.request('GET', '/my-data');
}
