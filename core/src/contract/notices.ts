/** Kept notices on the wire (monthly statements, alerts): a person's list, and sending a month's statements. */
import { z } from 'zod';
import { month } from './fields.ts';

export const personNoticesPath = z.object({ personId: z.string().min(1).max(26) });
export const personNoticesQuery = z.object({ limit: z.coerce.number().int().min(1).max(100).default(30) });
/** POST /v1/notices/monthly-statements. */
export const monthlyStatementsBody = z.strictObject({ month });

/** A message kept for a person's notification list. */
export const notice = z.object({
  id: z.string(),
  personId: z.string(),
  /** What it is about, e.g. statement:2026-11. */
  kind: z.string(),
  title: z.string(),
  body: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
  createdAtMs: z.number().int(),
});
export type Notice = z.infer<typeof notice>;
