/**
 * Re-sealing personal data and photos under a new key (#18, core/src/keys, docs/operations.md § Key
 * rotation): the job `npm run job -- reseal pii|photos` calls the step below until the run has finished.
 */
import { z } from 'zod';

export const resealKinds = ['pii', 'photos'] as const;
export type ResealKind = (typeof resealKinds)[number];

/** POST /v1/keys/:kind/reseal-steps: re-seals the next rows of the run (starting one when none is under way). */
export const resealPath = z.strictObject({ kind: z.enum(resealKinds) });
export const resealStepSchema = z.strictObject({
  /** Rows read in this step (each may hold several sealed values). */
  rowsMax: z.number().int().min(1).max(2_000).default(200),
  /** Scan every table again, from the first, even when the run for this key has finished. */
  restart: z.boolean().default(false),
});
export type ResealStep = z.input<typeof resealStepSchema>;

/** Where a re-seal run stands. finishedAtMs set and valuesUnreadable 0: the previous keys may go. */
export interface ResealProgress {
  kind: ResealKind;
  /** The tables the run goes through, in order, and the one it is in (null once finished). */
  tables: string[];
  table: string | null;
  rowsTotal: number;
  rowsScanned: number;
  valuesResealed: number;
  /** Values no configured key opens: left as they are, and named by table in the log. */
  valuesUnreadable: number;
  startedAtMs: number;
  finishedAtMs: number | null;
}
