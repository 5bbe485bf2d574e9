/**
 * The typed client every other package uses to reach the core: one small client per domain
 * (cards.ts, ledger.ts, devices.ts, …) over one shared transport (transport.ts: the connection pool,
 * signing with nonces, the one-tick batching of money operations, request ids, error mapping),
 * composed here into CoreClient. Money operations answer an Answer value — accepted or rejected with a
 * stable code — because a refusal is a normal outcome; other calls throw CoreError.
 *
 * CoreClient keeps the flat surface its callers use (`core.getCard(…)`, `core.pay(…)`): each domain
 * client's methods are delegated to it, and `core.domains.<domain>` is the domain client itself.
 *
 * A new domain adds its client in two steps:
 *   1. `core/src/client/<domain>.ts`: `export class <Domain>Client extends DomainClient { … }`, each
 *      method one `this.transport.call(method, path, body)` (or `.operation(…)` for a money
 *      operation, `.download(path)` for a file), typed with the domain's contract
 *      (`core/src/contract/<domain>.ts`), and the domain's types re-exported below;
 *   2. one line in `domainClients` below: `<domain>: <Domain>Client,`.
 * A method name is declared once across all domain clients (CoreClient refuses to start otherwise).
 */
import type {
  AdminAccount,
  AdminRole,
  Approval,
  NewAdmin,
  PendingHold,
  PersonHit,
} from '../contract/admin.ts';
import type {
  AttendanceRecordView,
  AttendanceSessionInput,
  AttendanceSessionRow,
  AttendanceRosterEntry as RosterEntry,
  SignInInput,
  SignInResult,
} from '../contract/attendance.ts';
import type { AuditEntry, AuditEntryInput, AuditQuery, AuditVerifyReport } from '../contract/audit.ts';
import type { Binding, BindRequest, BindResult, IdentityProof } from '../contract/bindings.ts';
import type { Actor, CardAction, CardChange, CardEvent, CardView } from '../contract/cards.ts';
import type {
  Course,
  Lesson,
  LessonProgress,
  NewCourse,
  NewLesson,
  NewNews,
  NewsItem,
} from '../contract/content.ts';
import type { DeviceConfig, DevicePrices, DeviceSettings } from '../contract/device-config.ts';
import type {
  AccessEventInput,
  AccessEventView,
  OfflineRecordInput,
  OfflineUploadResult,
} from '../contract/device-records.ts';
import type {
  BlacklistChange,
  BlacklistChanges,
  BlacklistEntry,
  BlacklistSnapshot,
  Device,
  DevicePresence,
  DeviceStatus,
  DeviceWithKey,
  DeviceWithPresence,
  NewDevice,
  OfflineException,
  PresenceReportInput,
  PresenceSummary,
  OfflineResolutionInput as ResolutionInput,
  ResolvedException,
} from '../contract/devices.ts';
import type { Merchant, MerchantListItem, MerchantStatement as Statement } from '../contract/merchants.ts';
import type { Notice } from '../contract/notices.ts';
import type { PayoutChannel, RefundEntry } from '../contract/refunds.ts';
import type { CardTransaction, MeterSession, MonthlyStatement } from '../contract/statements.ts';
import type {
  SubsidySource as BatchSource,
  SubsidyBatch,
  SubsidyClearing,
  SubsidyPreview,
  SubsidyRow,
} from '../contract/subsidies.ts';
import type { SyncKind, SyncRun, SyncRunError } from '../contract/sync.ts';
import type {
  BillRow,
  NewTopUpOrder,
  PaymentConfirmation,
  RefundBillRow,
  TopUpMismatch,
  TopUpOrder,
  TopUpRefund,
} from '../contract/top-ups.ts';
import { CoreError, type ErrorCode } from '../errors.ts';
import { AbsencesClient } from './absences.ts';
import { AdminClient } from './admin.ts';
import { AttendanceClient } from './attendance.ts';
import { AuditClient } from './audit.ts';
import { BankClient } from './bank.ts';
import { BindingsClient } from './bindings.ts';
import { BusClient } from './bus.ts';
import { CampusesClient } from './campuses.ts';
import { CardsClient } from './cards.ts';
import { ContentClient } from './content.ts';
import { DevicesClient } from './devices.ts';
import { DisputesClient } from './disputes.ts';
import { FederationClient } from './federation.ts';
import { FeesClient } from './fees.ts';
import { GuardiansClient } from './guardians.ts';
import { KeysClient } from './keys.ts';
import { KiosksClient } from './kiosks.ts';
import { LedgerClient } from './ledger.ts';
import { MeetingsClient } from './meetings.ts';
import { MerchantsClient } from './merchants.ts';
import { MessagesClient } from './messages.ts';
import { NoticesClient } from './notices.ts';
import { PassageClient } from './passage.ts';
import { PayCodesClient } from './pay-codes.ts';
import { PhotosClient } from './photos.ts';
import { RefundsClient } from './refunds.ts';
import { ReportsClient } from './reports.ts';
import { StatementsClient } from './statements.ts';
import { SubsidiesClient } from './subsidies.ts';
import { SyncClient } from './sync.ts';
import { TopUpsClient } from './top-ups.ts';
import { type CoreClientOptions, type DomainClient, Transport } from './transport.ts';
import { UtilitiesClient } from './utilities.ts';
import { VisitorsClient } from './visitors.ts';
import { WindowCapacitiesClient } from './window-capacities.ts';

export type { CardActivity } from '../activity/card-activity.ts';
export type { NewsAnnouncement } from '../content/announcements.ts';
export type { AdminChange } from '../contract/admin.ts';
export { adminRoles, totpRequiredRoles } from '../contract/admin.ts';
export type { HolderCardAction, HolderProof } from '../contract/bindings.ts';
export type {
  CourseEdit,
  CourseWithLessons,
  Edited,
  LessonEdit,
  NewsEdit,
  NewsSummary,
} from '../contract/content.ts';
export { deviceSettings } from '../contract/device-config.ts';
export type { GuardianLink, LinkPatch } from '../contract/guardians.ts';
export type {
  Accepted,
  Answer,
  Balances,
  HoldView,
  HoldView as HoldRow,
  Rejected,
} from '../contract/ledger.ts';
export type { PayCodeRefusal, PayCodeSecret, PayCodeVerdict } from '../contract/pay-codes.ts';
export type { ReportName } from '../contract/reports.ts';
export { personTypeAllowed } from '../devices/device-configs.ts';
export type { DoorCommandOrder, OnlineDecision } from '../passage/passage-service.ts';
export type { CardRow, RuleTable, TableRule, TypeRule } from '../passage/rule-table.ts';
export type { TableAnswer, TableHeader } from '../passage/rule-tables.ts';
export type { AttendanceQuery } from './attendance.ts';
export type { PlaceDecision } from './passage.ts';
export {
  type CallScope,
  type CoreClientOptions,
  CoreDeadlineExceeded,
  DomainClient,
  Transport,
  withCall,
} from './transport.ts';
export type {
  AccessEventInput,
  AccessEventView,
  Actor,
  AdminAccount,
  AdminRole,
  Approval,
  AttendanceRecordView,
  AttendanceSessionInput,
  AttendanceSessionRow,
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
  Course,
  Device,
  DeviceConfig,
  DevicePresence,
  DevicePrices,
  DeviceSettings,
  DeviceStatus,
  DeviceWithKey,
  DeviceWithPresence,
  ErrorCode,
  IdentityProof,
  Lesson,
  LessonProgress,
  Merchant,
  MerchantListItem,
  MeterSession,
  MonthlyStatement,
  NewAdmin,
  NewCourse,
  NewDevice,
  NewLesson,
  NewNews,
  NewsItem,
  NewTopUpOrder,
  Notice,
  OfflineException,
  OfflineRecordInput,
  OfflineUploadResult,
  PaymentConfirmation,
  PayoutChannel,
  PendingHold,
  PersonHit,
  PresenceReportInput,
  PresenceSummary,
  RefundBillRow,
  RefundEntry,
  ResolutionInput,
  ResolvedException,
  RosterEntry,
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
export {
  AdminClient,
  AttendanceClient,
  AuditClient,
  BindingsClient,
  CardsClient,
  ContentClient,
  CoreError,
  DevicesClient,
  GuardiansClient,
  LedgerClient,
  MerchantsClient,
  NoticesClient,
  PayCodesClient,
  RefundsClient,
  ReportsClient,
  StatementsClient,
  SubsidiesClient,
  SyncClient,
  TopUpsClient,
};

/** Every domain's client, by the name `core.domains.<name>` answers it under. */
const domainClients = {
  ledger: LedgerClient,
  cards: CardsClient,
  bindings: BindingsClient,
  guardians: GuardiansClient,
  statements: StatementsClient,
  payCodes: PayCodesClient,
  topUps: TopUpsClient,
  merchants: MerchantsClient,
  devices: DevicesClient,
  attendance: AttendanceClient,
  sync: SyncClient,
  refunds: RefundsClient,
  subsidies: SubsidiesClient,
  content: ContentClient,
  notices: NoticesClient,
  messages: MessagesClient,
  admin: AdminClient,
  audit: AuditClient,
  reports: ReportsClient,
  utilities: UtilitiesClient,
  fees: FeesClient,
  passage: PassageClient,
  bank: BankClient,
  kiosks: KiosksClient,
  visitors: VisitorsClient,
  meetings: MeetingsClient,
  photos: PhotosClient,
  bus: BusClient,
  disputes: DisputesClient,
  absences: AbsencesClient,
  windowCapacities: WindowCapacitiesClient,
  campuses: CampusesClient,
  federation: FederationClient,
  keys: KeysClient,
} satisfies Record<string, new (transport: Transport) => DomainClient>;

type DomainClients = { readonly [K in keyof typeof domainClients]: InstanceType<(typeof domainClients)[K]> };
type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void
  ? I
  : never;
/** Every domain client's methods, flat. */
type DomainMethods = UnionToIntersection<DomainClients[keyof DomainClients]>;

class ComposedClient {
  /** Each domain's client, e.g. `core.domains.cards.getCard(cardNo)`. */
  readonly domains: DomainClients;
  private readonly wire: Transport;

  constructor(options: CoreClientOptions) {
    this.wire = new Transport(options);
    const built: Record<string, DomainClient> = {};
    for (const [name, Client] of Object.entries(domainClients)) {
      const client = new Client(this.wire);
      built[name] = client;
      delegate(this, client);
    }
    this.domains = built as DomainClients;
  }

  close(): Promise<void> {
    return this.wire.close();
  }
}

/** Binds each of the domain client's methods onto the composed client; a name taken twice is a bug. */
function delegate(target: object, client: DomainClient): void {
  const methods = client as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of Object.getOwnPropertyNames(Object.getPrototypeOf(client))) {
    if (name === 'constructor') continue;
    if (name in target) throw new Error(`CoreClient: ${name} is declared twice`);
    Object.defineProperty(target, name, {
      value: methods[name]?.bind(client),
      writable: true,
      configurable: true,
    });
  }
}

/** The core's client: every domain's methods, flat, over one transport; `domains` holds each domain client. */
export type CoreClient = ComposedClient & DomainMethods;
export const CoreClient = ComposedClient as new (options: CoreClientOptions) => CoreClient;
