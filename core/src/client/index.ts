import { Pool } from 'undici';
import type { AdminAccount, AdminRole, Approval, PendingHold, PersonHit } from '../admin/admin-repository.ts';
import type { AdminChange, NewAdmin } from '../admin/admin-service.ts';
import type { AuditEntry, AuditEntryInput, AuditQuery, AuditVerifyReport } from '../admin/audit-log.ts';
import type { Binding, BindRequest, BindResult, IdentityProof } from '../bindings/binding-service.ts';
import type { HolderCardAction, HolderProof } from '../bindings/holder-actions.ts';
import type { CardEvent, CardView } from '../cards/card-repository.ts';
import type { Actor, CardAction, CardChange } from '../cards/card-service.ts';
import type { Course, Lesson, LessonProgress, NewsItem } from '../content/content-repository.ts';
import type {
  CourseEdit,
  Edited,
  LessonEdit,
  NewCourse,
  NewLesson,
  NewNews,
  NewsEdit,
} from '../content/content-service.ts';
import type { AccessEventInput, AccessEventView } from '../devices/access-events.ts';
import type {
  AttendanceRecordView,
  AttendanceSessionInput,
  SignInInput,
  SignInResult,
} from '../devices/attendance-service.ts';
import type {
  BlacklistChange,
  BlacklistChanges,
  BlacklistEntry,
  BlacklistSnapshot,
} from '../devices/blacklist-service.ts';
import type { DeviceConfig, DevicePrices, DeviceSettings } from '../devices/device-configs.ts';
import type { Device, DeviceStatus, DeviceWithKey, NewDevice } from '../devices/device-service.ts';
import type {
  OfflineException,
  OfflineRecordInput,
  OfflineUploadResult,
} from '../devices/offline-records.ts';
import type { ResolutionInput, ResolvedException } from '../devices/offline-resolutions.ts';
import type {
  DevicePresence,
  DeviceWithPresence,
  PresenceReportInput,
  PresenceSummary,
} from '../devices/presence-service.ts';
import { CoreError, type ErrorCode, isErrorCode } from '../errors.ts';
import type { GuardianLink, LinkPatch } from '../guardians/guardian-service.ts';
import type { ReportName } from '../http/routes/reports.ts';
import { signedHeaders } from '../http/signature.ts';
import type { HiddenNeedCandidate, HiddenNeedThresholds } from '../insight/hidden-need.ts';
import type { OperationView } from '../ledger/ledger-repository.ts';
import type {
  AdjustmentRequest,
  BatchedOperation,
  HoldRequest,
  PaymentRequest,
  RefundRequest,
  SubsidyRequest,
  TopUpRequest,
} from '../ledger/operations.ts';
import type { Answer } from '../ledger/results.ts';
import type { HoldRow } from '../ledger/state.ts';
import type { Merchant, MerchantListItem, NewMerchant } from '../merchants/merchant-service.ts';
import type { Notice } from '../notices/notice-repository.ts';
import type { PayCodeSecret, PayCodeVerdict } from '../paycodes/pay-code-service.ts';
import type { PayoutChannel, RefundEntry } from '../refunds/refund-repository.ts';
import type { AttendanceSessionRow, RosterEntry } from '../reports/attendance-report.ts';
import type { Statement } from '../settlement/settlement-service.ts';
import type { CardTransaction, MeterSession, MonthlyStatement } from '../statements/statement-service.ts';
import type { SubsidyBatch, SubsidyClearing, SubsidyRow } from '../subsidies/subsidy-repository.ts';
import type { BatchSource, Preview as SubsidyPreview } from '../subsidies/subsidy-service.ts';
import type { SyncKind, SyncRun, SyncRunError } from '../sync/sync-repository.ts';
import type {
  BillRow,
  NewTopUpOrder,
  PaymentConfirmation,
  TopUpMismatch,
  TopUpOrder,
  TopUpRefund,
} from '../topups/top-up-service.ts';

export { type CardActivity, cardActivityChannel } from '../activity/card-activity.ts';
export { adminRoles, totpRequiredRoles } from '../admin/admin-repository.ts';
export type { AdminChange } from '../admin/admin-service.ts';
export type { HolderCardAction, HolderProof } from '../bindings/holder-actions.ts';
export { type NewsAnnouncement, newsChannel } from '../content/announcements.ts';
export type { CourseEdit, Edited, LessonEdit, NewsEdit } from '../content/content-service.ts';
export { blacklistChannel } from '../devices/blacklist-service.ts';
export { deviceConfigChannel, deviceSettings, personTypeAllowed } from '../devices/device-configs.ts';
export type { GuardianLink, LinkPatch } from '../guardians/guardian-service.ts';
export type { Accepted, Answer, Balances, Rejected } from '../ledger/results.ts';
export type { PayCodeRefusal, PayCodeSecret, PayCodeVerdict } from '../paycodes/pay-code-service.ts';
export type {
  AccessEventInput,
  AccessEventView,
  Actor,
  AdminAccount,
  AdminRole,
  Approval,
  AttendanceRecordView,
  AttendanceSessionInput,
  AuditEntry,
  AuditEntryInput,
  AuditQuery,
  AuditVerifyReport,
  BatchSource,
  BillRow,
  Binding,
  BindRequest,
  BindResult,
  BlacklistChange,
  BlacklistChanges,
  BlacklistEntry,
  BlacklistSnapshot,
  CardAction,
  CardChange,
  CardEvent,
  CardTransaction,
  CardView,
  Device,
  DeviceConfig,
  DevicePresence,
  DevicePrices,
  DeviceSettings,
  DeviceStatus,
  DeviceWithKey,
  DeviceWithPresence,
  ErrorCode,
  HoldRow,
  IdentityProof,
  Merchant,
  MerchantListItem,
  MeterSession,
  MonthlyStatement,
  NewAdmin,
  NewDevice,
  NewTopUpOrder,
  OfflineException,
  OfflineRecordInput,
  OfflineUploadResult,
  OperationView,
  PaymentConfirmation,
  PayoutChannel,
  PendingHold,
  PersonHit,
  PresenceReportInput,
  PresenceSummary,
  RefundEntry,
  ReportName,
  ResolutionInput,
  ResolvedException,
  SignInInput,
  SignInResult,
  Statement,
  SubsidyBatch,
  SubsidyClearing,
  SubsidyPreview,
  SubsidyRow,
  SyncKind,
  SyncRun,
  SyncRunError,
  TopUpMismatch,
  TopUpOrder,
  TopUpRefund,
};
export { CoreError };

export interface CoreClientOptions {
  url: string;
  keyId: string;
  secret: string;
  /** Connections kept open to the core. */
  connectionsMax?: number;
  requestTimeoutMs?: number;
  /** Operations sent in one batch request at most. */
  operationsPerRequestMax?: number;
  /** The id of the request being served, sent as x-request-id so the core's logs join the caller's. */
  requestId?: () => string | undefined;
}

interface Pending {
  operation: BatchedOperation;
  resolve: (answer: Answer) => void;
  reject: (error: unknown) => void;
}

/**
 * The typed client every other package uses to reach the core. Money operations answer an
 * Answer value — accepted or rejected with a stable code — because a refusal is a normal outcome;
 * other calls throw CoreError. Every request is signed.
 */
export class CoreClient {
  private readonly pool: Pool;
  private pending: Pending[] = [];
  private flushScheduled = false;

  constructor(private readonly options: CoreClientOptions) {
    this.pool = new Pool(options.url, {
      connections: options.connectionsMax ?? 32,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      headersTimeout: options.requestTimeoutMs ?? 10_000,
      bodyTimeout: options.requestTimeoutMs ?? 10_000,
    });
  }

  pay(request: PaymentRequest): Promise<Answer> {
    return this.operation({ kind: 'payment', ...request });
  }
  topUp(request: TopUpRequest): Promise<Answer> {
    return this.operation({ kind: 'top_up', ...request });
  }
  subsidize(request: SubsidyRequest): Promise<Answer> {
    return this.operation({ kind: 'subsidy', ...request });
  }
  refund(request: RefundRequest): Promise<Answer> {
    return this.operation({ kind: 'refund', ...request });
  }
  adjust(request: AdjustmentRequest): Promise<Answer> {
    return this.operation({ kind: 'adjustment', ...request });
  }
  hold(request: HoldRequest): Promise<Answer> {
    return this.operation({ kind: 'hold', ...request });
  }
  /** With `deviceId`, a hold another device opened is refused HOLD_NOT_FOUND, as an unknown one. */
  postHold(holdId: string, request: { id: string; amount: number; deviceId?: string }): Promise<Answer> {
    return this.operation({ kind: 'post', holdId, ...request });
  }
  voidHold(holdId: string, request: { id: string; deviceId?: string }): Promise<Answer> {
    return this.operation({ kind: 'void', holdId, ...request });
  }
  reportUsage(holdId: string, usageAmount: number, deviceId?: string): Promise<HoldRow> {
    return this.call('POST', `/v1/holds/${encodeURIComponent(holdId)}/usage`, {
      usageAmount,
      ...(deviceId === undefined ? {} : { deviceId }),
    });
  }
  getHold(holdId: string, deviceId?: string): Promise<HoldRow> {
    const query = deviceId === undefined ? '' : `?deviceId=${encodeURIComponent(deviceId)}`;
    return this.call('GET', `/v1/holds/${encodeURIComponent(holdId)}${query}`);
  }
  getOperation(id: string): Promise<OperationView> {
    return this.call('GET', `/v1/operations/${encodeURIComponent(id)}`);
  }

  openCard(input: {
    personNo: string;
    name: string;
    type: 'student' | 'staff' | 'parent' | 'visitor' | 'alumnus';
    department?: string | null;
    idNumber?: string;
    phone?: string;
    cardNo?: string;
    dailyLimit?: number;
    actor?: Actor;
  }): Promise<CardView> {
    return this.call('POST', '/v1/cards', input);
  }
  getCard(cardNo: string): Promise<CardView> {
    return this.call('GET', `/v1/cards/${cardNo}`);
  }
  /** The card's status changes, oldest first: who, when, why. */
  cardHistory(cardNo: string): Promise<(CardEvent & { createdAtMs: number })[]> {
    return this.call('GET', `/v1/cards/${cardNo}/history`);
  }
  cardOperations(
    cardNo: string,
    page: { limit?: number; beforeAtMs?: number; beforeId?: string } = {},
  ): Promise<{ items: OperationView[]; next: { beforeAtMs: number; beforeId: string } | null }> {
    const query = new URLSearchParams(
      Object.entries(page)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]): [string, string] => [k, String(v)]),
    );
    return this.call('GET', `/v1/cards/${cardNo}/operations${query.size ? `?${query}` : ''}`);
  }
  changeCard(
    cardNo: string,
    action: CardAction,
    actor: Actor,
    reason: string | null = null,
  ): Promise<CardChange> {
    return this.call('POST', `/v1/cards/${cardNo}/status`, { action, actor, reason });
  }
  /** Cancels the card and refunds its balance (an operation: answers accepted or rejected). */
  closeOut(
    cardNo: string,
    request: {
      id: string;
      reason: string;
      actor: Omit<Actor, 'type'> & { type: 'self' | 'parent' | 'admin' | 'system' };
    },
  ): Promise<Answer> {
    return this.operation({ kind: 'close_out', cardNo, ...request });
  }
  setPin(cardNo: string, pin: string, actor: Actor, currentPin?: string): Promise<void> {
    return this.call('PUT', `/v1/cards/${cardNo}/pin`, { pin, actor, ...(currentPin ? { currentPin } : {}) });
  }
  setDailyLimit(cardNo: string, dailyLimit: number): Promise<void> {
    return this.call('PUT', `/v1/cards/${cardNo}/daily-limit`, { dailyLimit });
  }

  createMerchant(input: NewMerchant): Promise<Merchant> {
    return this.call('POST', '/v1/merchants', input);
  }
  /** Every merchant in id order: id, name, category, fee rate, status. */
  merchants(): Promise<MerchantListItem[]> {
    return this.call('GET', '/v1/merchants');
  }
  setMerchantStatus(id: string, status: 'active' | 'disabled'): Promise<void> {
    return this.call('PUT', `/v1/merchants/${encodeURIComponent(id)}/status`, { status });
  }
  getMerchant(id: string): Promise<Merchant> {
    return this.call('GET', `/v1/merchants/${encodeURIComponent(id)}`);
  }
  statement(merchantId: string, day: string): Promise<Statement> {
    return this.call('GET', `/v1/merchants/${encodeURIComponent(merchantId)}/statements/${day}`);
  }
  settleDay(day: string): Promise<Statement[]> {
    return this.call('POST', `/v1/settlements/${day}`);
  }

  /** Answers the new device's key, the only time it is shown apart from `deviceKey`. */
  registerDevice(input: NewDevice): Promise<DeviceWithKey> {
    return this.call('POST', '/v1/devices', input);
  }
  /**
   * Every device in id order (at most `limit`, 500 by default), without keys, each with its live status
   * from the gateways (`presence`, null if never reported) and the versions it should apply.
   */
  devices(limit?: number): Promise<{ items: DeviceWithPresence[]; blacklistVersion: number }> {
    return this.call('GET', `/v1/devices${query({ limit })}`);
  }
  /** For the device gateway: a batch of devices' latest state (at most 1,000); an older report never wins. */
  reportDevicePresence(report: PresenceReportInput): Promise<{ received: number }> {
    return this.call('POST', '/v1/device-presence', report);
  }
  /** How many devices are online now (heard within the silence timeout), for the dashboard. */
  devicePresenceSummary(): Promise<PresenceSummary> {
    return this.call('GET', '/v1/device-presence/summary');
  }
  getDevice(id: string): Promise<Device> {
    return this.call('GET', `/v1/devices/${encodeURIComponent(id)}`);
  }
  /** For the device gateway: the device, its key and its configuration, to check a sign-in. */
  deviceKey(id: string): Promise<DeviceWithKey & { config: DeviceConfig }> {
    return this.call('GET', `/v1/devices/${encodeURIComponent(id)}/key`);
  }
  rekeyDevice(id: string): Promise<DeviceWithKey> {
    return this.call('POST', `/v1/devices/${encodeURIComponent(id)}/key`);
  }
  deviceConfig(id: string): Promise<DeviceConfig> {
    return this.call('GET', `/v1/devices/${encodeURIComponent(id)}/config`);
  }
  /** Replaces the device's configuration under the next version; connected gateways push it at once. */
  putDeviceConfig(id: string, settings: Partial<DeviceSettings>): Promise<DeviceConfig> {
    return this.call('PUT', `/v1/devices/${encodeURIComponent(id)}/config`, settings);
  }
  /** An approved price change: price items and meter pricing over the rest of the configuration. */
  putDevicePrices(id: string, prices: DevicePrices): Promise<DeviceConfig> {
    return this.call('PUT', `/v1/devices/${encodeURIComponent(id)}/config/prices`, prices);
  }
  setDeviceStatus(id: string, status: DeviceStatus): Promise<Device> {
    return this.call('PUT', `/v1/devices/${encodeURIComponent(id)}/status`, { status });
  }

  /** For the device gateway: the whole blacklist at one version. */
  blacklist(): Promise<BlacklistSnapshot> {
    return this.call('GET', '/v1/blacklist');
  }
  /** For the device gateway: blacklist changes above `since`, oldest first (a page of at most `limit`). */
  blacklistChanges(since: number, limit?: number): Promise<BlacklistChanges> {
    return this.call(
      'GET',
      `/v1/blacklist/changes?since=${since}${limit === undefined ? '' : `&limit=${limit}`}`,
    );
  }

  /** Starts an identity sync run (one at a time: SYNC_RUNNING otherwise); answers it as started. */
  startSyncRun(
    kind: SyncKind = 'incremental',
    actor: { type: 'admin' | 'system'; id: string | null } = { type: 'system', id: null },
  ): Promise<SyncRun> {
    return this.call('POST', '/v1/sync/runs', { kind, actor });
  }
  syncRuns(
    page: { limit?: number; beforeId?: string } = {},
  ): Promise<{ items: SyncRun[]; next: { beforeId: string } | null }> {
    return this.call('GET', `/v1/sync/runs${query(page)}`);
  }
  /** A run with its progress, counts and the rows it could not apply (paged by errorsAfter). */
  syncRun(
    id: string,
    page: { errorsLimit?: number; errorsAfter?: number } = {},
  ): Promise<SyncRun & { errors: SyncRunError[]; errorsNext: { errorsAfter: number } | null }> {
    return this.call('GET', `/v1/sync/runs/${encodeURIComponent(id)}${query(page)}`);
  }
  /** The refund list: close-outs' main balances owed to people, newest first, paged by `next`. */
  refundList(
    page: { status?: 'due' | 'paid'; limit?: number; beforeAtMs?: number; beforeId?: string } = {},
  ): Promise<{ items: RefundEntry[]; next: { beforeAtMs: number; beforeId: string } | null }> {
    return this.call('GET', `/v1/refund-list${query(page)}`);
  }
  refundEntry(operationId: string): Promise<RefundEntry> {
    return this.call('GET', `/v1/refund-list/${encodeURIComponent(operationId)}`);
  }
  /**
   * Pays a refund out (cash or bank): the money leaves SYS-REFUND-PAYABLE once, the entry is marked
   * paid; a retry through the same channel answers changed = false, another REFUND_ALREADY_PAID.
   */
  payOutRefund(
    operationId: string,
    input: { channel: PayoutChannel; actorId: string; note?: string },
  ): Promise<RefundEntry & { changed: boolean }> {
    return this.call('POST', `/v1/refund-list/${encodeURIComponent(operationId)}/payout`, input);
  }

  /** For the device gateway: settles a batch of a device's offline records (checked by the gateway). */
  uploadOfflineRecords(
    deviceId: string,
    records: readonly OfflineRecordInput[],
  ): Promise<OfflineUploadResult> {
    return this.call('POST', `/v1/devices/${encodeURIComponent(deviceId)}/offline-records`, { records });
  }
  /** Offline exceptions newest first; the next page starts before the last item's (createdAtMs, id). */
  offlineExceptions(
    status: 'open' | 'closed' = 'open',
    limit = 50,
    before?: { beforeAtMs: number; beforeId: string },
  ): Promise<{ items: ResolvedException[] }> {
    return this.call('GET', `/v1/offline-exceptions${query({ status, limit, ...before })}`);
  }
  /**
   * Recovers (from the card's main wallet), writes off or dismisses an open exception, once. A retry of
   * the same requestId answers the same exception (replayed: true); INSUFFICIENT_FUNDS changes nothing.
   */
  resolveOfflineException(
    id: string,
    input: ResolutionInput,
  ): Promise<ResolvedException & { replayed: boolean }> {
    return this.call('POST', `/v1/offline-exceptions/${encodeURIComponent(id)}/resolve`, input);
  }
  /** Records an identity check; answers false when this (device, sequence) was already recorded. */
  async recordAccessEvent(event: AccessEventInput): Promise<boolean> {
    return (await this.call<{ recorded: boolean }>('POST', '/v1/access-events', event)).recorded;
  }
  /** A card's access events, newest first. */
  accessEvents(
    cardNo: string,
    page: { limit?: number; beforeAtMs?: number } = {},
  ): Promise<{ items: AccessEventView[] }> {
    return this.call('GET', `/v1/cards/${cardNo}/access-events${pageQuery(page)}`);
  }
  /** Creates or replaces an attendance session with its roster (the identity sync fills these). */
  putAttendanceSession(session: AttendanceSessionInput): Promise<void> {
    return this.call('PUT', '/v1/attendance/sessions', session);
  }
  signInAttendance(input: SignInInput): Promise<SignInResult> {
    return this.call('POST', '/v1/attendance/sign-ins', input);
  }
  /** A card holder's attendance sign-ins, newest first. */
  attendance(
    cardNo: string,
    page: { limit?: number; beforeAtMs?: number } = {},
  ): Promise<{ items: AttendanceRecordView[] }> {
    return this.call('GET', `/v1/cards/${cardNo}/attendance${pageQuery(page)}`);
  }
  /** Attendance sessions over Asia/Shanghai days with expected, present, late, absent and the rate. */
  attendanceSessions(
    q: AttendanceQuery,
  ): Promise<{ from: string; to: string; items: AttendanceSessionRow[] }> {
    return this.call('GET', `/v1/attendance/sessions${query({ ...q })}`);
  }
  /** The rate per day and course (or class), for the attendance chart. */
  attendanceByDay(q: AttendanceQuery & { groupBy: 'course' | 'class' }): Promise<{
    from: string;
    to: string;
    groupBy: 'course' | 'class';
    items: {
      day: string;
      group: string;
      expectedCount: number;
      attendedCount: number;
      ratePercent: number;
    }[];
  }> {
    return this.call('GET', `/v1/attendance/by-day${query({ ...q })}`);
  }
  /** One session and its roster (narrowed to a department or class); NOT_FOUND outside it. */
  attendanceSession(
    id: string,
    q: { department?: string; classCode?: string } = {},
  ): Promise<{ session: AttendanceSessionRow & { endsAtMs: number }; roster: RosterEntry[] }> {
    return this.call('GET', `/v1/attendance/sessions/${encodeURIComponent(id)}${query(q)}`);
  }
  /** The sessions list or a roster as a sheet: CSV (UTF-8 with a BOM) or .xlsx. */
  attendanceSheet(
    target: { sessions: AttendanceQuery } | { sessionId: string; department?: string; classCode?: string },
    format: 'csv' | 'xlsx',
  ): Promise<Buffer> {
    if ('sessions' in target)
      return this.download(`/v1/attendance/sessions${query({ ...target.sessions, format })}`);
    const { sessionId, ...people } = target;
    return this.download(
      `/v1/attendance/sessions/${encodeURIComponent(sessionId)}${query({ ...people, format })}`,
    );
  }

  /** Binds a WeChat account to a person who proves who they are; IDENTITY_MISMATCH otherwise. */
  bind(request: BindRequest): Promise<BindResult> {
    return this.call('POST', '/v1/bindings', request);
  }
  /** The bound holder's own card action; cancelling a loss checks the PIN and, where needed, an identity proof. */
  holderCardAction(openid: string, action: HolderCardAction, proof: HolderProof = {}): Promise<CardChange> {
    return this.call('POST', `/v1/bindings/${encodeURIComponent(openid)}/card-actions`, { action, ...proof });
  }
  /** The bound holder sets the card's daily limit; raising it checks the PIN. */
  holderDailyLimit(openid: string, dailyLimit: number, proof: HolderProof = {}): Promise<void> {
    return this.call('PUT', `/v1/bindings/${encodeURIComponent(openid)}/daily-limit`, {
      dailyLimit,
      ...proof,
    });
  }
  /**
   * The bound holder sets the card PIN: with the current PIN to change it, with the identity proof
   * for the first PIN or a forgotten one (reset: a PIN was replaced without the current one).
   */
  holderSetPin(
    openid: string,
    pin: string,
    proof: HolderProof & { currentPin?: string } = {},
  ): Promise<{ reset: boolean }> {
    return this.call('PUT', `/v1/bindings/${encodeURIComponent(openid)}/pin`, { pin, ...proof });
  }
  /** A new one-time activation code for the card (replacing any earlier one), shown in this answer only. */
  issueActivationCode(
    cardNo: string,
    issuedBy: string | null,
  ): Promise<{ code: string; expiresAtMs: number }> {
    return this.call('POST', `/v1/cards/${cardNo}/activation-code`, { issuedBy });
  }
  binding(openid: string): Promise<Binding> {
    return this.call('GET', `/v1/bindings/${encodeURIComponent(openid)}`);
  }
  unbind(openid: string): Promise<{ unbound: boolean; cardNo: string | null }> {
    return this.call('DELETE', `/v1/bindings/${encodeURIComponent(openid)}`);
  }
  /** A card's accepted operations as its holder reads them, newest first, filtered and paged. */
  cardTransactions(
    cardNo: string,
    query: {
      month?: string;
      kinds?: readonly string[];
      limit?: number;
      beforeAtMs?: number;
      beforeId?: string;
    } = {},
  ): Promise<{ items: CardTransaction[]; next: { beforeAtMs: number; beforeId: string } | null }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      params.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    return this.call('GET', `/v1/cards/${cardNo}/transactions${params.size ? `?${params}` : ''}`);
  }
  /** The card's holds as showers and laundry runs, newest first; `next` is the cursor. */
  meterSessions(
    cardNo: string,
    page: { limit?: number; beforeAtMs?: number; beforeId?: string } = {},
  ): Promise<{ items: MeterSession[]; next: { beforeAtMs: number; beforeId: string } | null }> {
    return this.call('GET', `/v1/cards/${cardNo}/meter-sessions${query(page)}`);
  }
  /** The card's numeric pay code id and secret for its current version, made on first demand (for its phone). */
  payCodeSecret(cardNo: string): Promise<PayCodeSecret> {
    return this.call('PUT', `/v1/cards/${encodeURIComponent(cardNo)}/pay-code`);
  }
  /** The online check of a scanned numeric pay code: the card, or the refusal as a value. */
  verifyPayCode(code: string): Promise<PayCodeVerdict> {
    return this.call('POST', '/v1/pay-codes/verify', { code });
  }
  cardTransaction(cardNo: string, id: string): Promise<CardTransaction> {
    return this.call('GET', `/v1/cards/${cardNo}/transactions/${encodeURIComponent(id)}`);
  }
  /** Links a parent's WeChat account to a child (the caller has checked the child's consent). */
  linkGuardian(input: {
    parentOpenid: string;
    personNo: string;
  }): Promise<GuardianLink & { created: boolean }> {
    return this.call('POST', '/v1/guardian-links', input);
  }
  /** The links of a parent account, or of a child, oldest first. */
  guardianLinks(of: { parentOpenid: string } | { personNo: string }): Promise<{ items: GuardianLink[] }> {
    return this.call('GET', `/v1/guardian-links${query(of)}`);
  }
  /** Changes what a parent sees (the child's choice) or the parent's low-balance alert. */
  updateGuardianLink(id: string, patch: LinkPatch): Promise<GuardianLink> {
    return this.call('PATCH', `/v1/guardian-links/${encodeURIComponent(id)}`, patch);
  }
  unlinkGuardian(id: string): Promise<{ removed: boolean }> {
    return this.call('DELETE', `/v1/guardian-links/${encodeURIComponent(id)}`);
  }
  /** The card's statement for a 'YYYY-MM' month in Asia/Shanghai, with last month's spending. */
  monthlyStatement(cardNo: string, month: string): Promise<MonthlyStatement> {
    return this.call('GET', `/v1/cards/${cardNo}/statements/${month}`);
  }

  /** A top-up order for a card (or the one this openid already made with this key); TOP_UP_DAILY_CAP past the cap. */
  createTopUpOrder(input: NewTopUpOrder): Promise<TopUpOrder> {
    return this.call('POST', '/v1/top-up-orders', input);
  }
  topUpOrder(id: string): Promise<TopUpOrder> {
    return this.call('GET', `/v1/top-up-orders/${encodeURIComponent(id)}`);
  }
  topUpOrders(
    cardNo: string,
    page: { limit?: number; beforeId?: string } = {},
  ): Promise<{ items: TopUpOrder[]; next: string | null }> {
    const params = new URLSearchParams({ cardNo });
    if (page.limit !== undefined) params.set('limit', String(page.limit));
    if (page.beforeId !== undefined) params.set('beforeId', page.beforeId);
    return this.call('GET', `/v1/top-up-orders?${params}`);
  }
  /** Orders still created or paid, created more than olderThanMs ago, oldest first: the poller's work. */
  unsettledTopUpOrders(olderThanMs: number, limit = 100, afterId?: string): Promise<{ items: TopUpOrder[] }> {
    const after = afterId ? `&afterId=${afterId}` : '';
    return this.call('GET', `/v1/top-up-orders-unsettled?olderThanMs=${olderThanMs}&limit=${limit}${after}`);
  }
  setTopUpPrepayId(id: string, prepayId: string): Promise<TopUpOrder> {
    return this.call('PUT', `/v1/top-up-orders/${encodeURIComponent(id)}/prepay`, { prepayId });
  }
  /** WeChat says paid: credits the card once per transaction id, however often it is called. */
  confirmTopUpPayment(id: string, payment: PaymentConfirmation): Promise<TopUpOrder> {
    return this.call('POST', `/v1/top-up-orders/${encodeURIComponent(id)}/payment`, payment);
  }
  closeTopUpOrder(id: string): Promise<TopUpOrder> {
    return this.call('POST', `/v1/top-up-orders/${encodeURIComponent(id)}/close`, {});
  }
  startTopUpRefund(
    id: string,
    input: { refundId: string; amount: number; reason: string },
  ): Promise<TopUpRefund> {
    return this.call('POST', `/v1/top-up-orders/${encodeURIComponent(id)}/refunds`, input);
  }
  topUpRefunds(id: string): Promise<{ items: TopUpRefund[] }> {
    return this.call('GET', `/v1/top-up-orders/${encodeURIComponent(id)}/refunds`);
  }
  /** Refunds still processing, created more than olderThanMs ago, oldest first: the poller's other work. */
  processingTopUpRefunds(olderThanMs: number, limit = 100): Promise<{ items: TopUpRefund[] }> {
    return this.call('GET', `/v1/top-up-refunds-processing?olderThanMs=${olderThanMs}&limit=${limit}`);
  }
  settleTopUpRefund(
    refundId: string,
    outcome: { status: 'succeeded' | 'failed'; wechatRefundId: string | null },
  ): Promise<TopUpRefund> {
    return this.call('POST', `/v1/top-up-refunds/${encodeURIComponent(refundId)}/settle`, outcome);
  }
  /** Records one finding outside a reconciliation (a notification that can never apply), once per day, order and kind. */
  noteTopUpMismatch(mismatch: Omit<TopUpMismatch, 'foundAtMs'>): Promise<TopUpMismatch> {
    return this.call('POST', '/v1/top-up-mismatches', mismatch);
  }
  /** Compares a day's bill of one channel (WeChat's when absent) with our orders and stores the differences once. */
  reconcileTopUps(
    billDate: string,
    rows: readonly BillRow[],
    channel?: 'wechat' | 'alipay',
  ): Promise<{ mismatches: TopUpMismatch[] }> {
    return this.call(
      'POST',
      `/v1/top-up-reconciliations/${billDate}`,
      channel ? { rows, channel } : { rows },
    );
  }
  topUpMismatches(query: { billDate?: string; limit?: number } = {}): Promise<{ items: TopUpMismatch[] }> {
    const params = new URLSearchParams();
    if (query.billDate !== undefined) params.set('billDate', query.billDate);
    if (query.limit !== undefined) params.set('limit', String(query.limit));
    return this.call('GET', `/v1/top-up-mismatches${params.size ? `?${params}` : ''}`);
  }

  publishNews(input: NewNews): Promise<NewsItem> {
    return this.call('POST', '/v1/news', input);
  }
  withdrawNews(id: string): Promise<void> {
    return this.call('POST', `/v1/news/${encodeURIComponent(id)}/withdraw`);
  }
  /** Edits a published item (withdrawn: NEWS_WITHDRAWN; a time that has come: NEWS_ALREADY_PUBLISHED). */
  editNews(id: string, edit: NewsEdit): Promise<Edited<NewsItem>> {
    return this.call('PATCH', `/v1/news/${encodeURIComponent(id)}`, edit);
  }
  editCourse(id: string, edit: CourseEdit): Promise<Edited<Course>> {
    return this.call('PATCH', `/v1/courses/${encodeURIComponent(id)}`, edit);
  }
  editLesson(id: string, edit: LessonEdit): Promise<Edited<Lesson>> {
    return this.call('PATCH', `/v1/lessons/${encodeURIComponent(id)}`, edit);
  }
  /** Removes a lesson; answers it as it was. */
  removeLesson(id: string): Promise<Lesson> {
    return this.call('DELETE', `/v1/lessons/${encodeURIComponent(id)}`);
  }
  /** Announces due scheduled news now; answers the ids this call announced. */
  announceDueNews(): Promise<{ announced: string[] }> {
    return this.call('POST', '/v1/news/announcements');
  }
  /** A person's type, department and class, to filter news announcements by audience. */
  audienceProfile(
    personNo: string,
  ): Promise<{ personType: string; department: string | null; classCode: string | null }> {
    return this.call('GET', `/v1/audience-profiles/${encodeURIComponent(personNo)}`);
  }
  /** The person's news feed, newest first; `next` is the cursor. */
  newsFor(
    personNo: string,
    page: { limit?: number; beforeAtMs?: number; beforeId?: string } = {},
  ): Promise<{ items: NewsSummary[]; next: { beforeAtMs: number; beforeId: string } | null }> {
    return this.call('GET', `/v1/news${query({ personNo, ...page })}`);
  }
  /** One news item the person may see; reading it marks it read. */
  readNews(personNo: string, id: string): Promise<NewsItem & { readAtMs: number | null }> {
    return this.call('GET', `/v1/news/${encodeURIComponent(id)}${query({ personNo })}`);
  }
  /** Every news item, scheduled and withdrawn included, newest first (the backoffice). */
  allNews(): Promise<{ items: NewsItem[] }> {
    return this.call('GET', '/v1/news/all');
  }
  /** Every course with its lessons, newest first (the backoffice). */
  allCourses(): Promise<{ items: (Course & { lessons: Lesson[] })[] }> {
    return this.call('GET', '/v1/courses/all');
  }
  createCourse(input: NewCourse): Promise<Course> {
    return this.call('POST', '/v1/courses', input);
  }
  addLesson(courseId: string, input: NewLesson): Promise<Lesson> {
    return this.call('POST', `/v1/courses/${encodeURIComponent(courseId)}/lessons`, input);
  }
  coursesFor(personNo: string): Promise<{ items: Course[] }> {
    return this.call('GET', `/v1/courses${query({ personNo })}`);
  }
  courseFor(personNo: string, courseId: string): Promise<CourseWithLessons> {
    return this.call('GET', `/v1/courses/${encodeURIComponent(courseId)}${query({ personNo })}`);
  }
  lessonFor(personNo: string, lessonId: string): Promise<Lesson> {
    return this.call('GET', `/v1/lessons/${encodeURIComponent(lessonId)}${query({ personNo })}`);
  }
  /** A person's kept notices (monthly statements, alerts), newest first. */
  personNotices(personId: string, limit = 30): Promise<{ items: Notice[] }> {
    return this.call('GET', `/v1/persons/${encodeURIComponent(personId)}/notices${query({ limit })}`);
  }
  /** Sends a month's statement notices now (they also go out on the first of each month). */
  sendMonthlyStatements(month: string): Promise<{ sent: number }> {
    return this.call('POST', '/v1/notices/monthly-statements', { month });
  }
  /** Any lesson, unscoped: for a caller that has checked the person's right itself (a signed link). */
  lesson(lessonId: string): Promise<Lesson> {
    return this.call('GET', `/v1/lessons/${encodeURIComponent(lessonId)}`);
  }
  saveLessonProgress(
    lessonId: string,
    progress: { personNo: string; positionSeconds: number; completed?: boolean },
  ): Promise<void> {
    return this.call('PUT', `/v1/lessons/${encodeURIComponent(lessonId)}/progress`, progress);
  }

  // Backoffice (the BFF's admin API): accounts, login checks, the audit chain, approvals, lookups.
  createAdmin(
    input: Omit<NewAdmin, 'totp' | 'department'> & { totp?: boolean; department?: string | null },
  ): Promise<AdminAccount & { totpSecret?: string; totpUri?: string }> {
    return this.call('POST', '/v1/admin/accounts', input);
  }
  admins(): Promise<{ items: AdminAccount[] }> {
    return this.call('GET', '/v1/admin/accounts');
  }
  admin(id: string): Promise<AdminAccount> {
    return this.call('GET', `/v1/admin/accounts/${encodeURIComponent(id)}`);
  }
  unlockAdmin(id: string): Promise<AdminAccount> {
    return this.call('POST', `/v1/admin/accounts/${encodeURIComponent(id)}/unlock`, {});
  }
  /** Disable or enable, move role or department, set a password, or turn the second factor off. */
  changeAdmin(id: string, change: AdminChange): Promise<AdminAccount> {
    return this.call('POST', `/v1/admin/accounts/${encodeURIComponent(id)}/changes`, change);
  }
  /** A new second factor for an account without one, answered once; live after confirmAdminTotp. */
  enrolAdminTotp(id: string): Promise<{ totpSecret: string; totpUri: string }> {
    return this.call('POST', `/v1/admin/accounts/${encodeURIComponent(id)}/totp-enrolment`, {});
  }
  confirmAdminTotp(id: string, code: string): Promise<AdminAccount> {
    return this.call('POST', `/v1/admin/accounts/${encodeURIComponent(id)}/totp-confirmation`, { code });
  }
  /** The password step: the account, or ADMIN_LOGIN_FAILED / ADMIN_LOCKED_OUT. */
  checkAdminPassword(username: string, password: string): Promise<AdminAccount> {
    return this.call('POST', '/v1/admin/login', { username, password });
  }
  checkAdminTotp(id: string, code: string): Promise<AdminAccount> {
    return this.call('POST', `/v1/admin/accounts/${encodeURIComponent(id)}/totp-check`, { code });
  }
  appendAudit(entry: AuditEntryInput): Promise<AuditEntry> {
    return this.call('POST', '/v1/admin/audit', entry);
  }
  searchAudit(
    q: Partial<AuditQuery> = {},
  ): Promise<{ items: AuditEntry[]; next: { beforeSeq: number } | null }> {
    return this.call('GET', `/v1/admin/audit${query(q)}`);
  }
  verifyAudit(): Promise<AuditVerifyReport> {
    return this.call('GET', '/v1/admin/audit/verify');
  }
  /** Proposes an action for a second admin's approval; the same key proposes once. */
  proposeApproval(
    input: Omit<Approval, 'id' | 'status' | 'checkerId' | 'createdAtMs' | 'decidedAtMs' | 'failure'> & {
      key?: string;
    },
  ): Promise<Approval> {
    return this.call('POST', '/v1/admin/approvals', input);
  }
  approvals(q: { status?: Approval['status']; limit?: number } = {}): Promise<{ items: Approval[] }> {
    return this.call('GET', `/v1/admin/approvals${query(q)}`);
  }
  approval(id: string): Promise<Approval> {
    return this.call('GET', `/v1/admin/approvals/${encodeURIComponent(id)}`);
  }
  decideApproval(
    id: string,
    checkerId: string,
    decision: 'approved' | 'rejected',
  ): Promise<Approval & { changed: boolean }> {
    return this.call('POST', `/v1/admin/approvals/${encodeURIComponent(id)}/decision`, {
      checkerId,
      decision,
    });
  }
  /** How an approving approval's action went: null when carried out, else the refusal's code. */
  settleApproval(id: string, checkerId: string, failure: string | null): Promise<Approval> {
    return this.call('POST', `/v1/admin/approvals/${encodeURIComponent(id)}/outcome`, { checkerId, failure });
  }

  searchPeople(q: { q: string; department?: string; limit?: number }): Promise<{ items: PersonHit[] }> {
    return this.call('GET', `/v1/admin/people${query(q)}`);
  }
  pendingHolds(cardNo: string): Promise<{ items: PendingHold[] }> {
    return this.call('GET', `/v1/admin/cards/${cardNo}/holds`);
  }
  walletAccounts(cardNo: string): Promise<{ main: string; subsidy: string }> {
    return this.call('GET', `/v1/admin/cards/${cardNo}/accounts`);
  }

  // Funds (the BFF's admin API): subsidy batches with maker–checker, term-end clearing, reports.
  /** Validates a batch's rows (per-row errors) without storing anything or moving money. */
  previewSubsidyBatch(source: BatchSource): Promise<SubsidyPreview> {
    return this.call('POST', '/v1/subsidy-batches/preview', { source });
  }
  createSubsidyBatch(input: {
    title: string;
    createdBy: string;
    source: BatchSource;
  }): Promise<SubsidyBatch & { rows: SubsidyRow[] }> {
    return this.call('POST', '/v1/subsidy-batches', input);
  }
  subsidyBatches(
    q: { status?: SubsidyBatch['status']; limit?: number; beforeId?: string } = {},
  ): Promise<{ items: SubsidyBatch[]; next: { beforeId: string } | null }> {
    return this.call('GET', `/v1/subsidy-batches${query(q)}`);
  }
  /** The batch with its progress, and a page of its rows (only those with errors when asked). */
  subsidyBatch(
    id: string,
    q: { errorsOnly?: boolean; afterRowNo?: number; limit?: number } = {},
  ): Promise<SubsidyBatch & { rows: SubsidyRow[]; nextRowNo: number | null }> {
    const { errorsOnly, ...rest } = q;
    return this.call(
      'GET',
      `/v1/subsidy-batches/${encodeURIComponent(id)}${query({ ...rest, errorsOnly: errorsOnly === undefined ? undefined : String(errorsOnly) })}`,
    );
  }
  approveSubsidyBatch(id: string, actorId: string): Promise<SubsidyBatch> {
    return this.call('POST', `/v1/subsidy-batches/${encodeURIComponent(id)}/approve`, { actorId });
  }
  rejectSubsidyBatch(id: string, actorId: string, reason: string): Promise<SubsidyBatch> {
    return this.call('POST', `/v1/subsidy-batches/${encodeURIComponent(id)}/reject`, { actorId, reason });
  }
  /** Starts (or resumes) posting; answers at once — follow the progress with subsidyBatch. */
  postSubsidyBatch(id: string, actorId: string): Promise<SubsidyBatch> {
    return this.call('POST', `/v1/subsidy-batches/${encodeURIComponent(id)}/post`, { actorId });
  }
  startSubsidyClearing(actorId: string, reason: string): Promise<SubsidyClearing> {
    return this.call('POST', '/v1/subsidy-clearings', { actorId, reason });
  }
  /** The cards with subsidy left and their total (fen): what a clearing started now would take. */
  subsidyClearingPreview(): Promise<{ cardCount: number; totalAmount: number }> {
    return this.call('GET', '/v1/subsidy-clearings/preview');
  }
  subsidyClearing(id: string): Promise<SubsidyClearing> {
    return this.call('GET', `/v1/subsidy-clearings/${encodeURIComponent(id)}`);
  }
  subsidyClearings(limit?: number): Promise<{ items: SubsidyClearing[] }> {
    return this.call('GET', `/v1/subsidy-clearings${query({ limit })}`);
  }
  /**
   * Campus insight: one month's hidden-need candidates, most pressing first, with the thresholds
   * used and where the extract stands (docs/analytics.md). NOT_FOUND where insight is off.
   */
  insightHiddenNeed(request: { month: string; limit?: number } & Partial<HiddenNeedThresholds>): Promise<{
    month: string;
    thresholds: HiddenNeedThresholds;
    total: number;
    items: HiddenNeedCandidate[];
    sources: { source: string; afterMs: number; rowsTotal: number; runAtMs: number }[];
  }> {
    return this.call('GET', `/v1/insight/hidden-need${query(request)}`);
  }
  /** A report as JSON over Asia/Shanghai days from..to (YYYY-MM-DD, inclusive). */
  report<T = Record<string, unknown>>(
    name: ReportName,
    range: { from: string; to: string },
  ): Promise<{ from: string; to: string; items: T[] }> {
    return this.call('GET', `/v1/reports/${name}${query(range)}`);
  }
  /** Payments and top-ups per minute over the last `minutes` (60 by default, ≤180), oldest first. */
  reportPerMinute(minutes?: number): Promise<{
    items: {
      minuteMs: number;
      paymentCount: number;
      paymentAmount: number;
      topUpCount: number;
      topUpAmount: number;
    }[];
  }> {
    return this.call('GET', `/v1/reports/per-minute${query({ minutes })}`);
  }
  /** The same report as a CSV sheet (UTF-8 with a BOM, CRLF), as text. */
  async reportCsv(name: ReportName, range: { from: string; to: string }): Promise<string> {
    // Decoded by Buffer, not TextDecoder, which would drop the BOM that Excel needs.
    return (await this.download(`/v1/reports/${name}${query({ ...range, format: 'csv' })}`)).toString('utf8');
  }
  /** The same report as an .xlsx workbook (one sheet, amounts as numbers). */
  reportXlsx(name: ReportName, range: { from: string; to: string }): Promise<Buffer> {
    return this.download(`/v1/reports/${name}${query({ ...range, format: 'xlsx' })}`);
  }

  /** A signed GET whose answer is a file, as the bytes served; errors are still JSON. */
  private async download(path: string): Promise<Buffer> {
    const response = await this.pool.request({
      method: 'GET',
      path,
      headers: signedHeaders(this.options, 'GET', path, ''),
    });
    const bytes = Buffer.from(await response.body.arrayBuffer());
    if (response.statusCode >= 400) {
      const text = bytes.toString('utf8');
      throw toError(response.statusCode, text ? JSON.parse(text) : undefined);
    }
    return bytes;
  }

  close(): Promise<void> {
    return this.pool.close();
  }

  /**
   * Money operations made in the same tick travel together in one batch request, the way
   * TigerBeetle's clients batch: a busy gateway sends one request for many terminals' payments,
   * a quiet one sends each at once. A failed request rejects every operation in it; retrying
   * them is safe because each carries its own id.
   */
  private operation(operation: BatchedOperation): Promise<Answer> {
    return new Promise<Answer>((resolve, reject) => {
      this.pending.push({ operation, resolve, reject });
      if (this.pending.length >= (this.options.operationsPerRequestMax ?? 256)) this.flush();
      else if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.send('POST', '/v1/operations/batch', { operations: batch.map((p) => p.operation) }).then(
      ({ status, json }) => {
        const answers = (json as { answers?: Answer[] } | undefined)?.answers;
        if (status !== 200 || !answers || answers.length !== batch.length) {
          const error = toError(status, json);
          for (const p of batch) p.reject(error);
          return;
        }
        for (const [i, p] of batch.entries()) p.resolve(answers[i] as Answer);
      },
      (error: unknown) => {
        for (const p of batch) p.reject(error);
      },
    );
  }

  private async call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const { status, json } = await this.send(method, path, body);
    if (status >= 400) throw toError(status, json);
    return json as T;
  }

  private async send(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: unknown }> {
    const payload = body === undefined ? '' : JSON.stringify(body);
    const requestId = this.options.requestId?.();
    // Every request is signed afresh (new nonce, current time): the core accepts a signature once.
    const response = await this.pool.request({
      method: method as 'GET',
      path,
      body: payload || null,
      headers: {
        'content-type': 'application/json',
        ...signedHeaders(this.options, method, path, payload),
        ...(requestId ? { 'x-request-id': requestId } : {}),
      },
    });
    const text = await response.body.text();
    return { status: response.statusCode, json: text ? JSON.parse(text) : undefined };
  }
}

function pageQuery(page: { limit?: number; beforeAtMs?: number }): string {
  const query = new URLSearchParams();
  if (page.limit !== undefined) query.set('limit', String(page.limit));
  if (page.beforeAtMs !== undefined) query.set('beforeAtMs', String(page.beforeAtMs));
  return query.size ? `?${query}` : '';
}

function toError(status: number, json: unknown): CoreError {
  const body = json as { code?: string; message?: string; details?: Record<string, unknown> } | undefined;
  const code: ErrorCode = body?.code && isErrorCode(body.code) ? body.code : 'INTERNAL_ERROR';
  return new CoreError(code, body?.message ?? `core answered ${status}`, body?.details);
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams(
    Object.entries(params)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]): [string, string] => [k, String(v)]),
  );
  return q.size ? `?${q}` : '';
}

/** The attendance pages' filters: days are YYYY-MM-DD in Asia/Shanghai. */
export interface AttendanceQuery {
  from: string;
  to: string;
  kind?: 'class' | 'meeting' | 'exam';
  courseCode?: string;
  department?: string;
  classCode?: string;
}

export type NewsSummary = Omit<NewsItem, 'body'> & { excerpt: string; readAtMs: number | null };
export type CourseWithLessons = Course & { lessons: (Lesson & { progress: LessonProgress | null })[] };
export type {
  AttendanceSessionRow,
  Course,
  Lesson,
  LessonProgress,
  NewCourse,
  NewLesson,
  NewNews,
  NewsItem,
  Notice,
  RosterEntry,
};
