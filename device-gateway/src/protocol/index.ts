// The device protocol codec: pure functions over bytes, no sockets. The gateway's session and handlers and
// the device simulators in mock/devices import it from "@campus-card/device-gateway/protocol".
// docs/protocol.md describes the same format for device vendors.

export * from './codes.ts';
export {
  catchProtocolError,
  type Decoded,
  decoded,
  errorCodeFromWire,
  failed,
  ProtocolError,
  type ProtocolErrorCode,
  protocolErrorCodes,
} from './errors.ts';
export {
  checkDeclaredLength,
  type DecodedFrame,
  decodeFrame,
  type EncodeOptions,
  type Envelope,
  encodeFrame,
  encodeRawFrame,
  type FrameHeader,
  type FrameKeys,
  peekHeader,
  type RawFrame,
} from './frame.ts';
export { fromHex, fromHexDump, hexDump, toHex } from './hex.ts';
export * from './limits.ts';
export {
  anonymousKey,
  FrameMacKey,
  frameMac,
  type KeyMaterial,
  type MacKeyMaterial,
  macEquals,
  macTags,
  offlineRecordMac,
  prepareKey,
  serverProof,
  signInResponse,
} from './mac.ts';
export { seatBytesMax } from './messages/attendance.ts';
export type { BlacklistChange, BlacklistEntry } from './messages/blacklist.ts';
export { blacklistRefuses, neverIssued } from './messages/blacklist.ts';
export {
  type BusRideKind,
  type BusRideRefusal,
  balanceNotTold,
  busRideKinds,
  busRideRefusals,
  busRunCardsMax,
} from './messages/bus.ts';
export { centresMax } from './messages/centres.ts';
export type { CampusKey, MealWindow, MeterPricing, OfflinePolicy, PriceItem } from './messages/config.ts';
export { photoChunkBytesMax } from './messages/exam-photo.ts';
export type { ScannedCode } from './messages/fields.ts';
export type * from './messages/index.ts';
export {
  type Direction,
  directionOf,
  kindOfType,
  type Message,
  type MessageKind,
  messageTypeOf,
  parsePayload,
  serializePayload,
} from './messages/index.ts';
export {
  type MeetingSessionKind,
  meetingSessionKinds,
  meetingTitleBytesMax,
  openRoster,
} from './messages/meeting-session.ts';
export {
  type OfflineGap,
  type OfflineRecord,
  type OfflineRecordBody,
  type OfflineRecordResult,
  offlineRecordBody,
  offlineRecordBytes,
  signOfflineRecord,
  verifyOfflineRecord,
} from './messages/offline.ts';
export * from './messages/passage.ts';
export type { PayRequestFields } from './messages/pay.ts';
export { type VisitorRefusal, visitorRefusals } from './messages/visitor.ts';
export { ByteReader } from './reader.ts';
export {
  deriveSessionKey,
  openPayload,
  sealPayload,
  sessionKeyBytes,
  sessionKeyInfo,
} from './session-crypto.ts';
export { FrameSplitter, type SplitResult } from './splitter.ts';
export * from './timing.ts';
export { ByteWriter } from './writer.ts';
