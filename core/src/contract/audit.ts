/** The backoffice's hash-chained audit log on the wire (docs/admin.md § Audit): append, search, verify. */
import { z } from 'zod';

/** POST /v1/admin/audit. */
export const auditEntryBody = z.strictObject({
  actorType: z.enum(['admin', 'system']),
  actorId: z.string().max(64).nullable(),
  action: z.string().regex(/^[a-z_.]{1,48}$/),
  targetType: z.string().max(24).nullable(),
  targetId: z.string().max(64).nullable(),
  /** What changed; never secrets or personal data beyond the ids above. */
  detail: z.record(z.string(), z.unknown()).nullable(),
});
export type AuditEntryInput = z.infer<typeof auditEntryBody>;

/** GET /v1/admin/audit: newest first, paged by beforeSeq. */
export const auditQuery = z.object({
  actorId: z.string().max(64).optional(),
  action: z.string().max(48).optional(),
  targetType: z.string().max(24).optional(),
  targetId: z.string().max(64).optional(),
  fromMs: z.coerce.number().int().nonnegative().optional(),
  toMs: z.coerce.number().int().nonnegative().optional(),
  beforeSeq: z.coerce.number().int().positive().optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
export type AuditQuery = z.infer<typeof auditQuery>;

export const auditEntry = z.object({
  actorType: z.enum(['admin', 'system']),
  actorId: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()).nullable(),
  id: z.string(),
  seq: z.number().int(),
  prevHash: z.string(),
  hash: z.string(),
  createdAtMs: z.number().int(),
  /**
   * What the target is, in words, looked up when the log is searched (not part of the hashed row):
   * a card's holder (masked: 张*三), a merchant's name, a device's kind (its code) and merchant, a
   * subsidy batch's title, an admin's display name, a news item's or course's title, a place's or
   * campus's name. Absent where the target has none or is gone.
   */
  target: z.object({ name: z.string().nullable(), deviceKind: z.string().optional() }).optional(),
});
export type AuditEntry = z.infer<typeof auditEntry>;

export const auditVerifyReport = z.object({
  ok: z.boolean(),
  rows: z.number().int(),
  /** The first row that does not follow from the one before, if any. */
  breakAt: z.object({ seq: z.number().int(), id: z.string(), reason: z.string() }).optional(),
});
export type AuditVerifyReport = z.infer<typeof auditVerifyReport>;
