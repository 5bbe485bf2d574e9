/**
 * The rows the insight store holds and answers (insight-store.ts): what the extract copies from the
 * ledger (ledger-source.ts), and the figures the detectors read. No names, ID numbers or phones: a
 * card is its number, a person their person number, department and type.
 */

export type Source =
  | 'operations'
  | 'card_events'
  | 'attendance'
  | 'access'
  | 'sessions'
  | 'codes'
  | 'absences';

/**
 * An approved absence (请假, core/src/absences) as the extract copies it: who, when, whether off campus.
 * Not its reason: free text stays in the ledger's database.
 */
export interface AbsenceRow {
  id: string;
  personNo: string;
  cardNo: string;
  kind: string;
  offCampus: boolean;
  fromMs: number;
  toMs: number;
  decidedAtMs: number;
}

/** An operation as the extract copies it (the ledger's operations table, without request/answer texts). */
export interface OperationRow {
  id: string;
  kind: string;
  outcome: string;
  cardNo: string | null;
  merchantId: string | null;
  deviceId: string | null;
  amount: number;
  subsidyAmount: number;
  createdDay: number;
  createdAtMs: number;
}

/**
 * The pay code an accepted payment consumed (the ledger's code_uses, kept there 31 days): for a QR
 * code the phone key that signed it (the first 16 hex of the SHA-256 of the public key, never the key
 * itself), the second and the counter the phone made it at; a numeric code carries none of these.
 */
export interface CodeUseRow {
  operationId: string;
  cardNo: string;
  kind: 'qr' | 'num';
  keyId: string | null;
  madeAtS: number | null;
  counter: number | null;
  usedAtMs: number;
}

export interface CardEventRow {
  id: string;
  cardNo: string;
  kind: string;
  fromStatus: string | null;
  toStatus: string;
  actorType: string;
  createdAtMs: number;
}

export interface AttendanceRow {
  sessionId: string;
  personNo: string;
  cardNo: string;
  deviceId: string;
  source: string;
  recordedAtMs: number;
}

export interface AccessRow {
  id: string;
  deviceId: string;
  cardNo: string | null;
  personNo: string | null;
  direction: string;
  decision: string;
  source: string;
  occurredAtMs: number;
  createdAtMs: number;
}

/** A class, meeting or exam session with its roster (who was expected), for attendance warnings. */
export interface SessionRow {
  id: string;
  kind: string;
  title: string;
  startsAtMs: number;
  endsAtMs: number;
  createdAtMs: number;
  roster: string[];
}

/** One rostered person at one ended class session, and whether they signed in. */
export interface RosterFact {
  sessionId: string;
  title: string;
  startsAtMs: number;
  personNo: string;
  attended: boolean;
}

export interface MerchantRow {
  id: string;
  category: string;
}

/** Where a merchant's terminals stand (the ledger's insight_places): a site and metres on a grid. */
export interface PlaceRow {
  merchantId: string;
  site: string;
  xM: number;
  yM: number;
}

/** A card with the few facts about its holder analysis needs (the cohort: type and department). */
export interface HolderRow {
  cardNo: string;
  personNo: string;
  type: string;
  department: string | null;
  status: string;
  /** The student's grade (年级): the year they enrolled, from the identity sync (sync_people); null when unknown. */
  enrolYear?: number | null;
  /**
   * The card has a PIN, so the payment path's step-up guards it (abnormal-spending.ts: the rules left to
   * the step-up stay on for a card without one). Only whether one is set is copied, never the PIN's hash.
   */
  pinSet?: boolean;
}

export interface Watermark {
  afterMs: number;
  afterId: string;
  behind: boolean;
}

/** Count and amount of one operation kind on one Asia/Shanghai day (day number, time.ts). */
export interface DayKindTotal {
  day: number;
  kind: string;
  count: number;
  amount: number;
}

/** One card's figures for one month, the hidden-need detector's input (hidden-need.ts). */
export interface MonthFigures {
  cardNo: string;
  department: string | null;
  /** The grade (enrolment year), where the identity sync knows it. */
  enrolYear?: number | null;
  month: string;
  campusDays: number;
  meals: number;
  mealSpend: number;
  otherSpend: number;
}

/** One card's meals and days on campus summed over its earlier months with enough days (the trend). */
export interface EarlierMeals {
  meals: number;
  days: number;
}
