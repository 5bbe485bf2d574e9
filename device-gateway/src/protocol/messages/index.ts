// Every message kind, its type byte, and the dispatch from bytes to typed message and back. Handlers
// downstream switch on `kind` and never see a Buffer.

import { MessageType } from '../codes.ts';
import { catchProtocolError, type Decoded, ProtocolError } from '../errors.ts';
import { payloadBytesMax } from '../limits.ts';
import { ByteReader } from '../reader.ts';
import { ByteWriter } from '../writer.ts';
import {
  type AttendanceCheck,
  type AttendanceResult,
  parseAttendanceCheck,
  parseAttendanceResult,
  serializeAttendanceCheck,
  serializeAttendanceResult,
} from './attendance.ts';
import {
  type BlacklistChunk,
  type BlacklistDelta,
  type BlacklistRequest,
  parseBlacklistChunk,
  parseBlacklistDelta,
  parseBlacklistRequest,
  serializeBlacklistChunk,
  serializeBlacklistDelta,
  serializeBlacklistRequest,
} from './blacklist.ts';
import { type ConfigPush, parseConfigPush, serializeConfigPush } from './config.ts';
import {
  type IdentityCheck,
  type IdentityResult,
  parseIdentityCheck,
  parseIdentityResult,
  serializeIdentityCheck,
  serializeIdentityResult,
} from './identity.ts';
import {
  type KioskAccount,
  type KioskBankLoad,
  type KioskCashTopUp,
  type KioskIdentify,
  type KioskLoadResult,
  type KioskUtilityPay,
  type KioskUtilityResult,
  parseKioskAccount,
  parseKioskBankLoad,
  parseKioskCashTopUp,
  parseKioskIdentify,
  parseKioskLoadResult,
  parseKioskUtilityPay,
  parseKioskUtilityResult,
  serializeKioskAccount,
  serializeKioskBankLoad,
  serializeKioskCashTopUp,
  serializeKioskIdentify,
  serializeKioskLoadResult,
  serializeKioskUtilityPay,
  serializeKioskUtilityResult,
} from './kiosk.ts';
import {
  type MeterRefused,
  type MeterSettled,
  type MeterStart,
  type MeterStarted,
  type MeterStop,
  type MeterUsage,
  type MeterUsageAck,
  parseMeterRefused,
  parseMeterSettled,
  parseMeterStart,
  parseMeterStarted,
  parseMeterStop,
  parseMeterUsage,
  parseMeterUsageAck,
  serializeMeterRefused,
  serializeMeterSettled,
  serializeMeterStart,
  serializeMeterStarted,
  serializeMeterStop,
  serializeMeterUsage,
  serializeMeterUsageAck,
} from './meter.ts';
import {
  type OfflineUpload,
  type OfflineUploadResult,
  parseOfflineUpload,
  parseOfflineUploadResult,
  serializeOfflineUpload,
  serializeOfflineUploadResult,
} from './offline.ts';
import {
  type DoorCommand,
  type DoorEvent,
  type DoorEventAck,
  parseDoorCommand,
  parseDoorEvent,
  parseDoorEventAck,
  parseRuleTableChunk,
  parseRuleTableDelta,
  parseRuleTableRequest,
  type RuleTableChunk,
  type RuleTableDelta,
  type RuleTableRequest,
  serializeDoorCommand,
  serializeDoorEvent,
  serializeDoorEventAck,
  serializeRuleTableChunk,
  serializeRuleTableDelta,
  serializeRuleTableRequest,
} from './passage.ts';
import {
  type Pay,
  type PayApproved,
  type PayDeclined,
  type PayWithPin,
  parsePay,
  parsePayApproved,
  parsePayDeclined,
  parsePayWithPin,
  serializePay,
  serializePayApproved,
  serializePayDeclined,
  serializePayWithPin,
} from './pay.ts';
import {
  type Challenge,
  type ClockSync,
  type ClockSyncResult,
  type ErrorFrame,
  type Heartbeat,
  type HeartbeatAck,
  parseChallenge,
  parseClockSync,
  parseClockSyncResult,
  parseErrorFrame,
  parseHeartbeat,
  parseHeartbeatAck,
  parseSignIn,
  parseSignInAccepted,
  type SignIn,
  type SignInAccepted,
  serializeChallenge,
  serializeClockSync,
  serializeClockSyncResult,
  serializeErrorFrame,
  serializeHeartbeat,
  serializeHeartbeatAck,
  serializeSignIn,
  serializeSignInAccepted,
} from './session.ts';
import {
  parseVisitorCheck,
  parseVisitorResult,
  serializeVisitorCheck,
  serializeVisitorResult,
  type VisitorCheck,
  type VisitorResult,
} from './visitor.ts';

export type Message =
  | Challenge
  | SignIn
  | SignInAccepted
  | Heartbeat
  | HeartbeatAck
  | ClockSync
  | ClockSyncResult
  | ConfigPush
  | ErrorFrame
  | Pay
  | PayApproved
  | PayDeclined
  | PayWithPin
  | IdentityCheck
  | IdentityResult
  | AttendanceCheck
  | AttendanceResult
  | MeterStart
  | MeterStarted
  | MeterRefused
  | MeterUsage
  | MeterUsageAck
  | MeterStop
  | MeterSettled
  | OfflineUpload
  | OfflineUploadResult
  | BlacklistRequest
  | BlacklistChunk
  | RuleTableRequest
  | RuleTableChunk
  | RuleTableDelta
  | DoorCommand
  | DoorEvent
  | DoorEventAck
  | BlacklistDelta
  | KioskIdentify
  | KioskAccount
  | KioskBankLoad
  | KioskCashTopUp
  | KioskLoadResult
  | KioskUtilityPay
  | KioskUtilityResult
  | VisitorCheck
  | VisitorResult;

export type MessageKind = Message['kind'];

/** The type byte of each kind; the reverse of `kindOfType`. */
export const messageTypeOf = {
  challenge: MessageType.CHALLENGE,
  sign_in: MessageType.SIGN_IN,
  sign_in_accepted: MessageType.SIGN_IN_ACCEPTED,
  heartbeat: MessageType.HEARTBEAT,
  heartbeat_ack: MessageType.HEARTBEAT_ACK,
  clock_sync: MessageType.CLOCK_SYNC,
  clock_sync_result: MessageType.CLOCK_SYNC_RESULT,
  config_push: MessageType.CONFIG_PUSH,
  error: MessageType.ERROR,
  pay: MessageType.PAY,
  pay_approved: MessageType.PAY_APPROVED,
  pay_declined: MessageType.PAY_DECLINED,
  pay_with_pin: MessageType.PAY_WITH_PIN,
  identity_check: MessageType.IDENTITY_CHECK,
  identity_result: MessageType.IDENTITY_RESULT,
  attendance: MessageType.ATTENDANCE,
  attendance_result: MessageType.ATTENDANCE_RESULT,
  meter_start: MessageType.METER_START,
  meter_started: MessageType.METER_STARTED,
  meter_refused: MessageType.METER_REFUSED,
  meter_usage: MessageType.METER_USAGE,
  meter_usage_ack: MessageType.METER_USAGE_ACK,
  meter_stop: MessageType.METER_STOP,
  meter_settled: MessageType.METER_SETTLED,
  offline_upload: MessageType.OFFLINE_UPLOAD,
  offline_upload_result: MessageType.OFFLINE_UPLOAD_RESULT,
  blacklist_request: MessageType.BLACKLIST_REQUEST,
  blacklist_chunk: MessageType.BLACKLIST_CHUNK,
  blacklist_delta: MessageType.BLACKLIST_DELTA,
  rule_table_request: MessageType.RULE_TABLE_REQUEST,
  rule_table_chunk: MessageType.RULE_TABLE_CHUNK,
  rule_table_delta: MessageType.RULE_TABLE_DELTA,
  door_command: MessageType.DOOR_COMMAND,
  door_event: MessageType.DOOR_EVENT,
  door_event_ack: MessageType.DOOR_EVENT_ACK,
  kiosk_identify: MessageType.KIOSK_IDENTIFY,
  kiosk_account: MessageType.KIOSK_ACCOUNT,
  kiosk_bank_load: MessageType.KIOSK_BANK_LOAD,
  kiosk_cash_top_up: MessageType.KIOSK_CASH_TOP_UP,
  kiosk_load_result: MessageType.KIOSK_LOAD_RESULT,
  kiosk_utility_pay: MessageType.KIOSK_UTILITY_PAY,
  kiosk_utility_result: MessageType.KIOSK_UTILITY_RESULT,
  visitor_check: MessageType.VISITOR_CHECK,
  visitor_result: MessageType.VISITOR_RESULT,
} as const satisfies Record<MessageKind, MessageType>;

export const kindOfType: ReadonlyMap<MessageType, MessageKind> = new Map(
  (Object.keys(messageTypeOf) as MessageKind[]).map((kind) => [messageTypeOf[kind], kind]),
);

/** Who may send each kind. The codec reads both directions; the session refuses the wrong one. */
export type Direction = 'device_to_server' | 'server_to_device' | 'both';

const deviceSends: ReadonlySet<MessageType> = new Set([
  MessageType.SIGN_IN,
  MessageType.HEARTBEAT,
  MessageType.CLOCK_SYNC,
  MessageType.PAY,
  MessageType.PAY_WITH_PIN,
  MessageType.IDENTITY_CHECK,
  MessageType.ATTENDANCE,
  MessageType.METER_START,
  MessageType.METER_USAGE,
  MessageType.METER_STOP,
  MessageType.OFFLINE_UPLOAD,
  MessageType.BLACKLIST_REQUEST,
  MessageType.RULE_TABLE_REQUEST,
  MessageType.DOOR_EVENT,
  MessageType.KIOSK_IDENTIFY,
  MessageType.KIOSK_BANK_LOAD,
  MessageType.KIOSK_CASH_TOP_UP,
  MessageType.KIOSK_UTILITY_PAY,
  MessageType.VISITOR_CHECK,
]);

export function directionOf(type: MessageType): Direction {
  if (type === MessageType.ERROR) return 'both';
  return deviceSends.has(type) ? 'device_to_server' : 'server_to_device';
}

/** The plaintext payload of a message. Invalid field values are a caller bug: ProtocolError is thrown. */
export function serializePayload(m: Message, bytesMax: number = payloadBytesMax): Uint8Array {
  const w = new ByteWriter(bytesMax);
  switch (m.kind) {
    case 'challenge':
      serializeChallenge(w, m);
      break;
    case 'sign_in':
      serializeSignIn(w, m);
      break;
    case 'sign_in_accepted':
      serializeSignInAccepted(w, m);
      break;
    case 'heartbeat':
      serializeHeartbeat(w, m);
      break;
    case 'heartbeat_ack':
      serializeHeartbeatAck(w, m);
      break;
    case 'clock_sync':
      serializeClockSync(w, m);
      break;
    case 'clock_sync_result':
      serializeClockSyncResult(w, m);
      break;
    case 'config_push':
      serializeConfigPush(w, m);
      break;
    case 'error':
      serializeErrorFrame(w, m);
      break;
    case 'pay':
      serializePay(w, m);
      break;
    case 'pay_approved':
      serializePayApproved(w, m);
      break;
    case 'pay_declined':
      serializePayDeclined(w, m);
      break;
    case 'pay_with_pin':
      serializePayWithPin(w, m);
      break;
    case 'identity_check':
      serializeIdentityCheck(w, m);
      break;
    case 'identity_result':
      serializeIdentityResult(w, m);
      break;
    case 'attendance':
      serializeAttendanceCheck(w, m);
      break;
    case 'attendance_result':
      serializeAttendanceResult(w, m);
      break;
    case 'meter_start':
      serializeMeterStart(w, m);
      break;
    case 'meter_started':
      serializeMeterStarted(w, m);
      break;
    case 'meter_refused':
      serializeMeterRefused(w, m);
      break;
    case 'meter_usage':
      serializeMeterUsage(w, m);
      break;
    case 'meter_usage_ack':
      serializeMeterUsageAck(w, m);
      break;
    case 'meter_stop':
      serializeMeterStop(w, m);
      break;
    case 'meter_settled':
      serializeMeterSettled(w, m);
      break;
    case 'offline_upload':
      serializeOfflineUpload(w, m);
      break;
    case 'offline_upload_result':
      serializeOfflineUploadResult(w, m);
      break;
    case 'blacklist_request':
      serializeBlacklistRequest(w, m);
      break;
    case 'blacklist_chunk':
      serializeBlacklistChunk(w, m);
      break;
    case 'blacklist_delta':
      serializeBlacklistDelta(w, m);
      break;
    case 'rule_table_request':
      serializeRuleTableRequest(w, m);
      break;
    case 'rule_table_chunk':
      serializeRuleTableChunk(w, m);
      break;
    case 'rule_table_delta':
      serializeRuleTableDelta(w, m);
      break;
    case 'door_command':
      serializeDoorCommand(w, m);
      break;
    case 'door_event':
      serializeDoorEvent(w, m);
      break;
    case 'door_event_ack':
      serializeDoorEventAck(w, m);
      break;
    case 'kiosk_identify':
      serializeKioskIdentify(w, m);
      break;
    case 'kiosk_account':
      serializeKioskAccount(w, m);
      break;
    case 'kiosk_bank_load':
      serializeKioskBankLoad(w, m);
      break;
    case 'kiosk_cash_top_up':
      serializeKioskCashTopUp(w, m);
      break;
    case 'kiosk_load_result':
      serializeKioskLoadResult(w, m);
      break;
    case 'kiosk_utility_pay':
      serializeKioskUtilityPay(w, m);
      break;
    case 'kiosk_utility_result':
      serializeKioskUtilityResult(w, m);
      break;
    case 'visitor_check':
      serializeVisitorCheck(w, m);
      break;
    case 'visitor_result':
      serializeVisitorResult(w, m);
      break;
    default:
      return unknownKind(m);
  }
  return w.finish();
}

function unknownKind(m: never): never {
  throw new ProtocolError('UNKNOWN_TYPE', `no message kind "${String((m as { kind?: unknown }).kind)}"`);
}

function parseWith(type: MessageType, r: ByteReader): Message {
  switch (type) {
    case MessageType.CHALLENGE:
      return parseChallenge(r);
    case MessageType.SIGN_IN:
      return parseSignIn(r);
    case MessageType.SIGN_IN_ACCEPTED:
      return parseSignInAccepted(r);
    case MessageType.HEARTBEAT:
      return parseHeartbeat(r);
    case MessageType.HEARTBEAT_ACK:
      return parseHeartbeatAck(r);
    case MessageType.CLOCK_SYNC:
      return parseClockSync(r);
    case MessageType.CLOCK_SYNC_RESULT:
      return parseClockSyncResult(r);
    case MessageType.CONFIG_PUSH:
      return parseConfigPush(r);
    case MessageType.ERROR:
      return parseErrorFrame(r);
    case MessageType.PAY:
      return parsePay(r);
    case MessageType.PAY_APPROVED:
      return parsePayApproved(r);
    case MessageType.PAY_DECLINED:
      return parsePayDeclined(r);
    case MessageType.PAY_WITH_PIN:
      return parsePayWithPin(r);
    case MessageType.IDENTITY_CHECK:
      return parseIdentityCheck(r);
    case MessageType.IDENTITY_RESULT:
      return parseIdentityResult(r);
    case MessageType.ATTENDANCE:
      return parseAttendanceCheck(r);
    case MessageType.ATTENDANCE_RESULT:
      return parseAttendanceResult(r);
    case MessageType.METER_START:
      return parseMeterStart(r);
    case MessageType.METER_STARTED:
      return parseMeterStarted(r);
    case MessageType.METER_REFUSED:
      return parseMeterRefused(r);
    case MessageType.METER_USAGE:
      return parseMeterUsage(r);
    case MessageType.METER_USAGE_ACK:
      return parseMeterUsageAck(r);
    case MessageType.METER_STOP:
      return parseMeterStop(r);
    case MessageType.METER_SETTLED:
      return parseMeterSettled(r);
    case MessageType.OFFLINE_UPLOAD:
      return parseOfflineUpload(r);
    case MessageType.OFFLINE_UPLOAD_RESULT:
      return parseOfflineUploadResult(r);
    case MessageType.BLACKLIST_REQUEST:
      return parseBlacklistRequest(r);
    case MessageType.BLACKLIST_CHUNK:
      return parseBlacklistChunk(r);
    case MessageType.BLACKLIST_DELTA:
      return parseBlacklistDelta(r);
    case MessageType.RULE_TABLE_REQUEST:
      return parseRuleTableRequest(r);
    case MessageType.RULE_TABLE_CHUNK:
      return parseRuleTableChunk(r);
    case MessageType.RULE_TABLE_DELTA:
      return parseRuleTableDelta(r);
    case MessageType.DOOR_COMMAND:
      return parseDoorCommand(r);
    case MessageType.DOOR_EVENT:
      return parseDoorEvent(r);
    case MessageType.DOOR_EVENT_ACK:
      return parseDoorEventAck(r);
    case MessageType.KIOSK_IDENTIFY:
      return parseKioskIdentify(r);
    case MessageType.KIOSK_ACCOUNT:
      return parseKioskAccount(r);
    case MessageType.KIOSK_BANK_LOAD:
      return parseKioskBankLoad(r);
    case MessageType.KIOSK_CASH_TOP_UP:
      return parseKioskCashTopUp(r);
    case MessageType.KIOSK_LOAD_RESULT:
      return parseKioskLoadResult(r);
    case MessageType.KIOSK_UTILITY_PAY:
      return parseKioskUtilityPay(r);
    case MessageType.KIOSK_UTILITY_RESULT:
      return parseKioskUtilityResult(r);
    case MessageType.VISITOR_CHECK:
      return parseVisitorCheck(r);
    case MessageType.VISITOR_RESULT:
      return parseVisitorResult(r);
    default:
      throw new ProtocolError('UNKNOWN_TYPE', `message type 0x${Number(type).toString(16)} is not defined`);
  }
}

/** The typed message in a plaintext payload, or why not. Only ProtocolError ever comes back. */
export function parsePayload(type: number, payload: Uint8Array): Decoded<Message> {
  return catchProtocolError(() => parseWith(type as MessageType, new ByteReader(payload)));
}

export type {
  AttendanceCheck,
  AttendanceResult,
  BlacklistChunk,
  BlacklistDelta,
  BlacklistRequest,
  Challenge,
  ClockSync,
  ClockSyncResult,
  ConfigPush,
  DoorCommand,
  DoorEvent,
  DoorEventAck,
  ErrorFrame,
  Heartbeat,
  HeartbeatAck,
  IdentityCheck,
  IdentityResult,
  KioskAccount,
  KioskBankLoad,
  KioskCashTopUp,
  KioskIdentify,
  KioskLoadResult,
  KioskUtilityPay,
  KioskUtilityResult,
  MeterRefused,
  MeterSettled,
  MeterStart,
  MeterStarted,
  MeterStop,
  MeterUsage,
  MeterUsageAck,
  OfflineUpload,
  OfflineUploadResult,
  Pay,
  PayApproved,
  PayDeclined,
  PayWithPin,
  RuleTableChunk,
  RuleTableDelta,
  RuleTableRequest,
  SignIn,
  SignInAccepted,
  VisitorCheck,
  VisitorResult,
};
