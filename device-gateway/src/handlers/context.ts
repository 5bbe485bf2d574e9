import type { CoreClient, DeviceConfig } from '@campus-card/core/client';
import type { CardCredential, Verifier, VerifyResult } from '@campus-card/core/credential';
import type { DeviceKind, Refusal, ScannedCode } from '../protocol/index.ts';
import { refusalOfVerify } from './refusals.ts';

/** What a handler knows about the request: who sent it (signed in, so trusted) and under which sequence. */
export interface RequestContext {
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
}

/** The core operation id of a device request: the same (device, sequence) is the same operation, charged once. */
export function operationId(ctx: RequestContext): string {
  return `dev:${ctx.deviceRef}:${ctx.sequence}`;
}

/** Only QR codes are verified so far; numeric pay codes need the BFF's per-card secrets (issue 4, left). */
export async function verifyCode(
  deps: HandlerDeps,
  code: ScannedCode,
): Promise<{ ok: true; card: CardCredential } | { ok: false; reason: Refusal }> {
  if (code.kind !== 'qr') return { ok: false, reason: 'CODE_INVALID' };
  const result = await deps.verifier.verify(code.text);
  return result.ok ? { ok: true, card: result.card } : { ok: false, reason: refusalOfVerify(result.code) };
}

/** Balances go to devices as u32 fen; a figure above it (not expected) is sent as the maximum. */
export function wireFen(fen: number): number {
  return Math.min(Math.max(0, fen), 0xffff_ffff);
}
