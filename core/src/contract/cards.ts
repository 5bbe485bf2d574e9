/**
 * Cards on the wire (docs/api.md § Cards): opening a card, status changes by the card centre, PIN and
 * daily limit, a card's history and operations, and the card as the core answers it.
 */
import { z } from 'zod';
import { idNumber } from './bank.ts';
import { cardNo, mobilePhone, operationId, personNo, pin } from './fields.ts';
import { cardLimitCeiling } from './limits.ts';

export const cardStatuses = ['active', 'lost', 'frozen', 'cancelled'] as const;
export type CardStatus = (typeof cardStatuses)[number];
export const personTypes = ['student', 'staff', 'parent', 'visitor', 'alumnus'] as const;
export const cardActions = ['report_loss', 'cancel_loss', 'freeze', 'unfreeze', 'reissue'] as const;
export type CardAction = (typeof cardActions)[number];

/** Who made a change: the holder, a parent, an admin, the system or a device, with an id where known. */
export const actor = z.strictObject({
  type: z.enum(['self', 'parent', 'admin', 'system', 'device']),
  id: z.string().max(64).nullable(),
});
export type Actor = z.infer<typeof actor>;

export const cardPath = z.object({ cardNo });

/** POST /v1/cards. */
export const openCardBody = z.strictObject({
  personNo,
  name: z.string().min(1).max(64),
  type: z.enum(personTypes),
  department: z.string().max(64).nullable().default(null),
  idNumber: idNumber.optional(),
  phone: mobilePhone.optional(),
  cardNo: cardNo.optional(),
  dailyLimit: z.number().int().nonnegative().optional(),
  /** A temporary or visitor card's end (UTC ms, in the future): the expiry job freezes it then. */
  expiresAtMs: z.number().int().positive().optional(),
  actor: actor.default({ type: 'system', id: null }),
});
/** What a caller sends (defaults may be left out). */
export type OpenCardInput = z.input<typeof openCardBody>;

/** POST /v1/cards/:cardNo/status. */
export const changeStatusBody = z.strictObject({
  action: z.enum(cardActions),
  actor,
  reason: z.string().max(255).nullable().default(null),
});
/** PUT /v1/cards/:cardNo/pin: currentPin to change a PIN that is set. */
export const setPinBody = z.strictObject({ pin, currentPin: pin.optional(), actor });
/**
 * POST /v1/cards/:cardNo/pin-reset: the counter resets a forgotten PIN once the ID card the holder
 * shows matches the ID number on file.
 */
export const counterPinResetBody = z.strictObject({ pin, idNumber, actor });
/** PUT /v1/cards/:cardNo/limits: the card centre's daily and PIN-free limits, fen. */
export const cardLimitsBody = z.strictObject({
  dailyLimit: z.number().int().nonnegative().max(cardLimitCeiling),
  pinFreeLimit: z.number().int().nonnegative().max(cardLimitCeiling),
});
/** PUT /v1/cards/:cardNo/daily-limit. */
export const dailyLimitBody = z.strictObject({ dailyLimit: z.number().int().nonnegative() });
/** GET /v1/cards/:cardNo/operations: newest first, paged by (beforeAtMs, beforeId). */
export const cardOperationsQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  beforeAtMs: z.coerce.number().int().optional(),
  beforeId: operationId.optional(),
});

/** A card as the core answers it: holder, status, limits and balances (fen). */
export const cardView = z.object({
  cardNo: z.string(),
  personId: z.string(),
  personNo: z.string(),
  name: z.string(),
  personType: z.string(),
  department: z.string().nullable(),
  status: z.enum(cardStatuses),
  version: z.number().int(),
  dailyLimit: z.number().int(),
  pinFreeLimit: z.number().int(),
  pinSet: z.boolean(),
  spentToday: z.number().int(),
  balance: z.object({
    main: z.number().int(),
    subsidy: z.number().int(),
    mainPending: z.number().int(),
    subsidyPending: z.number().int(),
  }),
  reissueCount: z.number().int(),
  /** A temporary or visitor card's end (UTC ms); null for a card that does not expire. */
  expiresAtMs: z.number().int().nullable(),
});
export type CardView = z.infer<typeof cardView>;

/** One status change in a card's history. */
export const cardEvent = z.object({
  kind: z.string(),
  fromStatus: z.enum(cardStatuses).nullable(),
  toStatus: z.enum(cardStatuses),
  version: z.number().int(),
  actorType: z.string(),
  actorId: z.string().nullable(),
  reason: z.string().nullable(),
});
export type CardEvent = z.infer<typeof cardEvent>;

/** A card's history entry (GET /v1/cards/:cardNo/history): the change, its id, card and time. */
export const cardHistoryEntry = cardEvent.extend({
  id: z.string(),
  cardNo: z.string(),
  createdAtMs: z.number().int(),
});
export type CardHistoryEntry = z.infer<typeof cardHistoryEntry>;

/** The answer of a status change: changed is false when the card already was where the action leads. */
export const cardChange = z.object({
  cardNo: z.string(),
  status: z.enum(cardStatuses),
  version: z.number().int(),
  changed: z.boolean(),
});
export type CardChange = z.infer<typeof cardChange>;
