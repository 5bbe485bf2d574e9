// The message union: every kind a frame can carry, one type per message, from its family's module.

import type {
  AttendanceCheck,
  AttendanceResult,
  ExamAttendanceCheck,
  ExamAttendanceResult,
} from './attendance.ts';
import type { BlacklistChunk, BlacklistDelta, BlacklistRequest } from './blacklist.ts';
import type { BusRideCheck, BusRideResult, BusRunTable, BusRunTableRequest } from './bus.ts';
import type {
  CentreBlacklistChunk,
  CentreBlacklistDelta,
  CentreBlacklistRequest,
  CentreKeys,
  CentreOfflinePolicy,
} from './centres.ts';
import type { ConfigPush } from './config.ts';
import type {
  ExamPhotoAttendanceCheck,
  ExamPhotoAttendanceResult,
  PhotoChunk,
  PhotoRequest,
} from './exam-photo.ts';
import type { IdentityCheck, IdentityResult } from './identity.ts';
import type {
  KioskAccount,
  KioskBankLoad,
  KioskCashTopUp,
  KioskIdentify,
  KioskLoadResult,
  KioskUtilityPay,
  KioskUtilityResult,
} from './kiosk.ts';
import type {
  KioskCancelLoss,
  KioskCancelLossResult,
  KioskFees,
  KioskFeesRequest,
  KioskIdentifyById,
  KioskLossResult,
  KioskReportLoss,
} from './kiosk-person.ts';
import type { MeetingSession, MeetingSessionRequest } from './meeting-session.ts';
import type {
  MeterRefused,
  MeterSettled,
  MeterStart,
  MeterStarted,
  MeterStop,
  MeterUsage,
  MeterUsageAck,
} from './meter.ts';
import type { OfflineUpload, OfflineUploadResult } from './offline.ts';
import type {
  DoorCommand,
  DoorEvent,
  DoorEventAck,
  RuleTableChunk,
  RuleTableDelta,
  RuleTableRequest,
} from './passage.ts';
import type { Pay, PayApproved, PayDeclined, PayWithPin } from './pay.ts';
import type {
  Challenge,
  ClockSync,
  ClockSyncResult,
  ErrorFrame,
  Heartbeat,
  HeartbeatAck,
  SignIn,
  SignInAccepted,
} from './session.ts';
import type { VisitorCheck, VisitorResult } from './visitor.ts';

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
  | ExamAttendanceCheck
  | ExamAttendanceResult
  | ExamPhotoAttendanceCheck
  | ExamPhotoAttendanceResult
  | PhotoRequest
  | PhotoChunk
  | CentreKeys
  | CentreBlacklistRequest
  | CentreBlacklistChunk
  | CentreBlacklistDelta
  | CentreOfflinePolicy
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
  | KioskIdentifyById
  | KioskReportLoss
  | KioskLossResult
  | KioskFeesRequest
  | KioskFees
  | KioskCancelLoss
  | KioskCancelLossResult
  | VisitorCheck
  | VisitorResult
  | BusRideCheck
  | BusRideResult
  | BusRunTableRequest
  | BusRunTable
  | MeetingSession
  | MeetingSessionRequest;

export type MessageKind = Message['kind'];

export type {
  AttendanceCheck,
  AttendanceResult,
  BlacklistChunk,
  BlacklistDelta,
  BlacklistRequest,
  BusRideCheck,
  BusRideResult,
  BusRunTable,
  BusRunTableRequest,
  CentreBlacklistChunk,
  CentreBlacklistDelta,
  CentreBlacklistRequest,
  CentreKeys,
  CentreOfflinePolicy,
  Challenge,
  ClockSync,
  ClockSyncResult,
  ConfigPush,
  DoorCommand,
  DoorEvent,
  DoorEventAck,
  ErrorFrame,
  ExamAttendanceCheck,
  ExamAttendanceResult,
  ExamPhotoAttendanceCheck,
  ExamPhotoAttendanceResult,
  Heartbeat,
  HeartbeatAck,
  IdentityCheck,
  IdentityResult,
  KioskAccount,
  KioskBankLoad,
  KioskCancelLoss,
  KioskCancelLossResult,
  KioskCashTopUp,
  KioskFees,
  KioskFeesRequest,
  KioskIdentify,
  KioskIdentifyById,
  KioskLoadResult,
  KioskLossResult,
  KioskReportLoss,
  KioskUtilityPay,
  KioskUtilityResult,
  MeetingSession,
  MeetingSessionRequest,
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
  PhotoChunk,
  PhotoRequest,
  RuleTableChunk,
  RuleTableDelta,
  RuleTableRequest,
  SignIn,
  SignInAccepted,
  VisitorCheck,
  VisitorResult,
};
