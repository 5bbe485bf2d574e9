// Byte values of the protocol: message types and every enumerated field. These numbers are the wire
// format: devices in the field store and compare them, so a value is never renumbered or reused.

/** The message type byte (header offset 5). D→S: sent by devices; S→D: sent by the server. */
export enum MessageType {
  CHALLENGE = 0x01, // S→D, anonymous: the server's sign-in nonce, sent as soon as the socket opens
  SIGN_IN = 0x02, // D→S: device nonce and HMAC response to the challenge, with the device's versions
  SIGN_IN_ACCEPTED = 0x03, // S→D: server proof, current config and blacklist versions, heartbeat interval
  HEARTBEAT = 0x04, // D→S: the device's config and blacklist versions and pending offline records
  HEARTBEAT_ACK = 0x05, // S→D: server time and current versions
  CLOCK_SYNC = 0x06, // D→S: empty; the header timestamp is the device's send time
  CLOCK_SYNC_RESULT = 0x07, // S→D: echo of the device time, server receive and send times
  CONFIG_PUSH = 0x08, // S→D, unsolicited: merchant, limits, prices, meal windows, meter pricing
  ERROR = 0x0f, // either way: error code, the type it answers, a message for logs
  PAY = 0x10, // D→S: scanned code, amount, device order number
  PAY_APPROVED = 0x11, // S→D: charged amounts and balance after
  PAY_DECLINED = 0x12, // S→D: reason code
  PAY_WITH_PIN = 0x13, // D→S, encrypted: PAY plus the card holder's PIN, after PAY_DECLINED(PIN_REQUIRED)
  IDENTITY_CHECK = 0x20, // D→S: scanned code at a gate, door, library or bus, and the direction
  IDENTITY_RESULT = 0x21, // S→D, encrypted: allow or deny, person type, display name
  ATTENDANCE = 0x30, // D→S: attendance session id and scanned code
  ATTENDANCE_RESULT = 0x31, // S→D: recorded, already recorded, not on roster, outside window …
  METER_START = 0x40, // D→S: shower or laundry, scanned code, hold requested
  METER_STARTED = 0x41, // S→D: hold id, amount held, balance after the hold
  METER_REFUSED = 0x42, // S→D: reason code
  METER_USAGE = 0x43, // D→S: hold id, metered units so far
  METER_USAGE_ACK = 0x44, // S→D: priced usage so far, what remains of the hold, whether to stop
  METER_STOP = 0x45, // D→S: hold id, final metered units
  METER_SETTLED = 0x46, // S→D: charged, released, balance after
  OFFLINE_UPLOAD = 0x50, // D→S: a batch of records stored while offline, each with its own MAC
  OFFLINE_UPLOAD_RESULT = 0x51, // S→D: one result per record and the gaps in the device's record numbers
  BLACKLIST_REQUEST = 0x60, // D→S: the version the device has, the version and chunk it wants
  BLACKLIST_CHUNK = 0x61, // S→D, encrypted: one chunk of a full blacklist snapshot
  BLACKLIST_DELTA = 0x62, // S→D, encrypted: entries added and removed between two versions
  RULE_TABLE_REQUEST = 0x70, // D→S: the rule-table version the door holds, the version and chunk it wants
  RULE_TABLE_CHUNK = 0x71, // S→D, encrypted: one chunk of a door's rule table (chunk 0 with the header)
  RULE_TABLE_DELTA = 0x72, // S→D, encrypted: the new header and the card rows changed between two versions
  DOOR_COMMAND = 0x73, // S→D, unsolicited: open, close, hold open for N s, emergency all-open and its end
  DOOR_EVENT = 0x74, // D→S: a command carried out, the door opened, closed, forced or held open too long
  DOOR_EVENT_ACK = 0x75, // S→D: the door event is recorded
  KIOSK_IDENTIFY = 0x90, // D→S: the code shown at a self-service kiosk
  KIOSK_ACCOUNT = 0x91, // S→D, encrypted: session token, name, balances, bound bank card, recent entries
  KIOSK_BANK_LOAD = 0x92, // D→S: 圈存 from the bound bank card, under a kiosk session
  KIOSK_CASH_TOP_UP = 0x93, // D→S: banknotes the acceptor counted, under a kiosk session
  KIOSK_LOAD_RESULT = 0x94, // S→D: credited, refused or pending at the bank, balance after, receipt reference
  KIOSK_UTILITY_PAY = 0x95, // D→S: dorm electricity or the network fee paid from the card, under a kiosk session
  KIOSK_UTILITY_RESULT = 0x96, // S→D: completed, refused or pending at the outside system, balance after, order id
  KIOSK_IDENTIFY_BY_ID = 0x97, // D→S, encrypted: the ID number and card PIN of a person without a phone
  KIOSK_REPORT_LOSS = 0x98, // D→S: report the session's card lost (挂失)
  KIOSK_LOSS_RESULT = 0x99, // S→D: reported, already lost, or refused
  KIOSK_FEES_REQUEST = 0x9a, // D→S, encrypted: the session's owed fee bills, after paying one from the card when named
  KIOSK_FEES = 0x9b, // S→D, encrypted: the payment's outcome, balance after, receipt number, the bills still owed
  KIOSK_CANCEL_LOSS = 0x9c, // D→S, encrypted: cancel the session's card's loss (解挂) with the card PIN
  KIOSK_CANCEL_LOSS_RESULT = 0x9d, // S→D: cancelled, not lost (nothing changed), or refused
  VISITOR_CHECK = 0x80, // D→S: a scanned visitor pass, the direction and the ID-number tail typed on entry
  VISITOR_RESULT = 0x81, // S→D, encrypted: allow or deny with the visitor reason, visitor and host names
  MEETING_SESSION = 0x82, // S→D: the meeting or exam session the reader serves now (or none); also pushed, sequence 0
  MEETING_SESSION_REQUEST = 0x83, // D→S: which session do I serve now? (after sign-in)
  BUS_RIDE_CHECK = 0x84, // D→S: the run id and the rider's scanned code at a school-bus reader
  BUS_RIDE_RESULT = 0x85, // S→D: let on (booked seat, free ride or fare charged) or refused with the bus reason
  BUS_RUN_TABLE_REQUEST = 0x86, // D→S: the run id, asked at the depot before the bus leaves
  BUS_RUN_TABLE = 0x87, // S→D, encrypted: the run's booked cards, fare, free person types and offline cap
  EXAM_ATTENDANCE = 0x88, // D→S: as ATTENDANCE, from a reader that shows the exam seat
  EXAM_ATTENDANCE_RESULT = 0x89, // S→D: ATTENDANCE_RESULT's fields and the person's exam seat
  EXAM_PHOTO_ATTENDANCE = 0xa0, // D→S: as ATTENDANCE, from a reader that shows the seat and the candidate's photo
  EXAM_PHOTO_ATTENDANCE_RESULT = 0xa1, // S→D: EXAM_ATTENDANCE_RESULT's fields and a short-lived photo reference
  PHOTO_REQUEST = 0xa2, // D→S: the photo reference and the offset of the part wanted
  PHOTO_CHUNK = 0xa3, // S→D, encrypted: up to 4,000 bytes of the photo, its type and size
  CENTRE_KEYS = 0xa4, // S→D: the other card centres whose cards the device takes, their keys and list versions
  CENTRE_BLACKLIST_REQUEST = 0xa5, // D→S: as BLACKLIST_REQUEST, for one other centre's list
  CENTRE_BLACKLIST_CHUNK = 0xa6, // S→D, encrypted: as BLACKLIST_CHUNK, of one other centre's list
  CENTRE_BLACKLIST_DELTA = 0xa7, // S→D, encrypted: as BLACKLIST_DELTA, of one other centre's list
  CENTRE_OFFLINE_POLICY = 0xa8, // S→D: each other centre's offline policy for its cards here (a payment, a card's day)
}

/** Flag bits (header offset 6). Bits 1–7 are reserved and must be zero. */
export const frameFlags = {
  encrypted: 0x01, // the payload is AES-256-GCM sealed with the session key; set exactly for encrypted types
} as const;

/** Types whose payload carries personal data (names, PINs, who lost a card) and is always encrypted. */
export const encryptedMessageTypes: ReadonlySet<MessageType> = new Set([
  MessageType.PAY_WITH_PIN,
  MessageType.IDENTITY_RESULT,
  MessageType.VISITOR_RESULT,
  MessageType.BUS_RUN_TABLE,
  MessageType.BLACKLIST_CHUNK,
  MessageType.BLACKLIST_DELTA,
  MessageType.RULE_TABLE_CHUNK,
  MessageType.RULE_TABLE_DELTA,
  MessageType.KIOSK_ACCOUNT,
  MessageType.KIOSK_IDENTIFY_BY_ID,
  MessageType.KIOSK_FEES_REQUEST,
  MessageType.KIOSK_FEES,
  MessageType.KIOSK_CANCEL_LOSS,
  MessageType.PHOTO_CHUNK,
  MessageType.CENTRE_BLACKLIST_CHUNK,
  MessageType.CENTRE_BLACKLIST_DELTA,
]);

/** What a device is; a device signs in as the kind it was registered as. */
export const deviceKinds = {
  pos: 0x01, // canteen and shop payment terminal
  gate: 0x02, // gate, door controller, library entrance, school-bus reader
  attendance: 0x03, // class, meeting or exam attendance reader
  shower: 0x04, // shower water meter
  laundry: 0x05, // washing machine or dryer controller
  kiosk: 0x06, // self-service top-up kiosk
} as const;
export type DeviceKind = keyof typeof deviceKinds;

/** How the scanned code was read. */
export const codeKinds = {
  qr: 0x01, // the campus QR code text as scanned, "CC:" followed by Base45
  numeric: 0x02, // the digits of a numeric pay code, typed or read from a 1-D barcode
} as const;
export type CodeKind = keyof typeof codeKinds;

/** Why a payment, a meter start, an identity check or an offline record was refused. */
export const reasonCodes = {
  NONE: 0x00, // nothing refused; only where the field is present in an accepting answer
  INSUFFICIENT_FUNDS: 0x01, // main and subsidy wallets together hold less than the amount
  BELOW_MIN_BALANCE: 0x02, // below the minimum balance the meter requires to start
  CARD_LOST: 0x03, // the card is reported lost
  CARD_FROZEN: 0x04, // the card is frozen
  CARD_CANCELLED: 0x05, // the card is cancelled
  CARD_NOT_FOUND: 0x06, // no such card
  CREDENTIAL_REVOKED: 0x07, // the code comes from a certificate older than the card's current version
  CODE_INVALID: 0x08, // malformed, unknown key, bad signature, or dated in the future
  CODE_EXPIRED: 0x09, // the code is older than its validity window
  CODE_REPLAYED: 0x0a, // this code was already used
  LIMIT_EXCEEDED: 0x0b, // a daily, per-payment or per-meal limit would be exceeded
  PIN_REQUIRED: 0x0c, // above the PIN-free amount: ask for the PIN and send PAY_WITH_PIN
  PIN_INVALID: 0x0d, // the PIN is wrong
  REPEAT_TOO_SOON: 0x0e, // the same card paid at this device within the repeat interval
  OUTSIDE_WINDOW: 0x0f, // outside the merchant's meal windows or the door's opening hours
  MERCHANT_DISABLED: 0x10, // the device's merchant is disabled
  AMOUNT_OUT_OF_RANGE: 0x11, // zero, or above the per-payment maximum
  NOT_PERMITTED: 0x12, // the person may not pass this gate or use this device
  HOLD_NOT_FOUND: 0x13, // no such hold for this device
  HOLD_CLOSED: 0x14, // the hold is already settled or expired
  DEVICE_BUSY: 0x15, // the meter already runs a hold; stop it first
  SERVICE_UNAVAILABLE: 0x16, // the server cannot reach the ledger; offline rules apply
  BAD_RECORD_MAC: 0x17, // an offline record's own MAC does not verify
  SEQUENCE_CONFLICT: 0x18, // the record's sequence was already used by a different request
  NO_PASSAGE_RIGHT: 0x40, // no passage rule lets this person through this door now
  PASSAGE_DENIED: 0x41, // a deny rule in force names this person here
  CURFEW: 0x42, // the building's curfew refuses students coming in now
  PASSBACK: 0x43, // anti-passback: in twice, or out twice, in this area
  KIOSK_SESSION_EXPIRED: 0x30, // the kiosk session token is unknown or too old: identify again
  BANK_NOT_BOUND: 0x31, // 圈存 asked for a card with no bank card bound
  BANK_REFUSED: 0x32, // the bank refused the transfer (or it was reversed): nothing was taken or credited
  UTILITY_REFUSED: 0x33, // the meter or network system refused (no such room or account, bad package): nothing charged
  FEE_REFUSED: 0x34, // the bill is paid, or the amount is more than owed or a part of an item paid in full: nothing charged
} as const;
export type ReasonCode = keyof typeof reasonCodes;
/** A reason that names a refusal: every reason but NONE. */
export type Refusal = Exclude<ReasonCode, 'NONE'>;

/** Person types, with the same byte values as the credential certificate. */
export const personTypes = {
  unknown: 0x00, // the code could not be tied to a person (only in a deny)
  student: 0x01,
  staff: 0x02,
  alumnus: 0x03,
  visitor: 0x04,
} as const;
export type PersonType = keyof typeof personTypes;

export const accessDirections = {
  none: 0x00, // the reader does not know (a library desk, a bus)
  in: 0x01,
  out: 0x02,
} as const;
export type AccessDirection = keyof typeof accessDirections;

export const accessDecisions = {
  allow: 0x01,
  deny: 0x02,
} as const;
export type AccessDecision = keyof typeof accessDecisions;

export const attendanceStatuses = {
  recorded: 0x01, // recorded now
  already_recorded: 0x02, // recorded before; recordedAtMs is the first time
  not_on_roster: 0x03, // the person is not on this session's roster
  outside_window: 0x04, // the session does not accept sign-ins at this time
  session_not_found: 0x05, // no such attendance session
  code_refused: 0x06, // the code itself was refused; see the reason
} as const;
export type AttendanceStatus = keyof typeof attendanceStatuses;

/** What a person photo is (PHOTO_CHUNK). */
export const photoMediaTypes = {
  'image/jpeg': 0x01,
  'image/png': 0x02,
} as const;
export type PhotoMediaType = keyof typeof photoMediaTypes;

export const meterServices = {
  shower: 0x01,
  laundry: 0x02,
} as const;
export type MeterService = keyof typeof meterServices;

/** What one metered unit is. The server prices units; the device only counts them. */
export const meterUnits = {
  none: 0x00, // the device has no meter
  second: 0x01, // seconds of water flow or machine run time
  centilitre: 0x02, // 10 ml of water
  cycle: 0x03, // one wash or dry cycle
} as const;
export type MeterUnit = keyof typeof meterUnits;

export const meterStates = {
  running: 0x01, // keep going
  hold_exhausted: 0x02, // the priced usage reached the hold: stop the meter and send METER_STOP
  hold_closed: 0x03, // the hold was settled or expired: stop the meter and send METER_STOP
} as const;
export type MeterState = keyof typeof meterStates;

export const meals = {
  breakfast: 0x01,
  lunch: 0x02,
  dinner: 0x03,
  late_night: 0x04,
} as const;
export type Meal = keyof typeof meals;

export const offlineRecordKinds = {
  payment: 0x01, // a payment the device accepted offline
  access: 0x02, // an identity check the device decided offline
  attendance: 0x03, // an attendance sign-in the device took offline
  bus_ride: 0x04, // a ride a school-bus reader let on offline: the run id in sessionId, a fare in amountFen
} as const;
export type OfflineRecordKind = keyof typeof offlineRecordKinds;

export const offlineDecisions = {
  accepted: 0x01, // the device accepted the code (paid, let through, signed in)
  refused: 0x02, // the device refused it; kept as evidence, never charged
} as const;
export type OfflineDecision = keyof typeof offlineDecisions;

export const offlineResultStatuses = {
  accepted: 0x01, // stored and, for a payment, charged
  duplicate: 0x02, // this (device id, sequence) was already handled; the original outcome stands
  exception: 0x03, // stored but could not be charged (see reason); listed for administrators
  rejected: 0x04, // malformed or bad record MAC (see reason); stored as evidence, never charged
} as const;
export type OfflineResultStatus = keyof typeof offlineResultStatuses;

export const blacklistReasons = {
  lost: 0x01, // reported lost
  frozen: 0x02, // frozen
  cancelled: 0x03, // cancelled
  reissued: 0x04, // reissued: codes of the old card version must be refused
} as const;
export type BlacklistReason = keyof typeof blacklistReasons;

export const blacklistOps = {
  add: 0x01, // add the entry, replacing any entry for the same card number
  remove: 0x02, // remove the entry for this card number
} as const;
export type BlacklistOp = keyof typeof blacklistOps;

/** The byte for a name in one of the tables above. */
export function byteOf<Name extends string>(table: Readonly<Record<Name, number>>, name: Name): number {
  return table[name];
}

/** The name for a byte in one of the tables above, or undefined for a byte the table does not hold. */
export function nameOf<Name extends string>(
  table: Readonly<Record<Name, number>>,
  byte: number,
): Name | undefined {
  for (const name of Object.keys(table) as Name[]) if (table[name] === byte) return name;
  return undefined;
}

export function isMessageType(byte: number): byte is MessageType {
  return typeof MessageType[byte] === 'string';
}

/** Requests every signed-in device may send, whatever its kind (protocol § 8.1). */
const sessionRequests = [
  MessageType.HEARTBEAT,
  MessageType.CLOCK_SYNC,
  MessageType.ERROR,
  MessageType.BLACKLIST_REQUEST,
  MessageType.CENTRE_BLACKLIST_REQUEST,
  MessageType.OFFLINE_UPLOAD,
] as const;

/**
 * The requests each device kind may send (protocol § 8.1): a meter cannot pay, a till cannot hold, a gate
 * cannot sign anyone in to a class. Any other request from a signed-in device is `UNEXPECTED_MESSAGE`.
 */
export const requestsOfKind: Readonly<Record<DeviceKind, ReadonlySet<MessageType>>> = {
  pos: new Set([...sessionRequests, MessageType.PAY, MessageType.PAY_WITH_PIN]),
  gate: new Set([
    ...sessionRequests,
    MessageType.RULE_TABLE_REQUEST,
    MessageType.DOOR_EVENT,
    MessageType.IDENTITY_CHECK,
    MessageType.VISITOR_CHECK,
    MessageType.BUS_RIDE_CHECK,
    MessageType.BUS_RUN_TABLE_REQUEST,
  ]),
  attendance: new Set([
    ...sessionRequests,
    MessageType.ATTENDANCE,
    MessageType.EXAM_ATTENDANCE,
    MessageType.EXAM_PHOTO_ATTENDANCE,
    MessageType.PHOTO_REQUEST,
    MessageType.MEETING_SESSION_REQUEST,
  ]),
  shower: new Set([
    ...sessionRequests,
    MessageType.METER_START,
    MessageType.METER_USAGE,
    MessageType.METER_STOP,
  ]),
  laundry: new Set([
    ...sessionRequests,
    MessageType.METER_START,
    MessageType.METER_USAGE,
    MessageType.METER_STOP,
  ]),
  kiosk: new Set([
    ...sessionRequests,
    MessageType.IDENTITY_CHECK,
    MessageType.KIOSK_IDENTIFY,
    MessageType.KIOSK_BANK_LOAD,
    MessageType.KIOSK_CASH_TOP_UP,
    MessageType.KIOSK_UTILITY_PAY,
    MessageType.KIOSK_IDENTIFY_BY_ID,
    MessageType.KIOSK_REPORT_LOSS,
    MessageType.KIOSK_FEES_REQUEST,
    MessageType.KIOSK_CANCEL_LOSS,
  ]),
};

/** What became of a kiosk load (KIOSK_LOAD_RESULT). */
export const kioskLoadStatuses = {
  credited: 0x01, // on the card now
  refused: 0x02, // nothing credited and nothing taken; the reason says why
  pending: 0x03, // the bank has not answered: credited once it confirms, reversed otherwise; never both
} as const;
export type KioskLoadStatus = keyof typeof kioskLoadStatuses;

/** Which way a recent entry moved money on the card (KIOSK_ACCOUNT). */
export const kioskEntryDirections = {
  out: 0x01, // spent: a payment or a meter charge
  in: 0x02, // a top-up, subsidy or refund
} as const;
export type KioskEntryDirection = keyof typeof kioskEntryDirections;

/** What a kiosk pays for (KIOSK_UTILITY_PAY). */
export const kioskUtilityServices = {
  electricity: 0x01, // dorm electricity for a room
  network: 0x02, // the campus network, the person's own account
} as const;
export type KioskUtilityService = keyof typeof kioskUtilityServices;

/** What became of a kiosk's utility payment (KIOSK_UTILITY_RESULT). */
export const kioskUtilityStatuses = {
  completed: 0x01, // charged and credited to the room or account
  refused: 0x02, // nothing charged; the reason says why
  pending: 0x03, // held on the card while the outside system's answer is awaited: charged once it confirms, released otherwise
} as const;
export type KioskUtilityStatus = keyof typeof kioskUtilityStatuses;

/** What became of a loss report at a kiosk (KIOSK_LOSS_RESULT). */
export const kioskLossStatuses = {
  reported: 0x01, // the card is lost now: every device refuses it
  already_lost: 0x02, // it was reported lost before; nothing changed
  refused: 0x03, // nothing changed; the reason says why
} as const;
export type KioskLossStatus = keyof typeof kioskLossStatuses;

/** What became of the fee payment a KIOSK_FEES_REQUEST named (KIOSK_FEES). */
export const kioskFeePaymentStatuses = {
  none: 0x00, // no bill was named: the list only
  paid: 0x01, // paid from the card; the reference is the receipt number
  refused: 0x02, // nothing charged; the reason says why
} as const;
export type KioskFeePaymentStatus = keyof typeof kioskFeePaymentStatuses;

/** What became of a loss cancellation at a kiosk (KIOSK_CANCEL_LOSS_RESULT). */
export const kioskCancelLossStatuses = {
  cancelled: 0x01, // the card is active again: devices take it at once
  not_lost: 0x02, // the card was not lost (cancelled before, or never reported); nothing changed
  refused: 0x03, // nothing changed; the reason says why
} as const;
export type KioskCancelLossStatus = keyof typeof kioskCancelLossStatuses;

/** The offline records each device kind may store (protocol § 12.1; meters never work offline). */
export const offlineRecordKindsOf: Readonly<Record<DeviceKind, ReadonlySet<OfflineRecordKind>>> = {
  pos: new Set(['payment']),
  gate: new Set(['access', 'bus_ride']),
  attendance: new Set(['attendance']),
  shower: new Set(),
  laundry: new Set(),
  kiosk: new Set(['access']),
};
