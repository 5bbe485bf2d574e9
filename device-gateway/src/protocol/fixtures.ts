// One frame of every message kind with fixed keys, nonces and times, and the exact bytes each must encode
// to. The tests parse, generate and round-trip them; docs/protocol.md shows the same bytes as its worked
// examples, and a test checks that the document still matches. Real frames use random nonces.

import type { FrameKeys } from './frame.ts';
import { anonymousKey, serverProof, signInResponse } from './mac.ts';
import type { Message } from './messages/index.ts';
import { signOfflineRecord } from './messages/offline.ts';
import { deriveSessionKey } from './session-crypto.ts';

const counting = (from: number, length: number): Uint8Array =>
  Uint8Array.from({ length }, (_, i) => (from + i) & 0xff);

/** The example device: id 1001, key 00 01 02 … 1f. */
export const exampleDeviceId = 1001;
export const exampleDeviceKey = counting(0x00, 32);
export const exampleServerNonce = counting(0xa0, 16);
export const exampleDeviceNonce = counting(0xb0, 16);
/** Fixed only here; a real sender draws a fresh random GCM nonce for every sealed payload. */
export const exampleGcmNonce = counting(0xc0, 12);
export const exampleSessionKey = deriveSessionKey(
  exampleDeviceKey,
  exampleDeviceId,
  exampleServerNonce,
  exampleDeviceNonce,
);

/** The MAC test vector: key 00 01 … 1f, the heartbeat fixture's first 33 bytes. */
export const macVector = {
  key: '000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f',
  bytesBeforeMac: 'cacd0100310400000003e90000002a0000019caca720c000000007000004ba0000',
  mac: 'e18583a534cb0b8b1f210bbeccde3f59',
} as const;

export const signInVectors = {
  response: 'ce001f3b981f3d275c2bd3c1153d0666ebeddefb451a28bc8009dd414b7cbda4',
  serverProof: '3373189d831937bff94658788ce89ec923c3d2746ce6f6c8bb2da6c1b64bd105',
  sessionKey: 'dd06b9ed50a428b5d5e3c94be6ee7d730ca1620655ca84ace1135a8b04664918',
} as const;

/** The first record of the offline upload fixture: its bytes before the MAC, and its record MAC. */
export const offlineRecordVector = {
  body: '010100000036000000070000019cacb885e000000320013525d600020012383831323334353637383933303437323131',
  mac: 'cb7cd2290957bd101a56214cd09dbdf3',
} as const;

/** 2026-03-02 11:45:00 in Beijing (UTC+8), lunchtime. */
export const exampleTimeMs = Date.UTC(2026, 2, 2, 3, 45, 0);

export const exampleNumericCode = { kind: 'numeric', text: '881234567893047211' } as const;
/** Shortened for the examples; a real campus QR code is "CC:" and 287 Base45 characters. */
export const exampleQrCode = { kind: 'qr', text: 'CC:6BFOXN*TS0BI$ZD.P9' } as const;
/** An exam reader's photo reference (§ 7.28) as the server issues it; opaque to the reader. */
export const examplePhotoRef = '01KJNP3M7Q8R2T5V9W4X6Y0Z1A.1772423266020.Hq3uV0b2Zk9fYc1XoM7rLw';

export interface Fixture {
  readonly name: string;
  readonly message: Message;
  readonly deviceId: number;
  readonly sequence: number;
  readonly timestampMs: number;
  readonly keys: FrameKeys;
  /** The frame, as lowercase hex. */
  readonly hex: string;
}

/** The rule-table header of the passage examples (§ 13.12): a dorm door, curfew 23:00–06:00 recorded late. */
const passageHeader = {
  curfewMode: 'late' as const,
  curfewFromMinute: 1380,
  curfewToMinute: 360,
  passback: false,
  programs: [
    { calendar: 'any' as const, validFromMs: 0, validUntilMs: 0, windows: [] },
    {
      calendar: 'workdays' as const,
      validFromMs: 0,
      validUntilMs: 0,
      windows: [{ weekdays: 0x1f, fromMinute: 420, toMinute: 1320 }],
    },
  ],
  typeRules: [{ effect: 'allow' as const, personTypes: 0x02, program: 0 }],
  holidays: [20_515],
  termDays: [],
};

const device: FrameKeys = { macKey: exampleDeviceKey };
const session: FrameKeys = { macKey: exampleDeviceKey, sessionKey: exampleSessionKey };
const anonymous: FrameKeys = { macKey: anonymousKey };

type Spec = Omit<Fixture, 'hex' | 'deviceId' | 'keys'> & { deviceId?: number; keys?: FrameKeys };

const specs: Spec[] = [
  {
    name: 'challenge',
    deviceId: 0,
    keys: anonymous,
    sequence: 0,
    timestampMs: exampleTimeMs,
    message: { kind: 'challenge', serverNonce: exampleServerNonce },
  },
  {
    name: 'sign_in',
    sequence: 41,
    timestampMs: exampleTimeMs + 35,
    message: {
      kind: 'sign_in',
      deviceKind: 'pos',
      deviceNonce: exampleDeviceNonce,
      response: signInResponse(exampleDeviceKey, exampleDeviceId, exampleServerNonce, exampleDeviceNonce),
      configVersion: 6,
      blacklistVersion: 1207,
      offlineRecordsPending: 2,
      firmware: 'POS-3.2.1',
    },
  },
  {
    name: 'sign_in_accepted',
    sequence: 41,
    timestampMs: exampleTimeMs + 52,
    message: {
      kind: 'sign_in_accepted',
      serverProof: serverProof(exampleDeviceKey, exampleDeviceId, exampleServerNonce, exampleDeviceNonce),
      configVersion: 7,
      blacklistVersion: 1210,
      heartbeatIntervalSeconds: 60,
    },
  },
  {
    name: 'heartbeat',
    sequence: 42,
    timestampMs: exampleTimeMs + 60_000,
    message: { kind: 'heartbeat', configVersion: 7, blacklistVersion: 1210, offlineRecordsPending: 0 },
  },
  {
    name: 'heartbeat_ack',
    sequence: 42,
    timestampMs: exampleTimeMs + 60_012,
    message: {
      kind: 'heartbeat_ack',
      serverTimeMs: exampleTimeMs + 60_012,
      configVersion: 7,
      blacklistVersion: 1210,
    },
  },
  {
    name: 'clock_sync',
    sequence: 43,
    timestampMs: exampleTimeMs + 61_000,
    message: { kind: 'clock_sync' },
  },
  {
    name: 'clock_sync_result',
    sequence: 43,
    timestampMs: exampleTimeMs + 61_021,
    message: {
      kind: 'clock_sync_result',
      deviceTimeMs: exampleTimeMs + 61_000,
      serverReceivedAtMs: exampleTimeMs + 61_020,
      serverSentAtMs: exampleTimeMs + 61_021,
    },
  },
  {
    name: 'config_push',
    sequence: 0,
    timestampMs: exampleTimeMs + 60,
    message: {
      kind: 'config_push',
      configVersion: 7,
      merchantId: 'M-CANTEEN-2',
      utcOffsetMinutes: 480,
      paymentMaxFen: 20_000,
      repeatIntervalSeconds: 3,
      offline: {
        enabled: true,
        codeValiditySeconds: 60,
        clockSkewSeconds: 30,
        paymentMaxFen: 3_000,
        perCardDailyMaxFen: 5_000,
        deviceTotalMaxFen: 200_000,
        recordsMax: 2_000,
        durationMaxSeconds: 72 * 3600,
      },
      meter: {
        unit: 'none',
        priceFen: 0,
        priceUnits: 1,
        holdFen: 0,
        minBalanceFen: 0,
        reportIntervalSeconds: 60,
        silenceMaxSeconds: 300,
      },
      priceItems: [
        { itemNo: 1, priceFen: 800, name: '套餐A' },
        { itemNo: 2, priceFen: 1_200, name: '套餐B' },
      ],
      mealWindows: [
        { meal: 'breakfast', startMinute: 6 * 60 + 30, endMinute: 9 * 60 + 30, perCardMaxFen: 0 },
        { meal: 'lunch', startMinute: 10 * 60 + 30, endMinute: 13 * 60 + 30, perCardMaxFen: 3_000 },
        { meal: 'dinner', startMinute: 17 * 60, endMinute: 20 * 60, perCardMaxFen: 3_000 },
      ],
      campusKeys: [{ kid: 3, publicKey: counting(0xd0, 32), retiredAtMs: 0 }],
    },
  },
  {
    name: 'error',
    sequence: 44,
    timestampMs: exampleTimeMs + 62_004,
    message: { kind: 'error', code: 'CLOCK_SKEW', inReplyToType: 0x10, message: 'device clock 412 s ahead' },
  },
  {
    // The same PAY refused at capacity (protocol § 9): the till waits 800 ms and sends it again, unchanged.
    name: 'busy',
    sequence: 45,
    timestampMs: exampleTimeMs + 63_002,
    message: { kind: 'error', code: 'BUSY', inReplyToType: 0x10, message: '', retryAfterMs: 800 },
  },
  {
    name: 'pay',
    sequence: 45,
    timestampMs: exampleTimeMs + 63_000,
    message: { kind: 'pay', code: exampleNumericCode, amountFen: 1_250, orderNo: 20_260_302, itemNo: 0 },
  },
  {
    name: 'pay_approved',
    sequence: 45,
    timestampMs: exampleTimeMs + 63_041,
    message: { kind: 'pay_approved', chargedFen: 1_250, subsidyFen: 500, balanceAfterFen: 8_650 },
  },
  {
    name: 'pay_declined',
    sequence: 46,
    timestampMs: exampleTimeMs + 64_040,
    message: { kind: 'pay_declined', reason: 'PIN_REQUIRED' },
  },
  {
    name: 'pay_with_pin',
    keys: session,
    sequence: 47,
    timestampMs: exampleTimeMs + 70_000,
    message: {
      kind: 'pay_with_pin',
      code: exampleNumericCode,
      amountFen: 6_800,
      orderNo: 20_260_303,
      itemNo: 0,
      pin: '123456',
    },
  },
  {
    name: 'identity_check',
    sequence: 48,
    timestampMs: exampleTimeMs + 71_000,
    message: { kind: 'identity_check', code: exampleQrCode, direction: 'in' },
  },
  {
    name: 'identity_result',
    keys: session,
    sequence: 48,
    timestampMs: exampleTimeMs + 71_030,
    message: {
      kind: 'identity_result',
      decision: 'allow',
      reason: 'NONE',
      personType: 'student',
      displayName: '张*明',
    },
  },
  {
    name: 'visitor_check',
    sequence: 70,
    timestampMs: exampleTimeMs + 90_000,
    message: {
      kind: 'visitor_check',
      code: { kind: 'qr', text: 'CV:6BFQ9LJ$D1' },
      direction: 'in',
      idTail: '123X',
    },
  },
  {
    name: 'visitor_result',
    keys: session,
    sequence: 70,
    timestampMs: exampleTimeMs + 90_040,
    message: {
      kind: 'visitor_result',
      decision: 'allow',
      reason: 'NONE',
      visitorName: '李*客',
      hostName: '王老师',
    },
  },
  {
    name: 'meeting_session_request',
    sequence: 2,
    timestampMs: exampleTimeMs + 1_000,
    message: { kind: 'meeting_session_request' },
  },
  {
    name: 'meeting_session',
    sequence: 2,
    timestampMs: exampleTimeMs + 1_020,
    message: {
      kind: 'meeting_session',
      sessionKind: 'exam',
      sessionId: 'EXAM-DS-2026',
      title: '数据结构期末考试',
      startsAtMs: exampleTimeMs + 1_800_000,
      endsAtMs: exampleTimeMs + 9_000_000,
      signInFromMs: exampleTimeMs,
      rosterSize: 60,
    },
  },
  {
    name: 'bus_ride_check',
    sequence: 100,
    timestampMs: exampleTimeMs + 95_000,
    message: { kind: 'bus_ride_check', runId: '01JF3R2B8C4D6E8F0G2H4J6K8M', code: exampleQrCode },
  },
  {
    name: 'bus_ride_result',
    sequence: 100,
    timestampMs: exampleTimeMs + 95_030,
    message: {
      kind: 'bus_ride_result',
      decision: 'allow',
      rideKind: 'fare',
      reason: 'NONE',
      chargedFen: 200,
      balanceAfterFen: 8_300,
    },
  },
  {
    name: 'bus_run_table_request',
    sequence: 101,
    timestampMs: exampleTimeMs + 96_000,
    message: { kind: 'bus_run_table_request', runId: '01JF3R2B8C4D6E8F0G2H4J6K8M' },
  },
  {
    name: 'bus_run_table',
    keys: session,
    sequence: 101,
    timestampMs: exampleTimeMs + 96_020,
    message: {
      kind: 'bus_run_table',
      runId: '01JF3R2B8C4D6E8F0G2H4J6K8M',
      departsAtMs: exampleTimeMs + 1_800_000,
      fareFen: 200,
      offlineRidesPerCardMax: 1,
      freePersonTypes: ['staff'],
      bookedCardNos: ['2024000137', '2024000245'],
    },
  },
  {
    name: 'attendance',
    sequence: 49,
    timestampMs: exampleTimeMs + 72_000,
    message: { kind: 'attendance', sessionId: 'CS101-2026S-07', code: exampleQrCode },
  },
  {
    name: 'attendance_result',
    sequence: 49,
    timestampMs: exampleTimeMs + 72_025,
    message: {
      kind: 'attendance_result',
      status: 'recorded',
      reason: 'NONE',
      recordedAtMs: exampleTimeMs + 72_020,
    },
  },
  {
    name: 'exam_attendance',
    sequence: 120,
    timestampMs: exampleTimeMs + 74_000,
    message: { kind: 'exam_attendance', sessionId: 'EXAM-DS-2026', code: exampleQrCode },
  },
  {
    name: 'exam_attendance_result',
    sequence: 120,
    timestampMs: exampleTimeMs + 74_025,
    message: {
      kind: 'exam_attendance_result',
      status: 'recorded',
      reason: 'NONE',
      recordedAtMs: exampleTimeMs + 74_020,
      seat: 'A-07',
    },
  },
  {
    name: 'exam_photo_attendance',
    sequence: 121,
    timestampMs: exampleTimeMs + 76_000,
    message: { kind: 'exam_photo_attendance', sessionId: 'EXAM-DS-2026', code: exampleQrCode },
  },
  {
    name: 'exam_photo_attendance_result',
    sequence: 121,
    timestampMs: exampleTimeMs + 76_025,
    message: {
      kind: 'exam_photo_attendance_result',
      status: 'recorded',
      reason: 'NONE',
      recordedAtMs: exampleTimeMs + 76_020,
      seat: 'A-07',
      photoRef: examplePhotoRef,
      photoExpiresAtMs: exampleTimeMs + 166_020,
      photoBytes: 4_012,
    },
  },
  {
    name: 'photo_request',
    sequence: 123,
    timestampMs: exampleTimeMs + 76_400,
    message: { kind: 'photo_request', photoRef: examplePhotoRef, offset: 4_000 },
  },
  {
    name: 'photo_chunk',
    keys: session,
    sequence: 123,
    timestampMs: exampleTimeMs + 76_420,
    message: {
      kind: 'photo_chunk',
      mediaType: 'image/png',
      totalBytes: 4_012,
      offset: 4_000,
      // The PNG's last 12 bytes: its IEND chunk.
      data: Uint8Array.from([0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]),
    },
  },
  {
    name: 'meter_start',
    sequence: 50,
    timestampMs: exampleTimeMs + 73_000,
    message: { kind: 'meter_start', service: 'shower', code: exampleNumericCode, holdFen: 600 },
  },
  {
    name: 'meter_started',
    sequence: 50,
    timestampMs: exampleTimeMs + 73_044,
    message: { kind: 'meter_started', holdId: 'H-1001-50', holdFen: 600, balanceAfterFen: 8_050 },
  },
  {
    name: 'meter_refused',
    sequence: 51,
    timestampMs: exampleTimeMs + 74_030,
    message: { kind: 'meter_refused', reason: 'BELOW_MIN_BALANCE' },
  },
  {
    name: 'meter_usage',
    sequence: 52,
    timestampMs: exampleTimeMs + 133_000,
    message: { kind: 'meter_usage', holdId: 'H-1001-50', usageUnits: 120 },
  },
  {
    name: 'meter_usage_ack',
    sequence: 52,
    timestampMs: exampleTimeMs + 133_015,
    message: { kind: 'meter_usage_ack', state: 'running', usageFen: 36, remainingFen: 564 },
  },
  {
    name: 'meter_stop',
    sequence: 53,
    timestampMs: exampleTimeMs + 373_000,
    message: { kind: 'meter_stop', holdId: 'H-1001-50', usageUnits: 300 },
  },
  {
    name: 'meter_settled',
    sequence: 53,
    timestampMs: exampleTimeMs + 373_050,
    message: { kind: 'meter_settled', chargedFen: 90, releasedFen: 510, balanceAfterFen: 8_560 },
  },
  {
    name: 'offline_upload',
    sequence: 60,
    timestampMs: exampleTimeMs + 3_600_000,
    message: {
      kind: 'offline_upload',
      records: [
        signOfflineRecord(exampleDeviceKey, exampleDeviceId, {
          recordKind: 'payment',
          decision: 'accepted',
          sequence: 54,
          offlineNo: 7,
          takenAtMs: exampleTimeMs + 1_200_000,
          amountFen: 800,
          orderNo: 20_260_310,
          sessionId: '',
          code: exampleNumericCode,
        }),
        signOfflineRecord(exampleDeviceKey, exampleDeviceId, {
          recordKind: 'payment',
          decision: 'accepted',
          sequence: 56,
          offlineNo: 8,
          takenAtMs: exampleTimeMs + 1_500_000,
          amountFen: 1_200,
          orderNo: 20_260_311,
          sessionId: '',
          code: exampleNumericCode,
        }),
      ],
    },
  },
  {
    name: 'offline_upload_result',
    sequence: 60,
    timestampMs: exampleTimeMs + 3_600_090,
    message: {
      kind: 'offline_upload_result',
      results: [
        { sequence: 54, status: 'accepted', reason: 'NONE' },
        { sequence: 56, status: 'exception', reason: 'INSUFFICIENT_FUNDS' },
      ],
      gaps: [{ fromOfflineNo: 5, toOfflineNo: 5 }],
    },
  },
  {
    name: 'blacklist_request',
    sequence: 61,
    timestampMs: exampleTimeMs + 3_601_000,
    message: { kind: 'blacklist_request', haveVersion: 1207, version: 0, chunkIndex: 0 },
  },
  {
    name: 'blacklist_chunk',
    keys: session,
    sequence: 61,
    timestampMs: exampleTimeMs + 3_601_020,
    message: {
      kind: 'blacklist_chunk',
      version: 1210,
      chunkIndex: 0,
      chunkCount: 1,
      entries: [
        { cardNo: '2023000555', cardVersionMax: 2, reason: 'reissued' },
        { cardNo: '2024000137', cardVersionMax: 0xffff_ffff, reason: 'lost' },
      ],
    },
  },
  {
    name: 'rule_table_request',
    sequence: 62,
    timestampMs: exampleTimeMs + 3_602_000,
    message: { kind: 'rule_table_request', haveVersion: 0, version: 0, chunkIndex: 0 },
  },
  {
    name: 'rule_table_chunk',
    keys: session,
    sequence: 62,
    timestampMs: exampleTimeMs + 3_602_020,
    message: {
      kind: 'rule_table_chunk',
      version: 88,
      chunkIndex: 0,
      chunkCount: 1,
      header: passageHeader,
      rows: [
        { cardNo: '2024000137', rules: [{ effect: 'allow', program: 1 }] },
        { cardNo: '2024000200', rules: [{ effect: 'deny', program: 0 }] },
      ],
    },
  },
  {
    name: 'rule_table_delta',
    keys: session,
    sequence: 0,
    timestampMs: exampleTimeMs + 3_702_000,
    message: {
      kind: 'rule_table_delta',
      fromVersion: 88,
      toVersion: 89,
      header: passageHeader,
      changes: [
        { cardNo: '2023000555', rules: [{ effect: 'allow', program: 0 }] },
        { cardNo: '2024000200', rules: null },
      ],
    },
  },
  {
    name: 'door_command',
    sequence: 0,
    timestampMs: exampleTimeMs + 3_703_000,
    message: { kind: 'door_command', command: 'hold_open', seconds: 600 },
  },
  {
    name: 'door_event',
    sequence: 63,
    timestampMs: exampleTimeMs + 3_703_150,
    message: { kind: 'door_event', event: 'command_done', command: 'hold_open' },
  },
  {
    name: 'door_event_ack',
    sequence: 63,
    timestampMs: exampleTimeMs + 3_703_160,
    message: { kind: 'door_event_ack' },
  },
  {
    name: 'blacklist_delta',
    keys: session,
    sequence: 0,
    timestampMs: exampleTimeMs + 3_700_000,
    message: {
      kind: 'blacklist_delta',
      fromVersion: 1210,
      toVersion: 1211,
      changes: [
        { op: 'add', cardNo: '2024000200', cardVersionMax: 0xffff_ffff, reason: 'frozen' },
        { op: 'remove', cardNo: '2023000555' },
      ],
    },
  },
  {
    name: 'centre_keys',
    sequence: 0,
    timestampMs: exampleTimeMs + 3_700_100,
    message: {
      kind: 'centre_keys',
      centres: [
        {
          centreId: 'CA',
          blacklistVersion: 412,
          keys: [{ kid: 2001, publicKey: counting(0xe0, 32), retiredAtMs: 0 }],
        },
      ],
    },
  },
  {
    name: 'centre_blacklist_request',
    sequence: 66,
    timestampMs: exampleTimeMs + 3_700_200,
    message: {
      kind: 'centre_blacklist_request',
      centreId: 'CA',
      haveVersion: 411,
      version: 0,
      chunkIndex: 0,
    },
  },
  {
    name: 'centre_blacklist_chunk',
    keys: session,
    sequence: 66,
    timestampMs: exampleTimeMs + 3_700_220,
    message: {
      kind: 'centre_blacklist_chunk',
      centreId: 'CA',
      version: 412,
      chunkIndex: 0,
      chunkCount: 1,
      entries: [{ cardNo: '2024000200', cardVersionMax: 0xffff_ffff, reason: 'lost' }],
    },
  },
  {
    name: 'centre_blacklist_delta',
    keys: session,
    sequence: 0,
    timestampMs: exampleTimeMs + 3_700_300,
    message: {
      kind: 'centre_blacklist_delta',
      centreId: 'CA',
      fromVersion: 412,
      toVersion: 413,
      changes: [{ op: 'add', cardNo: '2025000017', cardVersionMax: 0xffff_ffff, reason: 'lost' }],
    },
  },
  {
    name: 'centre_offline_policy',
    sequence: 0,
    timestampMs: exampleTimeMs + 3_700_400,
    message: {
      kind: 'centre_offline_policy',
      centres: [
        { centreId: 'CA', paymentMaxFen: 2_000, cardDailyMaxFen: 5_000 },
        { centreId: 'CC', paymentMaxFen: 0, cardDailyMaxFen: 0 },
      ],
    },
  },
  {
    name: 'kiosk_identify',
    sequence: 80,
    timestampMs: exampleTimeMs + 3_800_000,
    message: { kind: 'kiosk_identify', code: exampleQrCode },
  },
  {
    name: 'kiosk_account',
    keys: session,
    sequence: 80,
    timestampMs: exampleTimeMs + 3_800_040,
    message: {
      kind: 'kiosk_account',
      reason: 'NONE',
      sessionToken: counting(0xd0, 16),
      displayName: '张*明',
      mainFen: 8_650,
      subsidyFen: 500,
      bankTail: '7890',
      entries: [
        { atMs: exampleTimeMs + 63_000, direction: 'out', amountFen: 1_250 },
        { atMs: exampleTimeMs - 86_400_000, direction: 'in', amountFen: 10_000 },
      ],
    },
  },
  {
    name: 'kiosk_bank_load',
    sequence: 81,
    timestampMs: exampleTimeMs + 3_820_000,
    message: { kind: 'kiosk_bank_load', sessionToken: counting(0xd0, 16), amountFen: 5_000 },
  },
  {
    name: 'kiosk_cash_top_up',
    sequence: 82,
    timestampMs: exampleTimeMs + 3_850_000,
    message: { kind: 'kiosk_cash_top_up', sessionToken: counting(0xd0, 16), amountFen: 15_000, notes: 2 },
  },
  {
    name: 'kiosk_load_result',
    sequence: 82,
    timestampMs: exampleTimeMs + 3_850_060,
    message: {
      kind: 'kiosk_load_result',
      reason: 'NONE',
      status: 'credited',
      amountFen: 15_000,
      balanceAfterFen: 29_150,
      reference: 'dev:1001:82',
    },
  },
  {
    name: 'kiosk_utility_pay',
    sequence: 83,
    timestampMs: exampleTimeMs + 3_900_000,
    message: {
      kind: 'kiosk_utility_pay',
      sessionToken: counting(0xd0, 16),
      service: 'electricity',
      target: 'B07-301',
      packageId: '',
      amountFen: 2_000,
    },
  },
  {
    name: 'kiosk_utility_result',
    sequence: 83,
    timestampMs: exampleTimeMs + 3_900_080,
    message: {
      kind: 'kiosk_utility_result',
      reason: 'NONE',
      status: 'completed',
      amountFen: 2_000,
      balanceAfterFen: 27_150,
      reference: 'kiosk-1001-83',
    },
  },
  {
    name: 'kiosk_identify_by_id',
    keys: session,
    sequence: 84,
    timestampMs: exampleTimeMs + 3_960_000,
    message: { kind: 'kiosk_identify_by_id', idNumber: '11010519491231002X', pin: '135790' },
  },
  {
    name: 'kiosk_report_loss',
    sequence: 85,
    timestampMs: exampleTimeMs + 3_990_000,
    message: { kind: 'kiosk_report_loss', sessionToken: counting(0xd0, 16) },
  },
  {
    name: 'kiosk_loss_result',
    sequence: 85,
    timestampMs: exampleTimeMs + 3_990_050,
    message: { kind: 'kiosk_loss_result', reason: 'NONE', status: 'reported' },
  },
  {
    name: 'kiosk_fees_request',
    keys: session,
    sequence: 86,
    timestampMs: exampleTimeMs + 4_020_000,
    message: {
      kind: 'kiosk_fees_request',
      sessionToken: counting(0xd0, 16),
      billId: '01JF3Q9Z6W8X2V4T7R5N1M0K9H',
      amountFen: 12_000,
      pin: '135790',
    },
  },
  {
    name: 'kiosk_fees',
    keys: session,
    sequence: 86,
    timestampMs: exampleTimeMs + 4_020_090,
    message: {
      kind: 'kiosk_fees',
      reason: 'NONE',
      payment: 'paid',
      amountFen: 12_000,
      balanceAfterFen: 15_150,
      reference: 'R01JF3QA1B2C3D4E5F6G7H8J9K0',
      bills: [{ billId: '01JF3Q7Y5V3T1R9P7N5M3K1H0G', name: '教材费', owedFen: 8_600, allowPartial: true }],
    },
  },
  {
    name: 'kiosk_cancel_loss',
    keys: session,
    sequence: 87,
    timestampMs: exampleTimeMs + 4_080_000,
    message: { kind: 'kiosk_cancel_loss', sessionToken: counting(0xd0, 16), pin: '135790' },
  },
  {
    name: 'kiosk_cancel_loss_result',
    sequence: 87,
    timestampMs: exampleTimeMs + 4_080_060,
    message: { kind: 'kiosk_cancel_loss_result', reason: 'NONE', status: 'cancelled' },
  },
];

/** Generated once by encoding the specs; a change to any byte of the format shows up as a test failure. */
const expectedHex: Record<string, string> = {
  challenge:
    'cacd010037010000000000000000000000019caca63660a0a1a2a3a4a5a6a7a8a9aaabacadaeafc1948396b744df860c28880349fed9ae',
  sign_in:
    'cacd01006c0200000003e9000000290000019caca6368301b0b1b2b3b4b5b6b7b8b9babbbcbdbebfce001f3b981f3d275c2bd3c1153d0666ebeddefb451a28bc8009dd414b7cbda400000006000004b7000209504f532d332e322e31d56226cbf6891e26d73e05a55369ebc0',
  sign_in_accepted:
    'cacd0100510300000003e9000000290000019caca636943373189d831937bff94658788ce89ec923c3d2746ce6f6c8bb2da6c1b64bd10500000007000004ba003c3d753e845768023f1470ad9545b8609b',
  heartbeat:
    'cacd0100310400000003e90000002a0000019caca720c000000007000004ba0000e18583a534cb0b8b1f210bbeccde3f59',
  heartbeat_ack:
    'cacd0100370500000003e90000002a0000019caca720cc0000019caca720cc00000007000004bac08a3dbf4896d7619290573ed89cd163',
  clock_sync: 'cacd0100270600000003e90000002b0000019caca724a898fc570bdd8a0e6ef1e798a63851167a',
  clock_sync_result:
    'cacd01003f0700000003e90000002b0000019caca724bd0000019caca724a80000019caca724bc0000019caca724bdc423f09a1edb6d0f8e5a26e7968ef973',
  config_push:
    'cacd0100cd0800000003e9000000000000019caca6369c000000070b4d2d43414e5445454e2d3201e000004e20000301003c001e00000bb80000138800030d4007d00003f4800000000000000000010000000000000000003c012c02010000032007e5a597e9a4904102000004b007e5a597e9a4904203010186023a00000000020276032a00000bb80303fc04b000000bb8010003d0d1d2d3d4d5d6d7d8d9dadbdcdddedfe0e1e2e3e4e5e6e7e8e9eaebecedeeef0000000000000000703ba9dcc968d7965736220bafde5c67',
  error:
    'cacd0100430f00000003e90000002c0000019caca728940107101864657669636520636c6f636b203431322073206168656164b7257d0f678378b4809a45715672dba5',
  busy: 'cacd01002d0f00000003e90000002d0000019caca72c7a020410000320cfd7a623a5b49724b99d30ff46f30577',
  pay: 'cacd0100451000000003e90000002d0000019caca72c78020012383831323334353637383933303437323131000004e2013525ce0076dab881f7ed68e3dde5b4a74c0417cb',
  pay_approved:
    'cacd0100331100000003e90000002d0000019caca72ca1000004e2000001f4000021caad414a026544e4733c54cb6ed7b50587',
  pay_declined: 'cacd0100281200000003e90000002e0000019caca730880ce298e2c3d3183646b875aa25d4c06d6c',
  pay_with_pin:
    'cacd0100671301000003e90000002f0000019caca747d0c0c1c2c3c4c5c6c7c8c9cacb3ca3d4133e975feb554bc0d06fd201dce395abc6ec836991b0b6fb485c3a5927a05c1f6fa2553fd40958cc2ced80bf8bf0f5fd580bb0d56cb09c77d0d2069e38866d0836',
  identity_check:
    'cacd0100402000000003e9000000300000019caca74bb801001543433a3642464f584e2a5453304249245a442e503901f31988397b2de28d5dbb5c36c54228df',
  identity_result:
    'cacd01004e2101000003e9000000300000019caca74bd6c0c1c2c3c4c5c6c7c8c9cacb3fa3c72ce31acdf287e678456ecb7cbe946d7d6a4c7aaa15acf6768aaa0169ca8c8299129147a1e32489da',
  visitor_check:
    'cacd01003d8000000003e9000000460000019caca795f001000d43563a36424651394c4a24443101043132335833226e2aad637b587176690a903a0f61',
  visitor_result:
    'cacd0100578101000003e9000000460000019caca79618c0c1c2c3c4c5c6c7c8c9cacb3fa3c1cd9b28473dcfdcff00d960da6c5647217fb79fe970430ed1696150864cfb4a67c1f8e22eef2498ea48d2537f1a31046d45',
  bus_ride_check:
    'cacd01005a8400000003e9000000640000019caca7a9781a30314a4633523242384334443645384630473248344a364b384d01001543433a3642464f584e2a5453304249245a442e5039ef3a345175357fa80eeb266f06c59712',
  bus_ride_result:
    'cacd0100328500000003e9000000640000019caca7a996010300000000c80000206c2dffedd6534e975d296f90fbc6d95e42',
  bus_run_table_request:
    'cacd0100428600000003e9000000650000019caca7ad601a30314a4633523242384334443645384630473248344a364b384d1640b8c746fc20f1c6b5602067833dfd',
  meeting_session_request: 'cacd0100278300000003e9000000020000019caca63a48733dc34037c64100b531804eadb980fe',
  meeting_session:
    'cacd0100688200000003e9000000020000019caca63a5c020c4558414d2d44532d3230323618e695b0e68daee7bb93e69e84e69c9fe69cabe88083e8af950000019cacc1ada00000019cad2f8aa00000019caca63660003ce28ed7e270ac475ef65a9b3a9e62d4c8',
  bus_run_table:
    'cacd0100838701000003e9000000650000019caca7ad74c0c1c2c3c4c5c6c7c8c9cacb2493f76140953fea2346b5d313dd77d49192dec595b723bd6b8f836d933bf4b952c58a5956b59a8acb12c2a61fe0f0d2a2197d317310bff5a5ceea89c42e3a027c287391022efa30a58d1a6eca894d9e7d5e7c8128516fb313f42e1afd732ed5',
  attendance:
    'cacd01004e3000000003e9000000310000019caca74fa00e43533130312d32303236532d303701001543433a3642464f584e2a5453304249245a442e503913ca3fb858bec840314bb640ef0ec1b5',
  attendance_result:
    'cacd0100313100000003e9000000310000019caca74fb901000000019caca74fb43efc4503357a1f5f185039542d661b25',
  exam_attendance:
    'cacd01004c8800000003e9000000780000019caca757700c4558414d2d44532d3230323601001543433a3642464f584e2a5453304249245a442e50394565e1ceb5439ff9ed5a8e380dc380e4',
  exam_attendance_result:
    'cacd0100368900000003e9000000780000019caca7578901000000019caca7578404412d3037d8427d4ed573096f455e7bc6f5e92b58',
  exam_photo_attendance:
    'cacd01004ca000000003e9000000790000019caca75f400c4558414d2d44532d3230323601001543433a3642464f584e2a5453304249245a442e5039d79baea38eb9ca0ddee39d9a9641577e',
  exam_photo_attendance_result:
    'cacd010082a100000003e9000000790000019caca75f5901000000019caca75f5404412d30373f30314b4a4e50334d3751385232543556395734583659305a31412e313737323432333236363032302e48713375563062325a6b3966596331586f4d37724c770000019caca8bee400000facbb68c81c3a4b885400d10905fbe34728',
  photo_request:
    'cacd01006ba200000003e90000007b0000019caca760d03f30314b4a4e50334d3751385232543556395734583659305a31412e313737323432333236363032302e48713375563062325a6b3966596331586f4d37724c7700000fa0c70057f9d3a6f335c2d7d796fc271247',
  photo_chunk:
    'cacd01005aa301000003e90000007b0000019caca760e4c0c1c2c3c4c5c6c7c8c9cacb3ca3c624aaa66dd7c17efae757eb32a592ecdd599fe3ebeb07b3e8f83df90c442ddc7492ba4cbe31735fcac5b7220107539b897e78bb84',
  meter_start:
    'cacd0100414000000003e9000000320000019caca753880102001238383132333435363738393330343732313100000258ee54cf858da4990b986440750757ec65',
  meter_started:
    'cacd0100394100000003e9000000320000019caca753b409482d313030312d35300000025800001f72168712714363e46905a0add7e7e33b5e',
  meter_refused: 'cacd0100284200000003e9000000330000019caca7578e02bcb3c6ea53983d1172cb00a9089d15aa',
  meter_usage:
    'cacd0100354300000003e9000000340000019caca83de809482d313030312d3530000000787336c6b3c254d83d7c794ed9a5f729c2',
  meter_usage_ack:
    'cacd0100304400000003e9000000340000019caca83df7010000002400000234bac35ea67327aeb8de2b5064715403ea',
  meter_stop:
    'cacd0100354500000003e9000000350000019cacabe76809482d313030312d35300000012ccf5241c29910fd7c7f958e7bf48facb9',
  meter_settled:
    'cacd0100334600000003e9000000350000019cacabe79a0000005a000001fe000021705565b8a4d3655ef87088768008639fc1',
  offline_upload:
    'cacd0100a85000000003e90000003c0000019cacdd24e002010100000036000000070000019cacb885e000000320013525d600020012383831323334353637383933303437323131cb7cd2290957bd101a56214cd09dbdf3010100000038000000080000019cacbd19c0000004b0013525d7000200123838313233343536373839333034373231319134eeb578d6f61208128a498782063665f8668cdc057580b0e966a1b8346181',
  offline_upload_result:
    'cacd01003d5100000003e90000003c0000019cacdd253a020000003601000000003803010100000005000000057c5b597452bc3265f9e5fef81b90fe7b',
  blacklist_request:
    'cacd0100316000000003e90000003d0000019cacdd28c8000004b7000000000000b82aa063a392f47f102ad8498f25f20b',
  blacklist_chunk:
    'cacd01006b6101000003e90000003d0000019cacdd28dcc0c1c2c3c4c5c6c7c8c9cacb3ea3c29106a66dd9617cd6c457ee6713285d6608dd8369892497ea6d920d97ea6c97d5a6a94aad8aa6cf174f3063df918887cb471c07fbb5c5bb1956a6bbacf12d881ddb3aab39f0',
  rule_table_request:
    'cacd0100317000000003e90000003e0000019cacdd2cb0000000000000000000004ec870d1803d17b963fb05496393d255',
  rule_table_chunk:
    'cacd0100a17101000003e90000003e0000019cacdd2cc4c0c1c2c3c4c5c6c7c8c9cacb3ea3c67306a66dd9607b92e63feb30edd7a299f7dd83698b20b7ce6d933a6815936a2a5956b5528bca10c2a43fc4f0d395e683d18d4b9af9a4cdad763bd095de7238010e8a95e13317b0118d8bebf09801409022cf432af37eba29fb31fdef3c78d64b1486b526808a9ba3ef72d0bd2c5e706af5cd89027d4c3880f2415d',
  rule_table_delta:
    'cacd01009f7201000003e9000000000000019cacdeb350c0c1c2c3c4c5c6c7c8c9cacb3ea3c67306a66d81607b92e63feb30edd7a299f7dd83698b20b7ce6d933a6815936a2a5956b5528bca10c2a43fc4f0d395e683d18d4b9af9a4cdad763bd095de7238010e8a92e13775b0118d8bebf09800409022cf432af37eba2905924ce3ed4ec1bddb8732bff8419eb0360fc6645c0be8d3d2f22437717bedfd74',
  door_command: 'cacd01002c7300000003e9000000000000019cacdeb73803000002584424ebbcfb5ef77398ec51364b238380',
  door_event: 'cacd0100297400000003e90000003f0000019cacdeb7ce010323c8c2122d48016599ce3c3b976e3b6d',
  door_event_ack: 'cacd0100277500000003e90000003f0000019cacdeb7d8262d5d13c624c3b072b8da6f31ed6e77',
  blacklist_delta:
    'cacd01006d6201000003e9000000000000019cacdeab80c0c1c2c3c4c5c6c7c8c9cacb3ea3c29106a66963617cf7c773eb30ec285d6608227c9674dfb5cc4db03a6d406c97d5a6a9b5528bca1051ca2a099fd2338762f5f883629d9614ad4673cc6b58516958a4e363c5873872',
  centre_keys:
    'cacd01005aa400000003e9000000000000019cacdeabe4010243410000019c0107d1e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff0000000000000000f6c92a2e0532173228ce4780b4eb0244',
  centre_blacklist_request:
    'cacd010034a500000003e9000000420000019cacdeac480243410000019b00000000000025a684ddd3a2b240767f7445488add3f',
  centre_blacklist_chunk:
    'cacd01005fa601000003e9000000420000019cacdeac5cc0c1c2c3c4c5c6c7c8c9cacb3ce0872b06a7f1d8617ef7e756cb16ecd5a26608227c9674df48316c70a0d6532c8313dd37bbaad45872f2ac27d9e8cb0ac39956d8b5c28fcc7d250d',
  centre_offline_policy:
    'cacd01003ea800000003e9000000000000019cacdead1002024341000007d00000138802434300000000000000004356be906a04a4004e31c2b000c1239f',
  centre_blacklist_delta:
    'cacd010060a701000003e9000000000000019cacdeacacc0c1c2c3c4c5c6c7c8c9cacb3ce0872b06a7f1d8617f6be756ea12c9d7a28e08227c9674df483192921aeb56dff18cdd37847c8729579526c34ec6d6436875dba4399a168078824bf2',
  kiosk_identify:
    'cacd01003f9000000003e9000000500000019cace0322001001543433a3642464f584e2a5453304249245a442e50391788804d2dadf49e74eb77bba0f18c4e',
  kiosk_account:
    'cacd0100849101000003e9000000500000019cace03248c0c1c2c3c4c5c6c7c8c9cacb3e7317f9d572b80eb6a62f3d8c37ef3208a57c4b7da98f13aeb7ce4c593a6814676c1d616f85508bca115e0898e888d295e6862c8cef9e4d02b3751639d1c5da625c47c6328ba3cd0c3c100b26f3b871b59caa7354f0034ae90f840cc41c5ba3b5',
  kiosk_bank_load:
    'cacd01003b9200000003e9000000510000019cace08040d0d1d2d3d4d5d6d7d8d9dadbdcdddedf000013881cb5d80e0f11b817c1fc2da9a13b5ed6',
  kiosk_cash_top_up:
    'cacd01003d9300000003e9000000520000019cace0f570d0d1d2d3d4d5d6d7d8d9dadbdcdddedf00003a980002e16728ed1d744aa79e1b91e9471df0ed',
  kiosk_load_result:
    'cacd01003d9400000003e9000000520000019cace0f5ac000100003a98000071de0b6465763a313030313a3832d1ce45a03ec8687f39b1624fd2d86689',
  kiosk_utility_pay:
    'cacd0100459500000003e9000000530000019cace1b8c0d0d1d2d3d4d5d6d7d8d9dadbdcdddedf01074230372d33303100000007d04f030df45999cf829d5daadd2377be54',
  kiosk_utility_result:
    'cacd01003f9600000003e9000000530000019cace1b9100001000007d000006a0e0d6b696f736b2d313030312d3833731631d90ba25b6b76b86d3dfd14a2cc',
  kiosk_identify_by_id:
    'cacd01005c9701000003e9000000540000019cace2a320c0c1c2c3c4c5c6c7c8c9cacb2c92f71b379658e9584acfd665d803dce790c1c6eeb65eb210b6cf2cb56b6da2e99ce5a4f44482a378e7ccb1f9ff00d67d5b63f3d10001a785',
  kiosk_report_loss:
    'cacd0100379800000003e9000000550000019cace31850d0d1d2d3d4d5d6d7d8d9dadbdcdddedf6ce0742303f630e0996fccc35455ac1a',
  kiosk_loss_result: 'cacd0100299900000003e9000000550000019cace3188200016cf4600124961ef3d9ac9db7b1637a46',
  kiosk_fees_request:
    'cacd0100799a01000003e9000000560000019cace38d80c0c1c2c3c4c5c6c7c8c9cacbee7214f8d273bb0fb9a72c3c8b36ec33cd92a8bd9bb038b27a819955cb083e21c75f786c18841fbb81298aa43fea10d5a4d5b7f9b5dffbbbad05ade28a7fdb19219d1d6280f8296a4181145991a1cc856dd6386d9b43',
  kiosk_cancel_loss:
    'cacd0100599c01000003e9000000570000019cace477e0c0c1c2c3c4c5c6c7c8c9cacbee7214f8d273bb0fb9a72c3c8b36ec33e691acc0e4b35c8ba34a88b382edf0241cf23979c7ffb6815bdea8c3934acab1c3124aa78c87',
  kiosk_cancel_loss_result:
    'cacd0100299d00000003e9000000570000019cace4781c000187e2ebb2a9e0cc4a02356457344ef402',
  kiosk_fees:
    'cacd0100949b01000003e9000000560000019cace38ddac0c1c2c3c4c5c6c7c8c9cacb3ea2c62b28466dd85a50edb567da78aae4f3d8c69fb12ab864838b58d50c2f22db5060601d855391fa2188e20c95c78aa0b0b19abdbda68192829a3b089af4b5427f08ea3f2807afb0a75acb7414d00101ea6e00757ff91be1aa7aa82f1e96e49f6c4953d734b2d2f0ef7b15d7e2c742d5',
};

export const fixtures: readonly Fixture[] = specs.map((spec) => ({
  ...spec,
  deviceId: spec.deviceId ?? exampleDeviceId,
  keys: spec.keys ?? device,
  hex: expectedHex[spec.name] ?? '',
}));
