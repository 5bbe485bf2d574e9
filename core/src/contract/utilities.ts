import { z } from 'zod';
import { cardNo, fen, personNo } from './fields.ts';

/**
 * Dorm electricity and the campus network fee (#16, docs/funds.md): orders paid from the card to an
 * outside system that credits a room or an account. The wire shapes the core, the BFF and the apps share.
 */
export const utilityServices = ['electricity', 'network'] as const;
export type UtilityService = (typeof utilityServices)[number];

/** Our order id, also the outside system's idempotency key (its orderNo). */
export const utilityOrderId = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{8,48}$/, 'an order id is 8–48 characters of A-Z a-z 0-9 _ . -');
/** A room as the meter system names it, e.g. B03-0412; a network account, usually the student number. */
export const utilityTarget = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,32}$/, 'a room or account id is 1–32 characters of A-Z a-z 0-9 _ -');
export const networkPackageId = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/);

export const utilityPurchase = z.strictObject({
  id: utilityOrderId,
  service: z.enum(utilityServices),
  target: utilityTarget,
  /** Network: the package bought (its price is the amount). */
  packageId: networkPackageId.optional(),
  cardNo,
  amount: fen,
});
export type UtilityPurchase = z.infer<typeof utilityPurchase>;

/**
 * created: the order is written, the hold asked for; held: the card's money is held and the outside
 * system asked (its answer may be lost); credited: the system confirmed, the hold is being posted;
 * completed: charged and credited; refused: the card refused the hold (nothing held); failed: the
 * system refused definitely and the hold was voided; exception: the system credited but the hold could
 * not be posted (it expired during an outage longer than the hold) — for finance to settle.
 */
export const utilityOrderStatuses = [
  'created',
  'held',
  'credited',
  'completed',
  'refused',
  'failed',
  'exception',
] as const;
export type UtilityOrderStatus = (typeof utilityOrderStatuses)[number];

export interface UtilityOrder {
  id: string;
  service: UtilityService;
  target: string;
  packageId: string | null;
  cardNo: string;
  personId: string;
  amount: number;
  status: UtilityOrderStatus;
  failureCode: string | null;
  /** What the outside system answered: kWh and room balance, or the account's new expiry. */
  result: Record<string, unknown> | null;
  attempts: number;
  createdAtMs: number;
  updatedAtMs: number;
}

export const dormRoomInput = z.strictObject({
  building: z.string().min(1).max(32),
  roomNo: z.string().min(1).max(16),
  /** Below this many hundredths of a kWh, everyone living in the room is told. */
  lowKwhCenti: z.number().int().nonnegative().max(10_000_000).optional(),
  /** The people living in the room, by person number. */
  residents: z.array(personNo).max(16).default([]),
});
export type DormRoomInput = z.input<typeof dormRoomInput>;

export interface DormRoom {
  id: string;
  building: string;
  roomNo: string;
  lowKwhCenti: number;
  /** Last balance read from the meter system, hundredths of a kWh (null: never read). */
  balanceKwhCenti: number | null;
  balanceAtMs: number | null;
  residents: { personId: string; personNo: string; name: string }[];
}
