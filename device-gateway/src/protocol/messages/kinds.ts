// The type byte of each message kind, and which side may send it.

import { MessageType } from '../codes.ts';
import type { MessageKind } from './message.ts';

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
  exam_attendance: MessageType.EXAM_ATTENDANCE,
  exam_attendance_result: MessageType.EXAM_ATTENDANCE_RESULT,
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
  kiosk_identify_by_id: MessageType.KIOSK_IDENTIFY_BY_ID,
  kiosk_report_loss: MessageType.KIOSK_REPORT_LOSS,
  kiosk_loss_result: MessageType.KIOSK_LOSS_RESULT,
  kiosk_fees_request: MessageType.KIOSK_FEES_REQUEST,
  kiosk_fees: MessageType.KIOSK_FEES,
  kiosk_cancel_loss: MessageType.KIOSK_CANCEL_LOSS,
  kiosk_cancel_loss_result: MessageType.KIOSK_CANCEL_LOSS_RESULT,
  visitor_check: MessageType.VISITOR_CHECK,
  visitor_result: MessageType.VISITOR_RESULT,
  meeting_session: MessageType.MEETING_SESSION,
  meeting_session_request: MessageType.MEETING_SESSION_REQUEST,
  bus_ride_check: MessageType.BUS_RIDE_CHECK,
  bus_ride_result: MessageType.BUS_RIDE_RESULT,
  bus_run_table_request: MessageType.BUS_RUN_TABLE_REQUEST,
  bus_run_table: MessageType.BUS_RUN_TABLE,
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
  MessageType.EXAM_ATTENDANCE,
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
  MessageType.KIOSK_IDENTIFY_BY_ID,
  MessageType.KIOSK_REPORT_LOSS,
  MessageType.KIOSK_FEES_REQUEST,
  MessageType.KIOSK_CANCEL_LOSS,
  MessageType.VISITOR_CHECK,
  MessageType.BUS_RIDE_CHECK,
  MessageType.BUS_RUN_TABLE_REQUEST,
  MessageType.MEETING_SESSION_REQUEST,
]);

export function directionOf(type: MessageType): Direction {
  if (type === MessageType.ERROR) return 'both';
  return deviceSends.has(type) ? 'device_to_server' : 'server_to_device';
}
