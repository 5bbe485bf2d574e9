/**
 * Devices (docs/api.md "Devices", docs/protocol.md): registering a device, its live presence as the
 * gateways report it, and the offline exceptions its uploads leave for the card centre. The device
 * configuration's settings and prices are in core/src/devices/device-configs.ts.
 */
import { z } from 'zod';
import { campusId } from './campuses.ts';
import { deviceNo, entityId, requestId } from './fields.ts';

export const deviceKinds = ['pos', 'gate', 'attendance', 'shower', 'laundry', 'kiosk'] as const;
export type DeviceKind = (typeof deviceKinds)[number];
export type DeviceStatus = 'active' | 'disabled';

/** POST /v1/devices: the protocol's u32 device id as decimal text, its kind, its merchant. */
export const newDeviceSchema = z.strictObject({
  id: deviceNo,
  kind: z.enum(deviceKinds),
  merchantId: entityId.nullable().optional(),
  /** Its campus (校区, docs/campuses.md) where it is bound to no door; absent or null: centre-wide. */
  campusId: campusId.nullable().optional(),
});
export type NewDevice = z.infer<typeof newDeviceSchema>;

export interface Device {
  id: string;
  kind: DeviceKind;
  merchantId: string | null;
  status: DeviceStatus;
  keyVersion: number;
  /**
   * Its own campus (null: centre-wide); a door's device takes its door's campus instead (GET
   * /v1/campuses/devices). The core always answers it; optional for stand-ins that build a Device.
   */
  campusId?: string | null;
}

/** Rows one gateway presence report may carry (the gateway sends at most this many per request). */
export const presenceReportsMax = 1_000;
const u32 = z.number().int().nonnegative().max(0xffff_ffff);
const atMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

/** POST /v1/device-presence: the gateways' batched presence reports (sign-ins, heartbeats, closes). */
export const presenceReportSchema = z.strictObject({
  /** The gateway instance sending the report (host and process, or GATEWAY_INSTANCE_ID). */
  gatewayId: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/),
  devices: z
    .array(
      z.strictObject({
        deviceId: deviceNo,
        online: z.boolean(),
        signedInAtMs: atMs,
        lastSeenAtMs: atMs,
        configVersion: u32,
        blacklistVersion: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
        offlinePending: u32,
        firmware: z.string().max(64),
      }),
    )
    .max(presenceReportsMax),
});
export type PresenceReportInput = z.infer<typeof presenceReportSchema>;

/** A device's live status as the backoffice shows it. */
export interface DevicePresence {
  /** The gateway said so and the device was heard within the silence timeout. */
  online: boolean;
  gatewayId: string;
  signedInAtMs: number;
  lastSeenAtMs: number;
  firmware: string;
  /** What the device applies, and whether it lags what it should apply. */
  configVersion: number;
  configBehind: boolean;
  blacklistVersion: number;
  blacklistBehind: boolean;
  offlinePending: number;
}

/** GET /v1/devices: each device with its live status and the configuration it should apply. */
export type DeviceWithPresence = Device & {
  /** The configuration version the device should apply (0: never configured). */
  currentConfigVersion: number;
  /** null: no gateway has reported the device since presence was recorded. */
  presence: DevicePresence | null;
};

export interface PresenceSummary {
  online: number;
  /** The blacklist version devices should apply. */
  blacklistVersion: number;
  atMs: number;
}

/** An offline record the upload could not apply as the device decided it, for the card centre. */
export interface OfflineException {
  id: string;
  deviceId: string;
  offlineNo: number;
  sequence: number;
  cardNo: string | null;
  amount: number;
  receivableAmount: number;
  reason: string;
  operationId: string | null;
  status: 'open' | 'closed';
  takenAtMs: number;
  createdAtMs: number;
  /**
   * An exception about another centre (docs/federation.md § A unreachable): at the device's centre the
   * card's centre, with its card number in centreCardNo (never cardNo); at the card's centre the centre
   * whose device took the payment. Null for our own devices and cards.
   */
  centreId: string | null;
  centreCardNo: string | null;
}

export const offlineResolutionActions = ['recover', 'write_off', 'dismiss'] as const;
export type OfflineResolutionAction = (typeof offlineResolutionActions)[number];
export type OfflineResolution = 'recovered' | 'written_off' | 'dismissed';

/** POST /v1/offline-exceptions/:id/resolution: recover the receivable, write it off, or dismiss. */
export const offlineResolutionSchema = z.strictObject({
  action: z.enum(offlineResolutionActions),
  /** The caller's idempotency key: the same request again answers the same result. */
  requestId,
  /** Why: kept on the exception and on the journal entry. */
  note: z.string().trim().min(1).max(200),
  /** Who decided (the admin's id). */
  actorId: z.string().min(1).max(64),
});
export type OfflineResolutionInput = z.infer<typeof offlineResolutionSchema>;

export interface ResolvedException extends OfflineException {
  resolution: OfflineResolution | null;
  resolvedBy: string | null;
  resolvedAtMs: number | null;
  resolutionNote: string | null;
  /** The journal operation that moved the receivable (recover, write-off), or null. */
  resolutionOperationId: string | null;
}

/** What the gateway needs to check a sign-in (GET /v1/devices/:id/key): the device and its key, hex. */
export interface DeviceWithKey extends Device {
  keyHex: string;
}

/** The blacklist devices refuse codes by when they verify offline (docs/protocol.md § 7.21, § 10.5). */
export const blacklistReasons = ['lost', 'frozen', 'cancelled', 'reissued'] as const;
export type BlacklistReason = (typeof blacklistReasons)[number];

/** cardVersionMax of a card whose every code is refused. */
export const allVersions = 0xffff_ffff;

const listVersion = z.number().int().nonnegative();

export const blacklistEntry = z.object({
  cardNo: z.string(),
  /** Codes whose certificate carries this card version or lower are refused. */
  cardVersionMax: u32,
  reason: z.enum(blacklistReasons),
});
export type BlacklistEntry = z.infer<typeof blacklistEntry>;

export const blacklistChange = z.discriminatedUnion('op', [
  blacklistEntry.extend({ version: listVersion, op: z.literal('add') }),
  z.object({ version: listVersion, op: z.literal('remove'), cardNo: z.string() }),
]);
export type BlacklistChange = z.infer<typeof blacklistChange>;

/** GET /v1/blacklist: the whole list at one version. */
export const blacklistSnapshot = z.object({
  version: listVersion,
  /** Ascending by card number. */
  entries: z.array(blacklistEntry),
});
export type BlacklistSnapshot = z.infer<typeof blacklistSnapshot>;

export const changesPerPageMax = 1_000;

/** GET /v1/blacklist/changes: the changes above a version, a page at a time. */
export const blacklistChangesQuerySchema = z.object({
  since: z.coerce.number().int().min(0).max(0xffff_ffff),
  limit: z.coerce.number().int().min(1).max(changesPerPageMax).default(changesPerPageMax),
});

export const blacklistChanges = z.object({
  /** The list's version now. */
  version: listVersion,
  /** Changes above `since`, ascending by version, at most `limit`. */
  changes: z.array(blacklistChange),
});
export type BlacklistChanges = z.infer<typeof blacklistChanges>;
