import {
  type CoreClient,
  type DeviceConfig,
  type PayCodeVerdict,
  personTypeAllowed,
  withCall,
} from '@campus-card/core/client';
import {
  type CardCredential,
  personTypes,
  type Verifier,
  type VerifyResult,
  type VisitorPassVerifier,
} from '@campus-card/core/credential';
import type { DeclineLog } from '../declines.ts';
import type { KioskSessions } from '../kiosk-sessions.ts';
import type { MealCaps } from '../meal-caps.ts';
import type { MeterLocks } from '../meter-locks.ts';
import type { NumericFailureLimit } from '../numeric-failures.ts';
import type { PinRetries } from '../pin-retries.ts';
import type { BlacklistEntry, DeviceKind, Refusal, ScannedCode } from '../protocol/index.ts';
import { refusalOfPayCode, refusalOfVerify } from './refusals.ts';

/** What a handler knows about the request: who sent it (signed in, so trusted) and under which sequence. */
export interface RequestContext {
  /**
   * False once the device was disabled or re-keyed while the request was in flight (protocol § 10.1): a
   * handler checks it right before it writes to the core, and refuses.
   */
  readonly live: () => Promise<boolean>;
  readonly deviceId: number;
  /**
   * The device as the core's records name it: its id, and after a re-key `<id>-<keyVersion>`. A re-key
   * restarts the device's sequence and offline numbers (protocol § 4), so every key derived from them
   * (operation ids, access events, answers) must be told apart from the previous key's.
   */
  readonly deviceRef: string;
  readonly deviceKind: DeviceKind;
  /** The merchant the device takes money for; null for devices that take none. */
  readonly merchantId: string | null;
  readonly sequence: number;
  /** The device's own key: offline records carry a MAC made with it. */
  readonly deviceKey: Uint8Array;
  /** The device's configuration (version 0: never configured; the core's own limits apply alone). */
  readonly config: DeviceConfig;
  /** The frame's request id (`gw-<device>-<sequence>`): its log lines and core calls carry it (`depsFor`). */
  readonly requestId: string;
  /**
   * When its core calls must have settled (performance.now() clock): `coreDeadlineMs` after its frame was read,
   * before the till's timeout (deadline.ts). Its core calls carry it (`depsFor`).
   */
  readonly deadlineAtMs: number;
}

export interface HandlerDeps {
  readonly core: CoreClient;
  readonly verifier: Verifier;
  readonly meterHoldTimeoutMs: number;
  /** Meter price until the per-device configuration push exists: fen per counted unit. */
  readonly meterFenPerUnit: number;
  /**
   * Verifies a code as of the moment a device took it offline: signatures and freshness at `atMs`, no
   * replay guard (the device kept its own; the record's sequence is the idempotency key).
   */
  readonly verifyAt: (text: string, atMs: number) => Promise<VerifyResult>;
  /** Payments declined before the ledger, for the offline records under their sequences (§ 12.3). */
  readonly declines: DeclineLog;
  /** Codes kept for the PAY_WITH_PIN after a PIN_REQUIRED (protocol § 7.11). */
  readonly pinRetries: PinRetries;
  /** Open meter holds, one per device across instances (protocol § 7.15, DEVICE_BUSY). */
  readonly meters: MeterLocks;
  /** The gateway's copy of the blacklist: a reissued card's entry names its current version. */
  readonly blacklist: { entry(cardNo: string): BlacklistEntry | undefined };
  /** Wrong numeric pay codes per till (the core limits them per code id). */
  readonly numericFailures: NumericFailureLimit;
  /** What each card has spent per meal window at a merchant (`perCardMaxFen`), across instances. */
  readonly mealCaps: MealCaps;
  /** Visitor passes (protocol § 7.23): the campus keys' verifier, and the places of a gate. */
  readonly visitorPasses: VisitorPassVerifier;
  readonly placesOf: (ctx: RequestContext) => Promise<readonly string[]>;
  /** The other card centre whose key signed a code (docs/federation.md); undefined for our own cards. */
  readonly issuerOf: (kid: number) => string | undefined;
  /** Kiosk sessions (protocol § 7.24), across instances where the gateway has Redis. */
  readonly kioskSessions: KioskSessions;
}

/**
 * The dependencies one frame's handler gets: the same, except that each core call it makes carries the
 * frame's request id (x-request-id) and deadline, named explicitly as the call is made. AsyncLocalStorage
 * would carry them too, but in Node 20 it puts promise hooks on every promise of the process (issue #20).
 */
export function depsFor(deps: HandlerDeps, ctx: RequestContext): HandlerDeps {
  const scope = { requestId: ctx.requestId, deadlineAtMs: ctx.deadlineAtMs };
  const core = new Proxy(deps.core, {
    get(target, name) {
      const value: unknown = Reflect.get(target, name);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => withCall(scope, () => value.apply(target, args));
    },
  });
  return { ...deps, core };
}

/** Thrown when a request's device was disabled or re-keyed in flight: no answer is kept or sent. */
export class DeviceRevoked extends Error {
  constructor(deviceId: number) {
    super(`device ${deviceId} was disabled or re-keyed while its request was in flight`);
  }
}

/**
 * Thrown when the core's ledger refused a request for capacity (OVERLOADED) before applying anything: the
 * session answers BUSY (protocol § 7.9), keeps no answer, and the same request's retry runs again.
 */
export class Busy extends Error {
  constructor() {
    super('the ledger is at capacity');
  }
}

/** Refuses a request whose device was disabled or re-keyed since it arrived; called before each core write. */
export async function assertLive(ctx: RequestContext): Promise<void> {
  if (!(await ctx.live())) throw new DeviceRevoked(ctx.deviceId);
}

/** The core operation id of a device request: the same (device, sequence) is the same operation, charged once. */
export function operationId(ctx: RequestContext): string {
  return `dev:${ctx.deviceRef}:${ctx.sequence}`;
}

/** codeId: the code's identity for the ledger, which charges each code once (docs/ledger.md). */
type Verified =
  | { ok: true; card: CardCredential; codeId?: string; centreId?: string }
  | { ok: false; reason: Refusal };

/**
 * A QR code is verified here with the campus keys; a numeric pay code by the core, which alone holds the
 * per-card secrets. Either way the handler gets the card and the version its credential was made for,
 * and the core checks that version again on the payment itself.
 */
export async function verifyCode(
  deps: HandlerDeps,
  ctx: RequestContext,
  code: ScannedCode,
  options: { readonly foreign?: boolean } = {},
): Promise<Verified> {
  const verified = await verifiedCode(deps, ctx, code);
  // A card of another centre pays (authorised at its centre) and does nothing else here: its number is
  // its centre's, and may be one of our own cards' numbers too (docs/federation.md).
  if (verified.ok && verified.centreId !== undefined && options.foreign !== true)
    return { ok: false, reason: 'NOT_PERMITTED' };
  // Every card use at a device (pay, meter, gate, attendance) passes here: a person type the device's
  // configuration does not allow is refused before anything is charged or recorded. The device is not
  // told the restriction (CONFIG_PUSH has no field for it), so only the server enforces it.
  if (verified.ok && !personTypeAllowed(ctx.config.settings, verified.card.personType))
    return { ok: false, reason: 'NOT_PERMITTED' };
  return verified;
}

async function verifiedCode(deps: HandlerDeps, ctx: RequestContext, code: ScannedCode): Promise<Verified> {
  if (code.kind === 'numeric') return verifyNumericCode(deps, ctx.deviceRef, code.text);
  const result = await deps.verifier.verify(code.text);
  if (!result.ok) return { ok: false, reason: refusalOfVerify(result.code) };
  // The code's identity from what the verifier decoded, not decoded a second time.
  const centreId = deps.issuerOf(result.kid);
  return {
    ok: true,
    card: result.card,
    codeId: result.codeId,
    ...(centreId === undefined ? {} : { centreId }),
  };
}

async function verifyNumericCode(deps: HandlerDeps, deviceRef: string, text: string): Promise<Verified> {
  // Reserved before the core is asked, so requests in flight together cannot pass the till's limit.
  if (!deps.numericFailures.take(deviceRef)) return { ok: false, reason: 'CODE_INVALID' };
  let verdict: PayCodeVerdict;
  try {
    verdict = await deps.core.verifyPayCode(text);
  } catch {
    deps.numericFailures.settle(deviceRef, false);
    // The device retries the same frame or applies its offline rules (which refuse numeric codes).
    return { ok: false, reason: 'SERVICE_UNAVAILABLE' };
  }
  // Wrong passwords and unknown code ids are what a till guessing would send; a WeChat code sent by
  // mistake (MALFORMED) or a refused card is not.
  deps.numericFailures.settle(
    deviceRef,
    !verdict.ok && ['CODE_INVALID', 'UNKNOWN_CODE_ID', 'TOO_MANY_ATTEMPTS'].includes(verdict.code),
  );
  if (!verdict.ok) return { ok: false, reason: refusalOfPayCode(verdict.code) };
  const personType = personTypes.find((type) => type === verdict.personType) ?? 'visitor';
  return {
    ok: true,
    card: { cardNo: verdict.cardNo, personType, cardVersion: verdict.cardVersion },
    codeId: verdict.useId,
  };
}

/** Balances go to devices as u32 fen; a figure above it (not expected) is sent as the maximum. */
export function wireFen(fen: number): number {
  return Math.min(Math.max(0, fen), 0xffff_ffff);
}
