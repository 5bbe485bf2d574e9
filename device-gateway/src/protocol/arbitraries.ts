// fast-check generators for every message kind, producing exactly the values the codec accepts. Used by
// the property tests; kept out of index.ts because fast-check is a development dependency.

import fc from 'fast-check';
import {
  accessDecisions,
  accessDirections,
  attendanceStatuses,
  blacklistReasons,
  deviceKinds,
  kioskCancelLossStatuses,
  kioskEntryDirections,
  kioskFeePaymentStatuses,
  kioskLoadStatuses,
  kioskLossStatuses,
  kioskUtilityServices,
  kioskUtilityStatuses,
  meals,
  meterServices,
  meterStates,
  meterUnits,
  offlineDecisions,
  offlineRecordKinds,
  offlineResultStatuses,
  personTypes,
  photoMediaTypes,
  type ReasonCode,
  type Refusal,
  reasonCodes,
} from './codes.ts';
import { type ProtocolErrorCode, protocolErrorCodes } from './errors.ts';
import { type BusRideKind, type BusRideRefusal, busRideKinds, busRideRefusals } from './messages/bus.ts';
import type { ScannedCode } from './messages/fields.ts';
import type { Message, MessageKind } from './messages/index.ts';
import { type MeetingSessionKind, meetingTitleBytesMax } from './messages/meeting-session.ts';
import type { OfflineRecord } from './messages/offline.ts';
import { curfewModes, doorCommands, doorEvents, passageCalendars, ruleEffects } from './messages/passage.ts';
import { type VisitorRefusal, visitorRefusals } from './messages/visitor.ts';

/** Records with the ordinary prototype, so they deep-equal what the decoder builds. */
function record<T>(shape: { [K in keyof T]: fc.Arbitrary<T[K]> }): fc.Arbitrary<T> {
  return fc.record(shape, { noNullPrototype: true });
}

const u8 = fc.integer({ min: 0, max: 0xff });
const u16 = fc.integer({ min: 0, max: 0xffff });
const u32 = fc.integer({ min: 0, max: 0xffff_ffff });
const positiveU32 = fc.integer({ min: 1, max: 0xffff_ffff });
const timeMs = fc.oneof(
  fc.integer({ min: 1_600_000_000_000, max: 2_000_000_000_000 }),
  fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
);
const bytes = (length: number) => fc.uint8Array({ minLength: length, maxLength: length });
const oneOf = <T extends string>(table: Readonly<Record<T, number>>) =>
  fc.constantFrom(...(Object.keys(table) as T[]));

/** UTF-8 text of at most `bytesMax` bytes, any code points but lone surrogates. */
const text = (bytesMax: number) =>
  fc
    .string({ unit: 'binary', maxLength: bytesMax })
    .filter((s) => new TextEncoder().encode(s).byteLength <= bytesMax);
const id = (min: number, max: number) => fc.stringMatching(new RegExp(`^[A-Za-z0-9:_.-]{${min},${max}}$`));
const printable = (max: number) => fc.stringMatching(new RegExp(`^[\\x20-\\x7e]{0,${max}}$`));

export const scannedCode: fc.Arbitrary<ScannedCode> = fc.oneof(
  record({ kind: fc.constant('qr' as const), text: fc.stringMatching(/^[\x20-\x7e]{1,300}$/) }),
  record({ kind: fc.constant('qr' as const), text: fc.stringMatching(/^[\x20-\x7e]{512}$/) }),
  record({ kind: fc.constant('numeric' as const), text: fc.stringMatching(/^[0-9]{1,40}$/) }),
);
const shortCode: fc.Arbitrary<ScannedCode> = fc.oneof(
  record({ kind: fc.constant('qr' as const), text: fc.stringMatching(/^[\x20-\x7e]{1,60}$/) }),
  record({ kind: fc.constant('numeric' as const), text: fc.stringMatching(/^[0-9]{18}$/) }),
);
const cardNo = fc.stringMatching(/^[0-9]{1,20}$/);
const centreId = fc.stringMatching(/^[A-Z][A-Z0-9]{1,15}$/);
const reason = oneOf(reasonCodes);
const refusal = reason.filter((r): r is Refusal => r !== 'NONE');

const offlineRecord: fc.Arbitrary<OfflineRecord> = fc
  .record({
    recordKind: oneOf(offlineRecordKinds),
    decision: oneOf(offlineDecisions),
    sequence: positiveU32,
    offlineNo: positiveU32,
    takenAtMs: timeMs,
    amountFen: positiveU32,
    orderNo: u32,
    sessionId: id(1, 32),
    code: shortCode,
    mac: bytes(16),
  })
  .map((r) => ({
    ...r,
    amountFen: r.recordKind === 'payment' || r.recordKind === 'bus_ride' ? r.amountFen : 0,
    orderNo: r.recordKind === 'payment' ? r.orderNo : 0,
    sessionId: r.recordKind === 'attendance' || r.recordKind === 'bus_ride' ? r.sessionId : '',
  }));

const withKind =
  <K extends MessageKind>(kind: K) =>
  <T extends object>(fields: T) => ({ kind, ...fields });

const passageHeaderArb = fc
  .record({
    curfewMode: oneOf(curfewModes),
    curfewFromMinute: fc.integer({ min: 0, max: 1439 }),
    curfewToMinute: fc.integer({ min: 0, max: 1439 }),
    passback: fc.boolean(),
    programs: fc.array(
      record({
        calendar: oneOf(passageCalendars),
        validFromMs: timeMs,
        validUntilMs: timeMs,
        windows: fc.array(
          fc
            .record({
              weekdays: fc.integer({ min: 1, max: 0x7f }),
              fromMinute: fc.integer({ min: 0, max: 1439 }),
              span: fc.integer({ min: 1, max: 1440 }),
            })
            .map((w) => ({
              weekdays: w.weekdays,
              fromMinute: w.fromMinute,
              toMinute: Math.min(1440, w.fromMinute + w.span),
            })),
          { maxLength: 3 },
        ),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    typeRules: fc.array(
      record({ effect: oneOf(ruleEffects), personTypes: fc.integer({ min: 1, max: 0x0f }), at: fc.nat() }),
      { maxLength: 4 },
    ),
    holidays: fc.array(u16, { maxLength: 8 }),
    termDays: fc.array(u16, { maxLength: 8 }),
  })
  .map((h) => ({
    ...h,
    typeRules: h.typeRules.map((t) => ({
      effect: t.effect,
      personTypes: t.personTypes,
      program: t.at % h.programs.length,
    })),
  }));
const passageRowRulesArb = fc.array(
  record({ effect: oneOf(ruleEffects), program: fc.integer({ min: 0, max: 31 }) }),
  { maxLength: 4 },
);

const blacklistRequestArb = fc
  .record({ haveVersion: u32, version: u32, chunkIndex: u16 })
  .map(withKind('blacklist_request'));
const blacklistChunkArb = fc
  .record({
    version: positiveU32,
    chunkCount: fc.integer({ min: 1, max: 0xffff }),
    at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
    entries: fc.array(record({ cardNo, cardVersionMax: u32, reason: oneOf(blacklistReasons) }), {
      maxLength: 256,
    }),
  })
  .map(({ version, chunkCount, at, entries }) => ({
    kind: 'blacklist_chunk' as const,
    version,
    chunkIndex: Math.floor(at * chunkCount),
    chunkCount,
    entries,
  }));
const blacklistDeltaArb = fc
  .record({
    fromVersion: fc.integer({ min: 0, max: 0xffff_fffe }),
    step: positiveU32,
    changes: fc.array(
      fc.oneof(
        record({
          op: fc.constant('add' as const),
          cardNo,
          cardVersionMax: u32,
          reason: oneOf(blacklistReasons),
        }),
        record({ op: fc.constant('remove' as const), cardNo }),
      ),
      { maxLength: 250 },
    ),
  })
  .map(({ fromVersion, step, changes }) => ({
    kind: 'blacklist_delta' as const,
    fromVersion,
    toVersion: Math.min(0xffff_ffff, fromVersion + step),
    changes,
  }));

export const messageArbitraries: { [K in MessageKind]: fc.Arbitrary<Extract<Message, { kind: K }>> } = {
  challenge: record({ serverNonce: bytes(16) }).map(withKind('challenge')),
  sign_in: fc
    .record({
      deviceKind: oneOf(deviceKinds),
      deviceNonce: bytes(16),
      response: bytes(32),
      configVersion: u32,
      blacklistVersion: u32,
      offlineRecordsPending: u16,
      firmware: printable(32),
    })
    .map(withKind('sign_in')),
  sign_in_accepted: fc
    .record({
      serverProof: bytes(32),
      configVersion: u32,
      blacklistVersion: u32,
      heartbeatIntervalSeconds: fc.integer({ min: 30, max: 90 }),
    })
    .map(withKind('sign_in_accepted')),
  heartbeat: fc
    .record({ configVersion: u32, blacklistVersion: u32, offlineRecordsPending: u16 })
    .map(withKind('heartbeat')),
  heartbeat_ack: fc
    .record({ serverTimeMs: timeMs, configVersion: u32, blacklistVersion: u32 })
    .map(withKind('heartbeat_ack')),
  clock_sync: fc.constant({ kind: 'clock_sync' as const }),
  clock_sync_result: fc
    .record({ deviceTimeMs: timeMs, serverReceivedAtMs: timeMs, serverSentAtMs: timeMs })
    .map(withKind('clock_sync_result')),
  config_push: fc
    .record({
      configVersion: u32,
      merchantId: id(0, 32),
      utcOffsetMinutes: fc.integer({ min: -840, max: 840 }),
      paymentMaxFen: u32,
      repeatIntervalSeconds: u16,
      offline: record({
        enabled: fc.boolean(),
        codeValiditySeconds: u16,
        clockSkewSeconds: u16,
        paymentMaxFen: u32,
        perCardDailyMaxFen: u32,
        deviceTotalMaxFen: u32,
        recordsMax: u16,
        durationMaxSeconds: u32,
      }),
      meter: record({
        unit: oneOf(meterUnits),
        priceFen: u32,
        priceUnits: positiveU32,
        holdFen: u32,
        minBalanceFen: u32,
        reportIntervalSeconds: fc.integer({ min: 1, max: 0xffff }),
        silenceMaxSeconds: fc.integer({ min: 1, max: 0xffff }),
      }),
      priceItems: fc.array(
        record({ itemNo: fc.integer({ min: 1, max: 0xff }), priceFen: u32, name: text(24) }),
        { maxLength: 16 },
      ),
      mealWindows: fc.array(
        fc
          .record({
            meal: oneOf(meals),
            a: fc.integer({ min: 0, max: 1440 }),
            b: fc.integer({ min: 0, max: 1440 }),
            perCardMaxFen: u32,
          })
          .filter((w) => w.a !== w.b)
          .map(({ a, b, ...rest }) => ({ ...rest, startMinute: Math.min(a, b), endMinute: Math.max(a, b) })),
        { maxLength: 8 },
      ),
      campusKeys: fc.array(record({ kid: u16, publicKey: bytes(32), retiredAtMs: timeMs }), { maxLength: 4 }),
    })
    .map(withKind('config_push')),
  error: fc
    .record({
      code: fc.constantFrom(...(Object.keys(protocolErrorCodes) as ProtocolErrorCode[])),
      inReplyToType: u8,
      message: text(200),
      retryAfterMs: u16,
    })
    // retryAfterMs travels with BUSY only.
    .map(({ retryAfterMs, ...rest }) => (rest.code === 'BUSY' ? { ...rest, retryAfterMs } : rest))
    .map(withKind('error')),
  pay: fc
    .record({ code: scannedCode, amountFen: positiveU32, orderNo: u32, itemNo: u8 })
    .map(withKind('pay')),
  pay_approved: fc
    .record({ chargedFen: u32, share: fc.double({ min: 0, max: 1, noNaN: true }), balanceAfterFen: u32 })
    .map(({ chargedFen, share, balanceAfterFen }) => ({
      kind: 'pay_approved' as const,
      chargedFen,
      subsidyFen: Math.floor(chargedFen * share),
      balanceAfterFen,
    })),
  pay_declined: record({ reason: refusal }).map(withKind('pay_declined')),
  pay_with_pin: fc
    .record({
      code: scannedCode,
      amountFen: positiveU32,
      orderNo: u32,
      itemNo: u8,
      pin: fc.stringMatching(/^[0-9]{6}$/),
    })
    .map(withKind('pay_with_pin')),
  identity_check: fc
    .record({ code: scannedCode, direction: oneOf(accessDirections) })
    .map(withKind('identity_check')),
  identity_result: fc
    .record({
      decision: oneOf(accessDecisions),
      refusal,
      personType: oneOf(personTypes),
      displayName: text(64),
    })
    .map(({ decision, refusal, personType, displayName }) => ({
      kind: 'identity_result' as const,
      decision,
      reason: (decision === 'allow' ? 'NONE' : refusal) as ReasonCode,
      personType,
      displayName,
    })),
  visitor_check: fc
    .record({
      code: scannedCode,
      direction: oneOf(accessDirections),
      idTail: fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9]{3}[0-9X]$/)),
    })
    .map(withKind('visitor_check')),
  visitor_result: fc
    .record({
      decision: oneOf(accessDecisions),
      refusal: oneOf(visitorRefusals).filter((r) => r !== 'NONE'),
      visitorName: text(64),
      hostName: text(64),
    })
    .map(({ decision, refusal, visitorName, hostName }) => ({
      kind: 'visitor_result' as const,
      decision,
      reason: (decision === 'allow' ? 'NONE' : refusal) as VisitorRefusal,
      visitorName,
      hostName,
    })),
  bus_ride_check: record({ runId: id(1, 32), code: scannedCode }).map(withKind('bus_ride_check')),
  bus_ride_result: fc
    .record({
      decision: oneOf(accessDecisions),
      rideKind: oneOf(busRideKinds).filter((k) => k !== 'none'),
      refusal: oneOf(busRideRefusals).filter((r) => r !== 'NONE'),
      chargedFen: u32,
      balanceAfterFen: u32,
    })
    .map(({ decision, rideKind, refusal, chargedFen, balanceAfterFen }) => ({
      kind: 'bus_ride_result' as const,
      decision,
      rideKind: decision === 'allow' ? rideKind : ('none' as BusRideKind),
      reason: (decision === 'allow' ? 'NONE' : refusal) as BusRideRefusal,
      chargedFen: decision === 'allow' && rideKind === 'fare' ? chargedFen : 0,
      balanceAfterFen,
    })),
  bus_run_table_request: record({ runId: id(1, 32) }).map(withKind('bus_run_table_request')),
  bus_run_table: record({
    runId: id(1, 32),
    departsAtMs: timeMs,
    fareFen: u32,
    offlineRidesPerCardMax: u8,
    freePersonTypes: fc.array(oneOf(personTypes), { maxLength: 5 }),
    bookedCardNos: fc.array(cardNo, { maxLength: 200 }),
  }).map(withKind('bus_run_table')),
  meeting_session_request: fc.constant({ kind: 'meeting_session_request' as const }),
  meeting_session: fc.oneof(
    fc.constant({
      kind: 'meeting_session' as const,
      sessionKind: 'none' as MeetingSessionKind,
      sessionId: '',
      title: '',
      startsAtMs: 0,
      endsAtMs: 0,
      signInFromMs: 0,
      rosterSize: 0,
    }),
    fc
      .record({
        sessionKind: fc.constantFrom<MeetingSessionKind>('meeting', 'exam'),
        sessionId: id(1, 32),
        title: text(meetingTitleBytesMax),
        signInFromMs: fc.integer({ min: 0, max: 2 ** 50 }),
        before: fc.integer({ min: 0, max: 4 * 3_600_000 }),
        length: fc.integer({ min: 1, max: 86_400_000 }),
        rosterSize: u16,
      })
      .map(({ before, length, ...m }) => ({
        kind: 'meeting_session' as const,
        ...m,
        startsAtMs: m.signInFromMs + before,
        endsAtMs: m.signInFromMs + before + length,
      })),
  ),
  attendance: record({ sessionId: id(1, 32), code: scannedCode }).map(withKind('attendance')),
  attendance_result: fc
    .record({ status: oneOf(attendanceStatuses), refusal, recordedAtMs: timeMs.filter((t) => t > 0) })
    .map(({ status, refusal, recordedAtMs }) => ({
      kind: 'attendance_result' as const,
      status,
      reason: (status === 'code_refused' ? refusal : 'NONE') as ReasonCode,
      recordedAtMs: status === 'recorded' || status === 'already_recorded' ? recordedAtMs : 0,
    })),
  exam_attendance: record({ sessionId: id(1, 32), code: scannedCode }).map(withKind('exam_attendance')),
  exam_attendance_result: fc
    .record({
      status: oneOf(attendanceStatuses),
      refusal,
      recordedAtMs: timeMs.filter((t) => t > 0),
      seat: text(64),
    })
    .map(({ status, refusal, recordedAtMs, seat }) => {
      const recorded = status === 'recorded' || status === 'already_recorded';
      return {
        kind: 'exam_attendance_result' as const,
        status,
        reason: (status === 'code_refused' ? refusal : 'NONE') as ReasonCode,
        recordedAtMs: recorded ? recordedAtMs : 0,
        seat: recorded ? seat : '',
      };
    }),
  exam_photo_attendance: record({ sessionId: id(1, 32), code: scannedCode }).map(
    withKind('exam_photo_attendance'),
  ),
  exam_photo_attendance_result: fc
    .record({
      status: oneOf(attendanceStatuses),
      refusal,
      recordedAtMs: timeMs.filter((t) => t > 0),
      seat: text(64),
      photoRef: id(0, 80),
      photoExpiresAtMs: timeMs.filter((t) => t > 0),
      photoBytes: fc.integer({ min: 1, max: 49_152 }),
    })
    .map(({ status, refusal, recordedAtMs, seat, photoRef, photoExpiresAtMs, photoBytes }) => {
      const recorded = status === 'recorded' || status === 'already_recorded';
      const ref = recorded ? photoRef : '';
      return {
        kind: 'exam_photo_attendance_result' as const,
        status,
        reason: (status === 'code_refused' ? refusal : 'NONE') as ReasonCode,
        recordedAtMs: recorded ? recordedAtMs : 0,
        seat: recorded ? seat : '',
        photoRef: ref,
        photoExpiresAtMs: ref === '' ? 0 : photoExpiresAtMs,
        photoBytes: ref === '' ? 0 : photoBytes,
      };
    }),
  photo_request: record({ photoRef: id(1, 80), offset: fc.integer({ min: 0, max: 49_151 }) }).map(
    withKind('photo_request'),
  ),
  photo_chunk: fc
    .record({
      mediaType: oneOf(photoMediaTypes),
      totalBytes: fc.integer({ min: 1, max: 49_152 }),
      length: fc.integer({ min: 1, max: 4_000 }),
      at: fc.double({ min: 0, max: 1, noNaN: true }),
    })
    .map(({ mediaType, totalBytes, length, at }) => {
      const size = Math.min(length, totalBytes);
      const offset = Math.floor(at * (totalBytes - size));
      return {
        kind: 'photo_chunk' as const,
        mediaType,
        totalBytes,
        offset,
        data: Uint8Array.from({ length: size }, (_, i) => (offset + i) & 0xff),
      };
    }),
  meter_start: fc
    .record({ service: oneOf(meterServices), code: scannedCode, holdFen: positiveU32 })
    .map(withKind('meter_start')),
  meter_started: fc
    .record({ holdId: id(1, 64), holdFen: u32, balanceAfterFen: u32 })
    .map(withKind('meter_started')),
  meter_refused: record({ reason: refusal }).map(withKind('meter_refused')),
  meter_usage: record({ holdId: id(1, 64), usageUnits: u32 }).map(withKind('meter_usage')),
  meter_usage_ack: fc
    .record({ state: oneOf(meterStates), usageFen: u32, remainingFen: u32 })
    .map(withKind('meter_usage_ack')),
  meter_stop: record({ holdId: id(1, 64), usageUnits: u32 }).map(withKind('meter_stop')),
  meter_settled: fc
    .record({ chargedFen: u32, releasedFen: u32, balanceAfterFen: u32 })
    .map(withKind('meter_settled')),
  offline_upload: record({ records: fc.array(offlineRecord, { maxLength: 10 }) }).map(
    withKind('offline_upload'),
  ),
  offline_upload_result: fc
    .record({
      results: fc.array(
        fc
          .record({ sequence: positiveU32, status: oneOf(offlineResultStatuses), refusal })
          .map(({ sequence, status, refusal }) => ({
            sequence,
            status,
            reason: (status === 'exception' || status === 'rejected' ? refusal : 'NONE') as ReasonCode,
          })),
        { maxLength: 64 },
      ),
      gaps: fc.array(
        fc
          .record({ a: positiveU32, b: positiveU32 })
          .map(({ a, b }) => ({ fromOfflineNo: Math.min(a, b), toOfflineNo: Math.max(a, b) })),
        { maxLength: 32 },
      ),
    })
    .map(withKind('offline_upload_result')),
  rule_table_request: fc
    .record({ haveVersion: u32, version: u32, chunkIndex: u16 })
    .map(withKind('rule_table_request')),
  rule_table_chunk: fc
    .record({
      version: positiveU32,
      chunkCount: fc.integer({ min: 1, max: 0xffff }),
      at: fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }),
      header: passageHeaderArb,
      rows: fc.array(record({ cardNo, rules: passageRowRulesArb }), { maxLength: 16 }),
    })
    .map(({ version, chunkCount, at, header, rows }) => {
      const chunkIndex = Math.floor(at * chunkCount);
      return {
        kind: 'rule_table_chunk' as const,
        version,
        chunkIndex,
        chunkCount,
        header: chunkIndex === 0 ? header : null,
        rows,
      };
    }),
  rule_table_delta: fc
    .record({
      fromVersion: fc.integer({ min: 0, max: 0xffff_fffe }),
      step: positiveU32,
      header: passageHeaderArb,
      changes: fc.array(record({ cardNo, rules: fc.option(passageRowRulesArb, { nil: null }) }), {
        maxLength: 16,
      }),
    })
    .map(({ fromVersion, step, header, changes }) => ({
      kind: 'rule_table_delta' as const,
      fromVersion,
      toVersion: Math.min(0xffff_ffff, fromVersion + step),
      header,
      changes,
    })),
  door_command: fc
    .record({ command: oneOf(doorCommands), seconds: fc.integer({ min: 1, max: 43_200 }) })
    .map(({ command, seconds }) => ({
      kind: 'door_command' as const,
      command,
      seconds: command === 'hold_open' ? seconds : 0,
    })),
  door_event: fc
    .record({ event: oneOf(doorEvents), command: oneOf(doorCommands) })
    .map(({ event, command }) => ({
      kind: 'door_event' as const,
      event,
      command: event === 'command_done' ? command : ('none' as const),
    })),
  door_event_ack: fc.constant({ kind: 'door_event_ack' as const }),
  blacklist_request: blacklistRequestArb,
  blacklist_chunk: blacklistChunkArb,
  blacklist_delta: blacklistDeltaArb,
  centre_keys: fc
    .array(
      record({
        centreId: centreId,
        blacklistVersion: u32,
        keys: fc.array(record({ kid: u16, publicKey: bytes(32), retiredAtMs: timeMs }), { maxLength: 4 }),
      }),
      { maxLength: 8 },
    )
    .map((centres) => ({ kind: 'centre_keys' as const, centres })),
  centre_blacklist_request: fc
    .tuple(centreId, blacklistRequestArb)
    .map(([id, m]) => ({ ...m, kind: 'centre_blacklist_request' as const, centreId: id })),
  centre_blacklist_chunk: fc
    .tuple(centreId, blacklistChunkArb)
    .map(([id, m]) => ({ ...m, kind: 'centre_blacklist_chunk' as const, centreId: id })),
  centre_blacklist_delta: fc
    .tuple(centreId, blacklistDeltaArb)
    .map(([id, m]) => ({ ...m, kind: 'centre_blacklist_delta' as const, centreId: id })),
  centre_offline_policy: fc
    .array(record({ centreId: centreId, paymentMaxFen: u32, cardDailyMaxFen: u32 }), { maxLength: 8 })
    .map((centres) => ({ kind: 'centre_offline_policy' as const, centres })),
  kiosk_identify: record({ code: scannedCode }).map(withKind('kiosk_identify')),
  kiosk_account: record({
    reason,
    sessionToken: bytes(16),
    displayName: text(64),
    mainFen: u32,
    subsidyFen: u32,
    bankTail: fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9]{4}$/)),
    entries: fc.array(record({ atMs: timeMs, direction: oneOf(kioskEntryDirections), amountFen: u32 }), {
      maxLength: 5,
    }),
  }).map(withKind('kiosk_account')),
  kiosk_bank_load: record({ sessionToken: bytes(16), amountFen: positiveU32 }).map(
    withKind('kiosk_bank_load'),
  ),
  kiosk_cash_top_up: record({
    sessionToken: bytes(16),
    amountFen: positiveU32,
    notes: fc.integer({ min: 1, max: 0xffff }),
  }).map(withKind('kiosk_cash_top_up')),
  kiosk_load_result: record({
    reason,
    status: oneOf(kioskLoadStatuses),
    amountFen: u32,
    balanceAfterFen: u32,
    reference: id(0, 40),
  }).map(withKind('kiosk_load_result')),
  kiosk_utility_pay: record({
    sessionToken: bytes(16),
    service: oneOf(kioskUtilityServices),
    target: id(0, 32),
    packageId: id(0, 32),
    amountFen: positiveU32,
  }).map(withKind('kiosk_utility_pay')),
  kiosk_utility_result: record({
    reason,
    status: oneOf(kioskUtilityStatuses),
    amountFen: u32,
    balanceAfterFen: u32,
    reference: id(0, 48),
  }).map(withKind('kiosk_utility_result')),
  kiosk_identify_by_id: record({
    idNumber: fc.stringMatching(/^[0-9A-Za-z]{6,32}$/),
    pin: fc.stringMatching(/^[0-9]{6}$/),
  }).map(withKind('kiosk_identify_by_id')),
  kiosk_report_loss: record({ sessionToken: bytes(16) }).map(withKind('kiosk_report_loss')),
  kiosk_loss_result: record({ reason, status: oneOf(kioskLossStatuses) }).map(withKind('kiosk_loss_result')),
  kiosk_cancel_loss: record({ sessionToken: bytes(16), pin: fc.stringMatching(/^[0-9]{6}$/) }).map(
    withKind('kiosk_cancel_loss'),
  ),
  kiosk_cancel_loss_result: fc
    .record({ status: oneOf(kioskCancelLossStatuses), refusal })
    .map(({ status, refusal }) => ({
      kind: 'kiosk_cancel_loss_result' as const,
      reason: (status === 'refused' ? refusal : 'NONE') as ReasonCode,
      status,
    })),
  kiosk_fees_request: fc
    .record({
      sessionToken: bytes(16),
      pay: fc.option(record({ billId: fc.stringMatching(/^[0-9A-Z]{26}$/), amountFen: positiveU32 }), {
        nil: undefined,
      }),
      pin: fc.oneof(fc.constant(''), fc.stringMatching(/^[0-9]{6}$/)),
    })
    .map(({ sessionToken, pay, pin }) => ({
      kind: 'kiosk_fees_request' as const,
      sessionToken,
      billId: pay?.billId ?? '',
      amountFen: pay?.amountFen ?? 0,
      pin,
    })),
  kiosk_fees: record({
    reason,
    payment: oneOf(kioskFeePaymentStatuses),
    amountFen: u32,
    balanceAfterFen: u32,
    reference: id(0, 40),
    bills: fc.array(
      record({
        billId: fc.stringMatching(/^[0-9A-Z]{26}$/),
        name: text(64),
        owedFen: u32,
        allowPartial: fc.boolean(),
      }),
      { maxLength: 8 },
    ),
  }).map(withKind('kiosk_fees')),
};

export const anyMessage: fc.Arbitrary<Message> = fc.oneof(
  ...(Object.values(messageArbitraries) as fc.Arbitrary<Message>[]),
);

export const envelope = record({
  deviceId: u32,
  sequence: u32,
  timestampMs: timeMs,
});
