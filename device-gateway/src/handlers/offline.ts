import { createHash } from 'node:crypto';
import { type OfflineRecordInput, personTypeAllowed } from '@campus-card/core/client';
import { qrCodeId } from '../code-ids.ts';
import { codeHashOf } from '../declines.ts';
import {
  macBytes,
  neverIssued,
  type OfflineRecord,
  type OfflineRecordResult,
  type OfflineUpload,
  type OfflineUploadResult,
  offlineRecordBody,
  type ReasonCode,
  reasonCodes,
  verifyOfflineRecord,
} from '../protocol/index.ts';
import { assertLive, type HandlerDeps, type RequestContext } from './context.ts';
import { refusalOfVerify } from './refusals.ts';

/** A reason name the core answered, if the protocol has it; anything else is a server fault. */
function reasonOf(name: string): ReasonCode {
  // A record taken while its device was disabled: the device is told it was not permitted.
  if (name === 'DEVICE_DISABLED') return 'NOT_PERMITTED';
  return Object.hasOwn(reasonCodes, name) ? (name as ReasonCode) : 'SERVICE_UNAVAILABLE';
}

/**
 * What the device's configured offline policy (protocol § 7.8, § 12.1) says of an offline payment of this
 * amount and person type: NOT_PERMITTED where offline use is off or the card's person type may not use the
 * device (`personTypes`), LIMIT_EXCEEDED above `offline.paymentMaxFen`. A device
 * never configured (version 0) is judged by the core's own limits alone.
 */
export function offlinePolicyRefusal(
  ctx: RequestContext,
  amountFen: number,
  personType: string,
): ReasonCode | undefined {
  if (ctx.config.configVersion === 0) return undefined;
  const offline = ctx.config.settings.offline;
  if (!offline.enabled) return 'NOT_PERMITTED';
  // The device cannot know who may use it (CONFIG_PUSH has no field for it): checked here, at upload.
  if (!personTypeAllowed(ctx.config.settings, personType)) return 'NOT_PERMITTED';
  if (amountFen > offline.paymentMaxFen) return 'LIMIT_EXCEEDED';
  return undefined;
}

/** What the gateway checks of a record before the core settles it: its MAC and the card its code names. */
async function checked(
  deps: HandlerDeps,
  ctx: RequestContext,
  record: OfflineRecord,
): Promise<OfflineRecordInput> {
  const body = offlineRecordBody(record);
  const recordHash = createHash('sha256').update(body).update(record.mac.subarray(0, macBytes)).digest('hex');
  const macOk = verifyOfflineRecord(ctx.deviceKey, ctx.deviceId, record);
  let cardNo: string | null = null;
  let cardVersion: number | null = null;
  let personType = '';
  let codeRefusal: string | null = null;
  let codeId: string | undefined;
  let centreId: string | undefined;
  if (macOk) {
    if (record.code.kind !== 'qr') {
      // Numeric codes can only be verified online; a device must not accept them offline (protocol § 12.1).
      codeRefusal = 'CODE_INVALID';
    } else {
      const verified = await deps.verifyAt(record.code.text, record.takenAtMs);
      // Another centre's card (its key signed the code): its number is that centre's, never one of ours.
      const issuer = verified.ok ? deps.issuerOf(verified.kid) : undefined;
      if (issuer !== undefined && verified.ok) {
        // Only a payment is forwarded to its centre; anything else of a foreign card is not ours to take.
        if (record.recordKind === 'payment') {
          centreId = issuer;
          cardNo = verified.card.cardNo;
          cardVersion = verified.card.cardVersion;
          personType = verified.card.personType;
          codeId = qrCodeId(record.code.text);
        } else {
          codeRefusal = 'NOT_PERMITTED';
        }
      } else if (
        verified.ok &&
        neverIssued(deps.blacklist.entry(verified.card.cardNo), verified.card.cardVersion)
      ) {
        // A version above the card's current one was never issued (a certificate forged with a leaked or
        // default key): it names no card that could pay.
        codeRefusal = 'CREDENTIAL_REVOKED';
      } else if (verified.ok) {
        cardNo = verified.card.cardNo;
        cardVersion = verified.card.cardVersion;
        personType = verified.card.personType;
        // The ledger charges each code once: paid online at another till, or by another record, this
        // record is an exception CODE_REPLAYED (protocol § 12.3).
        codeId = qrCodeId(record.code.text);
      } else {
        codeRefusal = refusalOfVerify(verified.code);
      }
    }
  }
  // Protocol § 12.3: a payment the gateway declined online under this sequence (the ledger never saw it)
  // is an exception with that reason if the record is the same request, a conflict if it is another.
  // A bus fare taken offline is a payment too: the device's offline policy judges it the same way.
  const acceptedPayment =
    macOk &&
    record.decision === 'accepted' &&
    (record.recordKind === 'payment' || (record.recordKind === 'bus_ride' && record.amountFen > 0));
  const online = acceptedPayment ? await deps.declines.find(ctx.deviceRef, record.sequence) : undefined;
  // A payment the device's own offline policy forbids (offline use off, above its offline maximum) was
  // never the device's to accept: a rogue or tampered till. An exception with that reason, nothing booked.
  const policy =
    acceptedPayment && cardNo !== null ? offlinePolicyRefusal(ctx, record.amountFen, personType) : undefined;
  const decline =
    online ??
    (policy === undefined
      ? undefined
      : { reason: policy, codeHash: codeHashOf(record.code), amountFen: record.amountFen });
  return {
    ...(decline === undefined
      ? {}
      : {
          onlineDecline: {
            reason: decline.reason,
            sameRequest:
              decline.codeHash === codeHashOf(record.code) && decline.amountFen === record.amountFen,
          },
        }),
    offlineNo: record.offlineNo,
    sequence: record.sequence,
    recordKind: record.recordKind,
    decision: record.decision,
    takenAtMs: record.takenAtMs,
    amount: record.amountFen,
    orderNo: record.orderNo,
    sessionId: record.sessionId === '' ? null : record.sessionId,
    recordHash,
    macOk,
    cardNo,
    cardVersion,
    codeRefusal,
    ...(codeId === undefined ? {} : { codeId }),
    ...(centreId === undefined ? {} : { centreId }),
  };
}

/**
 * OFFLINE_UPLOAD: every record gets a final status (protocol § 12.3). A failure to reach the core throws,
 * so the session answers INTERNAL_ERROR, keeps no answer, and the device's retry of the same upload runs
 * again — harmless, since the core settles each record once.
 */
export async function uploadOffline(
  deps: HandlerDeps,
  ctx: RequestContext,
  request: OfflineUpload,
): Promise<OfflineUploadResult> {
  const records = await Promise.all(request.records.map((record) => checked(deps, ctx, record)));
  await assertLive(ctx);
  const settled = await deps.core.uploadOfflineRecords(String(ctx.deviceId), records);
  const results: OfflineRecordResult[] = settled.results.map((r) => {
    const plain = r.status === 'accepted' || r.status === 'duplicate';
    const reason = plain ? 'NONE' : reasonOf(r.reason);
    return {
      sequence: r.sequence,
      status: r.status,
      reason: !plain && reason === 'NONE' ? 'SERVICE_UNAVAILABLE' : reason,
    };
  });
  return { kind: 'offline_upload_result', results, gaps: settled.gaps };
}
