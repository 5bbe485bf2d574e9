/**
 * The backoffice's store in the core on the wire (the BFF's admin API is its only caller, docs/admin.md):
 * admin accounts and their sign-in checks, maker–checker approvals, and the lookups card affairs need.
 */
import { z } from 'zod';
import { campusId } from './campuses.ts';
import { adminUsername, cardNo, rowId } from './fields.ts';

export const adminRoles = [
  'super_admin',
  'card_operator',
  'finance',
  'device_admin',
  'content_editor',
  'department_admin',
  'auditor',
  // Offices beyond the card centre (sql/029): 保卫处, 宿管, 校车, 资助中心, and counsellors (辅导员).
  'security_office',
  'dorm_office',
  'transport_office',
  'aid_office',
  'counsellor',
] as const;
export type AdminRole = (typeof adminRoles)[number];

/** Roles that see only their own department's people: the account must name one (sql/029 enforces it). */
export const departmentScopedRoles: readonly AdminRole[] = ['department_admin', 'counsellor'];

/**
 * Roles that move money or change cards: their accounts must have a second factor; one without
 * (new, or reset by a super admin) enrols it at its next sign-in, before any session opens.
 */
export const totpRequiredRoles: readonly AdminRole[] = ['super_admin', 'finance', 'card_operator'];

/** What a second admin approves: a manual adjustment, a refund of a WeChat top-up, a device's prices, a cash top-up. */
export const approvalKinds = ['adjustment', 'top_up_refund', 'device_config', 'cash_top_up'] as const;
/**
 * pending → approving (a checker claimed it; its action runs under the approval's own id) → approved
 * once the action was carried out, or failed with the refusal's code; pending → rejected.
 */
export const approvalStatuses = ['pending', 'approving', 'approved', 'rejected', 'failed'] as const;

export const adminIdPath = z.object({ id: rowId });
export const adminCardPath = z.object({ cardNo });

/** POST /v1/admin/accounts. */
export const newAdminBody = z.strictObject({
  username: adminUsername,
  displayName: z.string().min(1).max(64),
  role: z.enum(adminRoles),
  department: z.string().min(1).max(64).nullable().default(null),
  /** One campus the account sees and changes alone (docs/campuses.md); null: the whole centre. */
  campusId: campusId.nullable().default(null),
  password: z.string().min(10).max(128),
  /** Turns on the TOTP second factor; the secret is answered once. */
  totp: z.boolean().default(false),
  /** The demo seed's known secret (base32); otherwise a new random one. */
  totpSecret: z
    .string()
    .regex(/^[A-Z2-7]{32}$/, '32 base32 characters')
    .optional(),
});
/** An account to make, as the service takes it (defaults applied). */
export type NewAdmin = z.infer<typeof newAdminBody>;
/** What a caller sends (defaults may be left out). */
export type NewAdminInput = z.input<typeof newAdminBody>;

/** POST /v1/admin/accounts/:id/changes: what may change on an account after it is made (each alone). */
export const adminChangeBody = z.union([
  z.strictObject({ status: z.enum(['active', 'disabled']) }),
  z.strictObject({ role: z.enum(adminRoles), department: z.string().min(1).max(64).nullable() }),
  z.strictObject({ password: z.string().min(10).max(128) }),
  z.strictObject({ totpReset: z.literal(true) }),
  /** Scope the account to one campus, or to the whole centre (null); never a super admin. */
  z.strictObject({ campusId: campusId.nullable() }),
]);
export type AdminChange = z.infer<typeof adminChangeBody>;
/** POST /v1/admin/login: the password step. */
export const adminLoginBody = z.strictObject({
  username: z.string().min(1).max(64),
  password: z.string().min(1).max(256),
});
/** The second-factor steps: a code to confirm an enrolment or check a sign-in. */
export const totpCodeBody = z.strictObject({ code: z.string().max(16) });

/** POST /v1/admin/approvals: the same key proposes once. */
export const proposalBody = z.strictObject({
  kind: z.enum(approvalKinds),
  payload: z.record(z.string(), z.unknown()),
  amount: z.number().int(),
  reason: z.string().min(1).max(200),
  targetId: z.string().max(64).nullable(),
  makerId: rowId,
  key: z.string().min(1).max(128).optional(),
});
export type Proposal = z.infer<typeof proposalBody>;
/** POST /v1/admin/approvals/:id/decision. */
export const decisionBody = z.strictObject({ checkerId: rowId, decision: z.enum(['approved', 'rejected']) });
/** POST /v1/admin/approvals/:id/outcome: null when carried out, else the refusal's code. */
export const approvalOutcomeBody = z.strictObject({
  checkerId: rowId,
  failure: z
    .string()
    .regex(/^[A-Z_]{1,64}$/, 'a refusal code')
    .nullable(),
});
export const approvalsQuery = z.object({
  status: z.enum(approvalStatuses).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});
/** GET /v1/admin/people: a name, person or card number. */
export const peopleQuery = z.object({
  q: z.string().min(1).max(64),
  department: z.string().max(64).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

/** An admin account as callers see it: never the password hash or the TOTP secret. */
export const adminAccount = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  role: z.enum(adminRoles),
  department: z.string().nullable(),
  /** The campus the account is scoped to (docs/campuses.md); null: the whole centre. */
  campusId: z.string().nullable(),
  totpEnabled: z.boolean(),
  status: z.enum(['active', 'disabled']),
  lockedUntilMs: z.number().int().nullable(),
  createdAtMs: z.number().int(),
});
export type AdminAccount = z.infer<typeof adminAccount>;

export const approval = z.object({
  id: z.string(),
  kind: z.enum(approvalKinds),
  payload: z.record(z.string(), z.unknown()),
  amount: z.number().int(),
  reason: z.string(),
  targetId: z.string().nullable(),
  status: z.enum(approvalStatuses),
  makerId: z.string(),
  checkerId: z.string().nullable(),
  createdAtMs: z.number().int(),
  decidedAtMs: z.number().int().nullable(),
  /** Why the approved action was refused (a stable code), when status is failed. */
  failure: z.string().nullable(),
});
export type Approval = z.infer<typeof approval>;

export const personHit = z.object({
  personNo: z.string(),
  name: z.string(),
  personType: z.string(),
  department: z.string().nullable(),
  cardNo: z.string(),
  cardStatus: z.string(),
});
export type PersonHit = z.infer<typeof personHit>;

export const pendingHold = z.object({
  id: z.string(),
  merchantId: z.string(),
  deviceId: z.string().nullable(),
  amount: z.number().int(),
  expiresAtMs: z.number().int(),
  createdAtMs: z.number().int(),
});
export type PendingHold = z.infer<typeof pendingHold>;
