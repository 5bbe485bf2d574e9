// From a plaintext payload to its typed message: the dispatch on the type byte to each family's parser.

import { MessageType } from '../codes.ts';
import { catchProtocolError, type Decoded, ProtocolError } from '../errors.ts';
import { ByteReader } from '../reader.ts';
import {
  parseAttendanceCheck,
  parseAttendanceResult,
  parseExamAttendanceCheck,
  parseExamAttendanceResult,
} from './attendance.ts';
import { parseBlacklistChunk, parseBlacklistDelta, parseBlacklistRequest } from './blacklist.ts';
import { parseBusRideCheck, parseBusRideResult, parseBusRunTable, parseBusRunTableRequest } from './bus.ts';
import {
  parseCentreBlacklistChunk,
  parseCentreBlacklistDelta,
  parseCentreBlacklistRequest,
  parseCentreKeys,
  parseCentreOfflinePolicy,
} from './centres.ts';
import { parseConfigPush } from './config.ts';
import {
  parseExamPhotoAttendanceCheck,
  parseExamPhotoAttendanceResult,
  parsePhotoChunk,
  parsePhotoRequest,
} from './exam-photo.ts';
import { parseIdentityCheck, parseIdentityResult } from './identity.ts';
import {
  parseKioskAccount,
  parseKioskBankLoad,
  parseKioskCashTopUp,
  parseKioskIdentify,
  parseKioskLoadResult,
  parseKioskUtilityPay,
  parseKioskUtilityResult,
} from './kiosk.ts';
import {
  parseKioskCancelLoss,
  parseKioskCancelLossResult,
  parseKioskFees,
  parseKioskFeesRequest,
  parseKioskIdentifyById,
  parseKioskLossResult,
  parseKioskReportLoss,
} from './kiosk-person.ts';
import { parseMeetingSession, parseMeetingSessionRequest } from './meeting-session.ts';
import type { Message } from './message.ts';
import {
  parseMeterRefused,
  parseMeterSettled,
  parseMeterStart,
  parseMeterStarted,
  parseMeterStop,
  parseMeterUsage,
  parseMeterUsageAck,
} from './meter.ts';
import { parseOfflineUpload, parseOfflineUploadResult } from './offline.ts';
import {
  parseDoorCommand,
  parseDoorEvent,
  parseDoorEventAck,
  parseRuleTableChunk,
  parseRuleTableDelta,
  parseRuleTableRequest,
} from './passage.ts';
import { parsePay, parsePayApproved, parsePayDeclined, parsePayWithPin } from './pay.ts';
import {
  parseChallenge,
  parseClockSync,
  parseClockSyncResult,
  parseErrorFrame,
  parseHeartbeat,
  parseHeartbeatAck,
  parseSignIn,
  parseSignInAccepted,
} from './session.ts';
import { parseVisitorCheck, parseVisitorResult } from './visitor.ts';

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
    case MessageType.EXAM_ATTENDANCE:
      return parseExamAttendanceCheck(r);
    case MessageType.EXAM_ATTENDANCE_RESULT:
      return parseExamAttendanceResult(r);
    case MessageType.EXAM_PHOTO_ATTENDANCE:
      return parseExamPhotoAttendanceCheck(r);
    case MessageType.EXAM_PHOTO_ATTENDANCE_RESULT:
      return parseExamPhotoAttendanceResult(r);
    case MessageType.PHOTO_REQUEST:
      return parsePhotoRequest(r);
    case MessageType.PHOTO_CHUNK:
      return parsePhotoChunk(r);
    case MessageType.CENTRE_KEYS:
      return parseCentreKeys(r);
    case MessageType.CENTRE_BLACKLIST_REQUEST:
      return parseCentreBlacklistRequest(r);
    case MessageType.CENTRE_BLACKLIST_CHUNK:
      return parseCentreBlacklistChunk(r);
    case MessageType.CENTRE_BLACKLIST_DELTA:
      return parseCentreBlacklistDelta(r);
    case MessageType.CENTRE_OFFLINE_POLICY:
      return parseCentreOfflinePolicy(r);
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
    case MessageType.KIOSK_IDENTIFY_BY_ID:
      return parseKioskIdentifyById(r);
    case MessageType.KIOSK_REPORT_LOSS:
      return parseKioskReportLoss(r);
    case MessageType.KIOSK_LOSS_RESULT:
      return parseKioskLossResult(r);
    case MessageType.KIOSK_FEES_REQUEST:
      return parseKioskFeesRequest(r);
    case MessageType.KIOSK_FEES:
      return parseKioskFees(r);
    case MessageType.KIOSK_CANCEL_LOSS:
      return parseKioskCancelLoss(r);
    case MessageType.KIOSK_CANCEL_LOSS_RESULT:
      return parseKioskCancelLossResult(r);
    case MessageType.VISITOR_CHECK:
      return parseVisitorCheck(r);
    case MessageType.VISITOR_RESULT:
      return parseVisitorResult(r);
    case MessageType.MEETING_SESSION:
      return parseMeetingSession(r);
    case MessageType.MEETING_SESSION_REQUEST:
      return parseMeetingSessionRequest(r);
    case MessageType.BUS_RIDE_CHECK:
      return parseBusRideCheck(r);
    case MessageType.BUS_RIDE_RESULT:
      return parseBusRideResult(r);
    case MessageType.BUS_RUN_TABLE_REQUEST:
      return parseBusRunTableRequest(r);
    case MessageType.BUS_RUN_TABLE:
      return parseBusRunTable(r);
    default:
      throw new ProtocolError('UNKNOWN_TYPE', `message type 0x${Number(type).toString(16)} is not defined`);
  }
}

/** The typed message in a plaintext payload, or why not. Only ProtocolError ever comes back. */
export function parsePayload(type: number, payload: Uint8Array): Decoded<Message> {
  return catchProtocolError(() => parseWith(type as MessageType, new ByteReader(payload)));
}
