/**
 * What devices record through the gateway (docs/protocol.md § 12): access events at gates and doors, and
 * the offline records a device uploads after it was cut off, with the core's answer to each.
 */
import { z } from 'zod';
import { cardNo, deviceRef } from './fields.ts';

/** POST /v1/access-events: one identity check at a gate, door, library or school-bus reader. */
export const accessEventSchema = z.strictObject({
  /** The device id, `-<keyVersion>` after a re-key (sequences restart with each key). */
  deviceId: deviceRef,
  sequence: z.number().int().min(1).max(0xffff_ffff),
  /** Null when the code named no card that could be read (a forged or garbled code). */
  cardNo: cardNo.nullable(),
  direction: z.enum(['none', 'in', 'out']),
  decision: z.enum(['allow', 'deny']),
  /** The protocol's reason for a deny (CARD_LOST, CODE_EXPIRED …); null for allow. */
  reason: z
    .string()
    .regex(/^[A-Z_]{1,32}$/)
    .nullable(),
  source: z.enum(['online', 'offline']),
  occurredAtMs: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
});
export type AccessEventInput = z.infer<typeof accessEventSchema>;

/** GET /v1/cards/:cardNo/access-events: one of a card's events. */
export interface AccessEventView extends AccessEventInput {
  id: string;
}
