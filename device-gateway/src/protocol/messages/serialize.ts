// From a typed message to its plaintext payload: the dispatch to each family's serializer.

import { ProtocolError } from '../errors.ts';
import { payloadBytesMax } from '../limits.ts';
import { ByteWriter } from '../writer.ts';
import {
  serializeAttendanceCheck,
  serializeAttendanceResult,
  serializeExamAttendanceCheck,
  serializeExamAttendanceResult,
} from './attendance.ts';
import { serializeBlacklistChunk, serializeBlacklistDelta, serializeBlacklistRequest } from './blacklist.ts';
import {
  serializeBusRideCheck,
  serializeBusRideResult,
  serializeBusRunTable,
  serializeBusRunTableRequest,
} from './bus.ts';
import {
  serializeCentreBlacklistChunk,
  serializeCentreBlacklistDelta,
  serializeCentreBlacklistRequest,
  serializeCentreKeys,
  serializeCentreOfflinePolicy,
} from './centres.ts';
import { serializeConfigPush } from './config.ts';
import {
  serializeExamPhotoAttendanceCheck,
  serializeExamPhotoAttendanceResult,
  serializePhotoChunk,
  serializePhotoRequest,
} from './exam-photo.ts';
import { serializeIdentityCheck, serializeIdentityResult } from './identity.ts';
import {
  serializeKioskAccount,
  serializeKioskBankLoad,
  serializeKioskCashTopUp,
  serializeKioskIdentify,
  serializeKioskLoadResult,
  serializeKioskUtilityPay,
  serializeKioskUtilityResult,
} from './kiosk.ts';
import {
  serializeKioskCancelLoss,
  serializeKioskCancelLossResult,
  serializeKioskFees,
  serializeKioskFeesRequest,
  serializeKioskIdentifyById,
  serializeKioskLossResult,
  serializeKioskReportLoss,
} from './kiosk-person.ts';
import { serializeMeetingSession, serializeMeetingSessionRequest } from './meeting-session.ts';
import type { Message } from './message.ts';
import {
  serializeMeterRefused,
  serializeMeterSettled,
  serializeMeterStart,
  serializeMeterStarted,
  serializeMeterStop,
  serializeMeterUsage,
  serializeMeterUsageAck,
} from './meter.ts';
import { serializeOfflineUpload, serializeOfflineUploadResult } from './offline.ts';
import {
  serializeDoorCommand,
  serializeDoorEvent,
  serializeDoorEventAck,
  serializeRuleTableChunk,
  serializeRuleTableDelta,
  serializeRuleTableRequest,
} from './passage.ts';
import { serializePay, serializePayApproved, serializePayDeclined, serializePayWithPin } from './pay.ts';
import {
  serializeChallenge,
  serializeClockSync,
  serializeClockSyncResult,
  serializeErrorFrame,
  serializeHeartbeat,
  serializeHeartbeatAck,
  serializeSignIn,
  serializeSignInAccepted,
} from './session.ts';
import { serializeVisitorCheck, serializeVisitorResult } from './visitor.ts';

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
    case 'exam_attendance':
      serializeExamAttendanceCheck(w, m);
      break;
    case 'exam_attendance_result':
      serializeExamAttendanceResult(w, m);
      break;
    case 'exam_photo_attendance':
      serializeExamPhotoAttendanceCheck(w, m);
      break;
    case 'exam_photo_attendance_result':
      serializeExamPhotoAttendanceResult(w, m);
      break;
    case 'photo_request':
      serializePhotoRequest(w, m);
      break;
    case 'photo_chunk':
      serializePhotoChunk(w, m);
      break;
    case 'centre_keys':
      serializeCentreKeys(w, m);
      break;
    case 'centre_blacklist_request':
      serializeCentreBlacklistRequest(w, m);
      break;
    case 'centre_blacklist_chunk':
      serializeCentreBlacklistChunk(w, m);
      break;
    case 'centre_blacklist_delta':
      serializeCentreBlacklistDelta(w, m);
      break;
    case 'centre_offline_policy':
      serializeCentreOfflinePolicy(w, m);
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
    case 'kiosk_identify_by_id':
      serializeKioskIdentifyById(w, m);
      break;
    case 'kiosk_report_loss':
      serializeKioskReportLoss(w, m);
      break;
    case 'kiosk_loss_result':
      serializeKioskLossResult(w, m);
      break;
    case 'kiosk_cancel_loss':
      serializeKioskCancelLoss(w, m);
      break;
    case 'kiosk_cancel_loss_result':
      serializeKioskCancelLossResult(w, m);
      break;
    case 'kiosk_fees_request':
      serializeKioskFeesRequest(w, m);
      break;
    case 'kiosk_fees':
      serializeKioskFees(w, m);
      break;
    case 'visitor_check':
      serializeVisitorCheck(w, m);
      break;
    case 'visitor_result':
      serializeVisitorResult(w, m);
      break;
    case 'meeting_session':
      serializeMeetingSession(w, m);
      break;
    case 'meeting_session_request':
      serializeMeetingSessionRequest(w, m);
      break;
    case 'bus_ride_check':
      serializeBusRideCheck(w, m);
      break;
    case 'bus_ride_result':
      serializeBusRideResult(w, m);
      break;
    case 'bus_run_table_request':
      serializeBusRunTableRequest(w, m);
      break;
    case 'bus_run_table':
      serializeBusRunTable(w, m);
      break;
    default:
      return unknownKind(m);
  }
  return w.finish();
}

function unknownKind(m: never): never {
  throw new ProtocolError('UNKNOWN_TYPE', `no message kind "${String((m as { kind?: unknown }).kind)}"`);
}
