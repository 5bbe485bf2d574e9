/** Parents' links to their children on the wire (docs/api.md § Guardians). */
import { z } from 'zod';
import { openid } from './bindings.ts';
import { personNo, rowId } from './fields.ts';

export const guardianLinkPath = z.object({ id: rowId });
/** POST /v1/guardian-links (the BFF has checked the child's consent). */
export const linkGuardianBody = z.strictObject({ parentOpenid: openid, personNo });
/** GET /v1/guardian-links?parentOpenid= or ?personNo=. */
export const guardianLinksQuery = z.union([
  z.strictObject({ parentOpenid: openid }),
  z.strictObject({ personNo }),
]);
/** PATCH /v1/guardian-links/:id: what a parent sees (the child's choice), the parent's low-balance alert. */
export const linkPatchBody = z
  .strictObject({
    showBalance: z.boolean().optional(),
    showSpending: z.boolean().optional(),
    lowBalanceAlert: z.number().int().min(0).max(100_000_000).nullable().optional(),
  })
  .refine((p) => Object.keys(p).length > 0, 'change at least one field');
export interface LinkPatch {
  showBalance?: boolean;
  showSpending?: boolean;
  lowBalanceAlert?: number | null;
}

/** A parent's WeChat account linked to a child's card, with what the child lets the parent see. */
export const guardianLink = z.object({
  id: z.string(),
  parentOpenid: z.string(),
  personNo: z.string(),
  name: z.string(),
  cardNo: z.string(),
  showBalance: z.boolean(),
  showSpending: z.boolean(),
  /** Fen; the parent is told when the balance falls below it. Null: no alert. */
  lowBalanceAlert: z.number().int().nullable(),
  /** An account the child is bound to now (WeChat first, then Alipay), or null. */
  childOpenid: z.string().nullable(),
  /** Every account the child is bound to now (one per app), so a loss report can end all their sessions. */
  childOpenids: z.array(z.string()),
  createdAtMs: z.number().int(),
});
export type GuardianLink = z.infer<typeof guardianLink>;
