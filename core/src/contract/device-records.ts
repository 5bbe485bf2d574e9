/**
 * What devices record through the gateway (docs/protocol.md § 12): access events at gates and doors, and
 * the offline records a device uploads after it was cut off, with the core's answer to each.
 */
import { z } from 'zod';
import { attendanceSessionId, cardNo, deviceRef } from './fields.ts';
import { codeId } from './ledger.ts';

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

/** Records one upload carries, and gap ranges its answer lists (docs/protocol.md § 12.3). */
export const offlineRecordsPerUploadMax = 64;
export const gapRangesMax = 32;

const reason = z.string().regex(/^[A-Z_]{1,32}$/);

/** POST /v1/devices/:id/offline-records: one record as the gateway checked it. */
export const offlineRecordSchema = z.strictObject({
  offlineNo: z.number().int().min(1).max(0xffff_ffff),
  sequence: z.number().int().min(1).max(0xffff_ffff),
  recordKind: z.enum(['payment', 'access', 'attendance', 'bus_ride']),
  decision: z.enum(['accepted', 'refused']),
  takenAtMs: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
  amount: z.number().int().nonnegative().max(0xffff_ffff),
  orderNo: z.number().int().nonnegative().max(0xffff_ffff),
  sessionId: attendanceSessionId.nullable(),
  /** SHA-256 hex of the record's bytes as uploaded: the same record uploaded again is a duplicate. */
  recordHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The gateway's check of the record MAC. */
  macOk: z.boolean(),
  /** The card the code names, when the code verified (as of takenAtMs); null otherwise. */
  cardNo: cardNo.nullable(),
  cardVersion: z.number().int().min(1).max(0xffff_ffff).nullable(),
  /** Why the code did not verify (a protocol reason: CODE_INVALID, CODE_EXPIRED …); null when it did. */
  codeRefusal: reason.nullable(),
  /**
   * The gateway declined an online payment under this record's sequence before the ledger saw it (a code
   * that did not verify, a configuration limit): its reason, and whether the record is the same request
   * (same code and amount). Protocol § 12.3: then the record is an exception with that reason, not a charge.
   */
  onlineDecline: z.strictObject({ reason, sameRequest: z.boolean() }).nullable().optional(),
  /**
   * The identity of the record's code (docs/ledger.md), when it verified: the ledger charges each code
   * once, so a code paid online (at any till) or by another record makes this one an exception
   * CODE_REPLAYED, nothing booked.
   */
  codeId: codeId.nullable().optional(),
  /**
   * The card's centre when the code verified with another centre's key (docs/federation.md § A
   * unreachable): cardNo is then that centre's card, and the payment is forwarded to it under its offline
   * policy, never charged to a card of ours.
   */
  centreId: z
    .string()
    .regex(/^[A-Z][A-Z0-9]{1,15}$/)
    .nullable()
    .optional(),
});
export type OfflineRecordInput = z.infer<typeof offlineRecordSchema>;

/** POST /v1/devices/:id/offline-records: a batch of a device's records. */
export const offlineUploadSchema = z.strictObject({
  records: z.array(offlineRecordSchema).max(offlineRecordsPerUploadMax),
});

export const offlineStatuses = ['accepted', 'duplicate', 'exception', 'rejected'] as const;
export type OfflineStatus = (typeof offlineStatuses)[number];

export const offlineResult = z.object({
  sequence: z.number().int(),
  status: z.enum(offlineStatuses),
  /** A protocol reason name; NONE for accepted and duplicate. */
  reason: z.string(),
});
export type OfflineResult = z.infer<typeof offlineResult>;

/** The answer to an upload: each record's status, and the record numbers never received. */
export const offlineUploadResult = z.object({
  results: z.array(offlineResult),
  /** Offline record numbers never received, lowest first, inclusive. */
  gaps: z.array(z.object({ fromOfflineNo: z.number().int(), toOfflineNo: z.number().int() })),
});
export type OfflineUploadResult = z.infer<typeof offlineUploadResult>;
