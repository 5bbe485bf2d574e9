/**
 * Federation between card centres on the wire (docs/federation.md): the trust list the backoffice keeps
 * (centres, their campus public keys with rotation and revocation), the keys the gateway loads, a
 * foreign card's payment as the gateway asks its own core for it, and the authorisation one centre's
 * core asks of the card's centre over the signed federation link.
 */
import { z } from 'zod';
import type { ErrorCode } from './errors.ts';
import { cardNo, day, entityId, fen, operationId, pin } from './fields.ts';
import { type Answer, codeId } from './ledger.ts';

/** A centre's id: what it signs the federation link with and how accounts and operation ids name it. */
export const centreId = z.string().regex(/^[A-Z][A-Z0-9]{1,15}$/, 'a centre id is 2–16 of A-Z 0-9');
const publicKeyHex = z.string().regex(/^[0-9a-f]{64}$/, 'an Ed25519 public key as 64 hex digits');
const timeMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);
const kid = z.number().int().min(0).max(65_535);
/** Who made a trust-list change, for the audit chain. */
const actor = z.strictObject({ adminId: z.string().min(1).max(64) });

export const centreKeyInput = z.strictObject({
  kid,
  publicKeyHex,
  validFromMs: timeMs,
  /** When the key stops signing; absent while it signs. */
  validToMs: timeMs.optional(),
});

/** POST /v1/federation/centres. */
export const newCentre = z.strictObject({
  id: centreId,
  name: z.string().min(1).max(64),
  /** The other centre's core as reachable for the link (an origin: scheme, host, port). */
  linkUrl: z.url().refine((url) => new URL(url).pathname === '/', 'the link URL is an origin'),
  /** The HMAC secret both centres sign the link with; 32+ characters, random, and its own. */
  linkSecret: z.string().min(32).max(128),
  keys: z.array(centreKeyInput).min(1).max(4),
  ...actor.shape,
});
export type NewCentre = z.infer<typeof newCentre>;

/** POST /v1/federation/centres/:id/keys: rotation, a second key whose validity overlaps the first. */
export const rotateCentreKey = z.strictObject({
  key: centreKeyInput,
  /** When the key it replaces stops signing (its valid-to), usually the new key's valid-from. */
  retireKid: kid.optional(),
  ...actor.shape,
});
export type RotateCentreKey = z.infer<typeof rotateCentreKey>;

/**
 * POST /v1/federation/centres/:id/link-secret: a new link secret, agreed with the other centre, which
 * enters the same one with the same two times. It signs our requests from signFromMs (default now); both
 * secrets are accepted until retireOldAtMs, then only the new one.
 */
export const rotateLinkSecretInput = z.strictObject({
  linkSecret: z.string().min(1).max(128),
  signFromMs: timeMs.optional(),
  retireOldAtMs: timeMs,
});
export const rotateLinkSecret = rotateLinkSecretInput
  .extend(actor.shape)
  .refine((r) => r.retireOldAtMs >= (r.signFromMs ?? 0), {
    message: 'the old secret is retired at or after the new one starts signing',
    path: ['retireOldAtMs'],
  });
export type RotateLinkSecret = z.infer<typeof rotateLinkSecret>;
/** POST /v1/federation/centres/:id/link-secret/retire: the old secret refused from now (the new one signs). */
export const retireLinkSecret = z.strictObject({ ...actor.shape });

/** A link secret rotation under way (never the secrets themselves). */
export interface LinkSecretRotation {
  signFromMs: number;
  retireOldAtMs: number;
}

/** POST /v1/federation/keys/:kid/revoke: refused at once, everywhere. */
export const revokeCentreKey = z.strictObject({ reason: z.string().min(1).max(200), ...actor.shape });
export type RevokeCentreKey = z.infer<typeof revokeCentreKey>;

/** POST /v1/federation/centres/:id/status: a suspended centre's link, keys and cards are refused here. */
export const centreStatusBody = z.strictObject({ status: z.enum(['active', 'suspended']), ...actor.shape });
export type CentreStatusBody = z.infer<typeof centreStatusBody>;

export const centrePath = z.object({ id: centreId });
export const kidPath = z.object({ kid: z.coerce.number().int().min(0).max(65_535) });

export interface CentreKey {
  kid: number;
  centreId: string;
  publicKeyHex: string;
  validFromMs: number;
  validToMs: number | null;
  revokedAtMs: number | null;
}

/** A trusted centre as the backoffice sees it: never its link secret. */
export interface Centre {
  id: string;
  name: string;
  linkUrl: string;
  status: 'active' | 'suspended';
  /** Stands for the centre in this ledger: what our cards spend at its devices is owed to it. */
  merchantId: string;
  /** What its cards spend at our devices, owed to us. */
  receivableAccountId: string;
  keys: CentreKey[];
  /** Its offline policy for its cards here, as last read over its link (never read: 0, 0, null). */
  offlinePolicy: OfflinePolicy & { readAtMs: number | null };
  /** The link secret rotation under way, until the old secret is retired; null otherwise. */
  linkSecretRotation: LinkSecretRotation | null;
}

/**
 * A centre's offline policy for its cards at other centres (docs/federation.md § A unreachable): while it
 * cannot be asked, another centre takes one of its cards for at most paymentMaxFen a payment and cardCapFen
 * a card and Shanghai day, and forwards each payment later. 0: its cards are never taken without asking it.
 */
export interface OfflinePolicy {
  paymentMaxFen: number;
  cardCapFen: number;
}

/**
 * POST /federation/v1/forwards, signed by the device's centre: a payment of one of our cards it took under
 * our offline policy while it could not ask us. The same id always gets the same answer (a refusal stays a
 * refusal); the card's status is judged as of takenAtMs.
 */
export const linkForwardRequest = z.strictObject({
  id: operationId,
  cardNo,
  amount: fen,
  takenAtMs: timeMs,
  cardVersion: z.number().int().positive().optional(),
  codeId: codeId.optional(),
});
export type LinkForwardRequest = z.infer<typeof linkForwardRequest>;

/** POST /v1/federation/centres/:id/link-check: whether the centre answered over the link, and how fast. */
export interface LinkCheck {
  centreId: string;
  up: boolean;
  /** Request to answer over the signed link, ms; null when it did not answer. */
  roundTripMs: number | null;
  checkedAtMs: number;
  /** Why not (FEDERATION_UNAVAILABLE, UNAUTHENTICATED …); null when up. */
  code: string | null;
}

/** A payment taken under another centre's offline policy, as the device's centre keeps it until answered. */
export interface Forward {
  id: string;
  centreId: string;
  cardNo: string;
  cardVersion: number | null;
  codeId: string | null;
  merchantId: string;
  deviceId: string | null;
  amount: number;
  takenAtMs: number;
  status: 'pending' | 'accepted' | 'refused';
  reason: string | null;
  attempts: number;
  nextAttemptAtMs: number;
  decidedAtMs: number | null;
}

/** GET /v1/federation/keys: what a gateway trusts besides its own campus keys (revoked ones left out). */
export interface TrustedKeys {
  centreId: string;
  keys: {
    kid: number;
    centreId: string;
    publicKeyHex: string;
    validFromMs: number;
    validToMs: number | null;
  }[];
  /** Each active centre's offline policy for its cards at our devices (as last read over its link). */
  policies: (OfflinePolicy & { centreId: string })[];
}

/** POST /v1/federation/payments: the gateway's payment of a card another centre issued. */
export const foreignPaymentRequest = z.strictObject({
  id: operationId,
  /** The card's centre, as the gateway found it from the code's key. */
  centreId,
  cardNo,
  merchantId: entityId,
  deviceId: entityId.optional(),
  amount: fen,
  cardVersion: z.number().int().positive().optional(),
  pin: pin.optional(),
  codeId: codeId.optional(),
});
export type ForeignPaymentRequest = z.infer<typeof foreignPaymentRequest>;

/**
 * POST /federation/v1/payments, signed by the asking centre: debit the card here, owed to that centre.
 * The id is the asking centre's own operation id; the same id always gets the same answer.
 */
export const linkPaymentRequest = z.strictObject({
  id: operationId,
  cardNo,
  amount: fen,
  cardVersion: z.number().int().positive().optional(),
  pin: pin.optional(),
  codeId: codeId.optional(),
});
export type LinkPaymentRequest = z.infer<typeof linkPaymentRequest>;

/** A foreign sale as the ledger records it at the centre whose merchant sold. */
export interface ForeignSaleRequest {
  id: string;
  merchantId: string;
  deviceId?: string;
  amount: number;
  /** The card's centre and its number there (not a card of ours: card numbers repeat across centres). */
  centreId: string;
  foreignCardNo: string;
  /** The card's centre refused: recorded as this refusal, moving nothing. */
  refusedBy?: ErrorCode;
}

/** One line of a day's inter-centre file: the operation id at the device's centre, and the amount. */
export interface SettlementLine {
  id: string;
  amount: number;
}

/**
 * GET /federation/v1/settlement/:day, a centre's file for the asking centre: `debits` are its cards'
 * payments at the asker's devices (what it owes the asker), `sales` the asker's cards at its devices.
 */
export interface SettlementFile {
  centreId: string;
  day: string;
  debits: SettlementLine[];
  sales: SettlementLine[];
}

export const settlementPath = z.object({ id: centreId, day });
export const settlementDayPath = z.object({ day });
/** POST /v1/federation/centres/:id/settlements/:day/net: the net paid, recorded in the ledger. */
export const recordNetBody = z.strictObject(actor.shape);

export interface SettlementException {
  direction: 'receivable' | 'payable';
  operationId: string;
  kind: 'missing_here' | 'missing_there' | 'amount_differs';
  ourAmount: number | null;
  theirAmount: number | null;
  /**
   * open: to be settled; reasked: the card's centre asked again and its answer booked here (the next
   * reconciliation clears it); proposed: a resolution awaits a second admin; resolved: settled at the
   * resolution's figure, no longer blocking the net.
   */
  state: 'open' | 'reasked' | 'proposed' | 'resolved';
  resolution: ExceptionResolution | null;
}

export const resolutionActions = ['accept_theirs', 'write_off'] as const;

/**
 * How an exception is settled by hand (maker–checker): accept_theirs (采纳对方) settles the line at the other
 * centre's figure, the difference booked against SYS-ADJUSTMENT; write_off (按本方核销) closes it at our own
 * figure, the other centre's differing line written off. One centre accepts, the other writes off.
 */
export interface ExceptionResolution {
  action: (typeof resolutionActions)[number];
  /** The line's figure in the day's net once resolved. */
  settledAmount: number;
  reason: string;
  makerId: string;
  checkerId: string | null;
  proposedAtMs: number;
  resolvedAtMs: number | null;
}

const exceptionKey = {
  direction: z.enum(['receivable', 'payable']),
  operationId: z.string().min(1).max(64),
};
/** POST /v1/federation/centres/:id/settlements/:day/exceptions/propose: the maker's resolution. */
export const proposeResolutionBody = z.strictObject({
  ...exceptionKey,
  action: z.enum(resolutionActions),
  reason: z.string().trim().min(2).max(200),
  ...actor.shape,
});
export type ProposeResolution = z.infer<typeof proposeResolutionBody>;
/** POST …/exceptions/decide: a second admin approves (the line is settled) or rejects (open again). */
export const decideResolutionBody = z.strictObject({
  ...exceptionKey,
  decision: z.enum(['approve', 'reject']),
  ...actor.shape,
});
export type DecideResolution = z.infer<typeof decideResolutionBody>;

/**
 * GET /federation/v1/payments/:id at the card's centre: what it did with the asking centre's operation of
 * that id (its stored answer), or null when it never had it. Asks nothing new: nothing is debited.
 */
export interface PaymentLookup {
  answer: Answer | null;
}
export const lookupPath = z.object({ id: operationId });

/** A day's settlement with one centre: both directions' totals (ours), the net it owes us, the differences. */
export interface Settlement {
  centreId: string;
  day: string;
  receivableAmount: number;
  payableAmount: number;
  netAmount: number;
  /**
   * The other centre's totals as its file had them (sql/191): what it says its cards spent at our devices,
   * and ours at its devices. Null for a day reconciled before they were kept.
   */
  theirReceivableAmount: number | null;
  theirPayableAmount: number | null;
  exceptions: SettlementException[];
  netRecordedAtMs: number | null;
}
