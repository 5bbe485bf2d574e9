/** Identity sync runs on the wire (docs/sync.md), for the backoffice: start one, watch its progress and errors. */
import { z } from 'zod';

export const syncKinds = ['incremental', 'full'] as const;
export type SyncKind = (typeof syncKinds)[number];
export const syncTriggers = ['schedule', 'admin', 'system'] as const;
export type SyncTrigger = (typeof syncTriggers)[number];

export const syncRunId = z.string().regex(/^[0-9A-HJKMNP-TV-Z]{26}$/, 'a run id is a 26-character ULID');
export const syncRunPath = z.object({ runId: syncRunId });
/** POST /v1/sync/runs: one at a time (SYNC_RUNNING otherwise); answered 202 as started. */
export const startSyncRunBody = z.strictObject({
  kind: z.enum(syncKinds).default('incremental'),
  actor: z
    .strictObject({ type: z.enum(['admin', 'system']), id: z.string().max(64).nullable() })
    .default({ type: 'system', id: null }),
});
/** GET /v1/sync/runs: newest first, paged by beforeId. */
export const syncRunsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  beforeId: syncRunId.optional(),
});
/** GET /v1/sync/runs/:runId: the run, with a page of the rows it could not apply. */
export const syncRunQuery = z.object({
  errorsLimit: z.coerce.number().int().min(1).max(1000).default(100),
  errorsAfter: z.coerce.number().int().nonnegative().default(0),
});

export const syncCounts = z.object({
  created: z.number().int(),
  updated: z.number().int(),
  cancelled: z.number().int(),
  invalid: z.number().int(),
  roster: z.number().int(),
});
export type SyncCounts = z.infer<typeof syncCounts>;

export const syncRun = z.object({
  id: z.string(),
  kind: z.enum(syncKinds),
  status: z.enum(['running', 'succeeded', 'failed']),
  trigger: z.enum(syncTriggers),
  actorId: z.string().nullable(),
  phase: z.string().nullable(),
  rowsRead: z.number().int(),
  rowsTotal: z.number().int(),
  counts: syncCounts,
  failure: z.string().nullable(),
  startedAtMs: z.number().int(),
  heartbeatAtMs: z.number().int(),
  finishedAtMs: z.number().int().nullable(),
});
export type SyncRun = z.infer<typeof syncRun>;

export const syncRunError = z.object({
  seq: z.number().int(),
  stream: z.string(),
  sourceRowId: z.string().nullable(),
  personNo: z.string().nullable(),
  code: z.string(),
  reason: z.string(),
});
export type SyncRunError = z.infer<typeof syncRunError>;
