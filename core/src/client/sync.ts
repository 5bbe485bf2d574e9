import type { SyncKind, SyncRun, SyncRunError } from '../contract/sync.ts';
import { DomainClient, query } from './transport.ts';

/** Identity sync runs. */
export class SyncClient extends DomainClient {
  /** Starts an identity sync run (one at a time: SYNC_RUNNING otherwise); answers it as started. */
  startSyncRun(
    kind: SyncKind = 'incremental',
    actor: { type: 'admin' | 'system'; id: string | null } = { type: 'system', id: null },
  ): Promise<SyncRun> {
    return this.transport.call('POST', '/v1/sync/runs', { kind, actor });
  }
  syncRuns(
    page: { limit?: number; beforeId?: string } = {},
  ): Promise<{ items: SyncRun[]; next: { beforeId: string } | null }> {
    return this.transport.call('GET', `/v1/sync/runs${query(page)}`);
  }
  /** A run with its progress, counts and the rows it could not apply (paged by errorsAfter). */
  syncRun(
    id: string,
    page: { errorsLimit?: number; errorsAfter?: number } = {},
  ): Promise<SyncRun & { errors: SyncRunError[]; errorsNext: { errorsAfter: number } | null }> {
    return this.transport.call('GET', `/v1/sync/runs/${encodeURIComponent(id)}${query(page)}`);
  }
}
