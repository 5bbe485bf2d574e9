/**
 * Self-service kiosks' cash on the wire (docs/funds.md § Kiosk cash): cash top-ups the banknote
 * acceptor counted, and collections of the cash box. Nothing here imports from node.
 */
import { z } from 'zod';
import { cardNo, fen, operationId, pin } from './fields.ts';

export const kioskDeviceRef = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'a device reference');

export const kioskCashTopUpBody = z.strictObject({
  /** dev:<device>:<sequence>: the kiosk frame's idempotency key. */
  id: operationId,
  deviceRef: kioskDeviceRef,
  cardNo,
  amount: fen,
  notes: z.number().int().min(1).max(0xffff),
});

/**
 * POST /v1/kiosks/identify-by-id: a person without a phone at a kiosk (docs/funds.md § Kiosk
 * identification). Answers { cardNo }; an unknown number, a wrong or locked PIN are all PIN_INVALID.
 */
export const kioskIdentifyByIdBody = z.strictObject({
  idNumber: z
    .string()
    .trim()
    .regex(/^[0-9A-Za-z]{6,32}$/, 'an ID number is 6–32 letters and digits'),
  pin,
});
export type KioskIdentifyById = z.infer<typeof kioskIdentifyByIdBody>;

/**
 * POST /v1/kiosks/cancel-loss: 解挂 at a kiosk (docs/funds.md § Kiosk identification), for the card of
 * the kiosk session, with the card's PIN typed again; identifiedBy says how the session's person proved
 * who they are (the ID number counts as the identity proof the app asks for). Answers the CardChange.
 */
export const kioskCancelLossBody = z.strictObject({
  cardNo,
  pin,
  deviceRef: kioskDeviceRef,
  identifiedBy: z.enum(['code', 'id_number']),
});
export type KioskCancelLoss = z.infer<typeof kioskCancelLossBody>;

export const kioskCollectionBody = z.strictObject({
  deviceRef: kioskDeviceRef,
  requestId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  /** What the collector counted in the box, fen. */
  countedAmount: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  collectorId: z.string().min(1).max(64),
  note: z.string().trim().min(1).max(200).optional(),
});

export interface KioskCashEntry {
  operationId: string;
  deviceRef: string;
  cardNo: string;
  amount: number;
  notes: number;
  collectionId: string | null;
  createdAtMs: number;
}

/** A kiosk's cash box as the records say it should be: everything taken in since the last collection. */
export interface KioskCashBox {
  deviceRef: string;
  openAmount: number;
  openNotes: number;
  openEntries: number;
  lastCollectedAtMs: number | null;
}

export interface KioskCollection {
  id: string;
  deviceRef: string;
  expectedAmount: number;
  expectedNotes: number;
  countedAmount: number;
  /** counted − expected: negative is cash missing from the box. */
  difference: number;
  status: 'balanced' | 'discrepancy' | 'resolved';
  collectorId: string;
  /** On a list: the collecting admin's display name, when the id is an admin account's. */
  collectorName?: string | null;
  note: string | null;
  createdAtMs: number;
  resolvedAtMs: number | null;
  /** On a collect answer only: true when the request id had already made this collection (a retry). */
  replayed?: boolean;
}
