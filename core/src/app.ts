import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import type Koa from 'koa';
import { CardActivityFeed } from './activity/card-activity.ts';
import { AdminRepository } from './admin/admin-repository.ts';
import { AdminService } from './admin/admin-service.ts';
import { AuditLog } from './admin/audit-log.ts';
import type { BankService } from './bank/bank-service.ts';
import { ActivationCodes } from './bindings/activation-codes.ts';
import { BindingRepository } from './bindings/binding-repository.ts';
import { BindingService } from './bindings/binding-service.ts';
import { BusRepository } from './bus/bus-repository.ts';
import { BusRideRepository } from './bus/bus-ride-repository.ts';
import { BusRides } from './bus/bus-rides.ts';
import { BusService, busOptionsDefault } from './bus/bus-service.ts';
import { CardRepository } from './cards/card-repository.ts';
import { CardService, cardExpiryIntervalMs } from './cards/card-service.ts';
import type { CoreConfig } from './config.ts';
import { AudienceRepository } from './content/audience-repository.ts';
import { ContentRepository } from './content/content-repository.ts';
import { ContentService } from './content/content-service.ts';
import { ImportantNews } from './content/important-news.ts';
import { createMemoryReplayGuard } from './credential/index.ts';
import { type Database, openDatabase } from './db/database.ts';
import { migrate } from './db/migrate.ts';
import { defineModels } from './db/models.ts';
import { AccessEvents } from './devices/access-events.ts';
import { AttendanceRepository } from './devices/attendance-repository.ts';
import { AttendanceService } from './devices/attendance-service.ts';
import { BlacklistService } from './devices/blacklist-service.ts';
import { DeviceConfigs } from './devices/device-configs.ts';
import { DeviceRepository } from './devices/device-repository.ts';
import { DeviceService } from './devices/device-service.ts';
import { OfflineRecords } from './devices/offline-records.ts';
import { AsksRepository } from './federation/asks-repository.ts';
import { FederationBlacklists } from './federation/federation-blacklist.ts';
import { FederationForwards } from './federation/federation-forwards.ts';
import { FederationLinks } from './federation/federation-links.ts';
import { FederationPayments } from './federation/federation-payments.ts';
import { FederationRepository } from './federation/federation-repository.ts';
import { FederationSettlement } from './federation/federation-settlement.ts';
import { ForwardsRepository } from './federation/forwards-repository.ts';
import { LinkChecks } from './federation/link-checks.ts';
import { LostAnswers } from './federation/lost-answers.ts';
import { FederationSettlementRepository } from './federation/settlement-repository.ts';
import { TrustList } from './federation/trust-list.ts';
import type { FeeItems } from './fees/fee-items.ts';
import type { FeeService } from './fees/fee-service.ts';
import { GuardianContactRepository, guardianPhoneDigester } from './guardians/guardian-contacts.ts';
import { GuardianRepository } from './guardians/guardian-repository.ts';
import { GuardianService } from './guardians/guardian-service.ts';
import { InsightSlot } from './insight/start.ts';
import { redisJobLock } from './jobs/scheduler.ts';
import { Batcher } from './ledger/batcher.ts';
import { LedgerExecutor } from './ledger/executor.ts';
import { LedgerRepository } from './ledger/ledger-repository.ts';
import { LedgerService } from './ledger/ledger-service.ts';
import { createLogger, type Logger } from './log.ts';
import { MeetingRepository } from './meetings/meeting-repository.ts';
import { MeetingService } from './meetings/meeting-service.ts';
import { MerchantRepository } from './merchants/merchant-repository.ts';
import { MerchantService } from './merchants/merchant-service.ts';
import { GuardianMessages } from './messages/guardian-messages.ts';
import { MessageEvents } from './messages/message-events.ts';
import { MessageRepository } from './messages/message-repository.ts';
import { MessageService } from './messages/message-service.ts';
import { TheftAlerts } from './messages/theft-alerts.ts';
import type { Registry } from './metrics.ts';
import { MonthlyStatementNotices } from './notices/monthly-statements.ts';
import { NoticeRepository } from './notices/notice-repository.ts';
import { PassageRepository } from './passage/passage-repository.ts';
import { PassageService } from './passage/passage-service.ts';
import { PeopleRepository } from './passage/people-repository.ts';
import {
  createMemoryGuessLimit,
  guessLimitDefaults,
  redisGuessLimit,
  redisReplayGuard,
} from './paycodes/guess-limit.ts';
import { PayCodeRepository } from './paycodes/pay-code-repository.ts';
import { PayCodeService } from './paycodes/pay-code-service.ts';
import { createPhotoKeys } from './photos/photo-keys.ts';
import { PhotoRepository } from './photos/photo-repository.ts';
import { PhotoService } from './photos/photo-service.ts';
import { PhotoSource } from './photos/photo-source.ts';
import { createPii } from './pii.ts';
import { createRedis, redisNames } from './redis.ts';
import { oneWritePerTurn } from './redis-writes.ts';
import { ReportRepository } from './reports/report-repository.ts';
import { ReportService } from './reports/report-service.ts';
import { SettlementRepository } from './settlement/settlement-repository.ts';
import { SettlementService } from './settlement/settlement-service.ts';
import { Shutdown } from './shutdown.ts';
import { StatementRepository } from './statements/statement-repository.ts';
import { StatementService } from './statements/statement-service.ts';
import { SubsidyRepository } from './subsidies/subsidy-repository.ts';
import { defaultSubsidyOptions, SubsidyService } from './subsidies/subsidy-service.ts';
import { SourceDatabases } from './sync/source-databases.ts';
import { SourceReader } from './sync/source-reader.ts';
import { SyncRepository } from './sync/sync-repository.ts';
import { defaultSyncOptions, SyncService } from './sync/sync-service.ts';
import type { UtilityPurchases } from './utilities/utility-service.ts';
import { createFunds } from './wiring/funds.ts';
import { createCoreHttp } from './wiring/http-app.ts';
import { startMessageDelivery } from './wiring/messages.ts';

/** How often scheduled news is checked for having come due (and announced). */
const newsAnnounceIntervalMs = 2_000;
/** How often seats still booked after their run left are turned into no-shows. */
const busNoShowIntervalMs = 300_000;
/** How often readers of sessions whose sign-in opened or closed are told their session (protocol § 7.27). */
const meetingSessionPushIntervalMs = 30_000;
/** How long a stopping core waits for its requests in flight to be answered: the core client's own wait. */
const shutdownAnswerMs = 10_000;

export interface Core {
  db: Database;
  log: Logger;
  cards: CardService;
  ledger: LedgerService;
  merchants: MerchantService;
  devices: DeviceService;
  deviceConfigs: DeviceConfigs;
  blacklist: BlacklistService;
  access: AccessEvents;
  attendance: AttendanceService;
  offline: OfflineRecords;
  settlement: SettlementService;
  sync: SyncService;
  /** Person photos for exam readers, copied from the source photo tables (protocol § 7.28). */
  photos: PhotoService;
  /** The academic-affairs and HR databases' pools, shared by the sync and the photos; closed after both. */
  sourceDatabases: SourceDatabases | undefined;
  bindings: BindingService;
  statements: StatementService;
  guardians: GuardianService;
  /** Backoffice accounts and approvals, and the one writer of the audit chain. */
  admins: AdminService;
  audit: AuditLog;
  /** Numeric pay codes: each card's secret for its phone, and the gateway's online check. */
  payCodes: PayCodeService;
  content: ContentService;
  monthlyStatements: MonthlyStatementNotices;
  /** Messages outside the app (docs/messages.md): `messages.send(personNo, event)` queues them. */
  messages: MessageService;
  /** Subsidy batches (maker–checker, resumable posting) and term-end clearing. */
  subsidies: SubsidyService;
  reports: ReportService;
  /** Campus passage: places, rules, door decisions and rule tables (docs/passage.md). */
  passage: PassageService;
  /** The school bus: routes, runs, bookings, no-shows (docs/visitors-meetings-bus.md). */
  bus: BusService;
  /** Meetings and exams; readers are told the session they serve (docs/visitors-meetings-bus.md). */
  meetings: MeetingService;
  /** The bus readers' ride checks and offline rides. */
  busRides: BusRides;
  /** Bank 圈存, auto top-up and refunds paid to bound bank cards (docs/funds.md § Bank). */
  bank: BankService;
  /** Dorm electricity and the network fee, paid from the card to outside systems (docs/funds.md). */
  utilities: UtilityPurchases;
  /** Fees (缴费): bills, card payments, refunds (docs/funds.md). */
  fees: FeeService;
  /** Fee items: made by hand, from a sheet or the finance system; progress, reminders, export. */
  feeItems: FeeItems;
  /** Campus insight (docs/analytics.md): filled at start where INSIGHT_DB_PATH is set. */
  insight: InsightSlot;
  /** Federation between card centres (docs/federation.md): the trust list and foreign cards' payments. */
  federation: {
    trust: TrustList;
    payments: FederationPayments;
    settlement: FederationSettlement;
    links: FederationLinks;
    blacklists: FederationBlacklists;
    forwards: FederationForwards;
    linkChecks: LinkChecks;
    lostAnswers: LostAnswers;
  };
  batcher: Batcher;
  /** Draining before a stop: readiness down, then the requests in flight answered (core/src/shutdown.ts). */
  shutdown: Shutdown;
  /** Prometheus registry served at GET /metrics. */
  metrics: Registry;
  /** Committed card activity, for live views (the BFF's push). */
  activity: CardActivityFeed;
  app: Koa;
}

/** Builds the core's object graph from a validated configuration. */
export function createCore(
  config: CoreConfig,
  log: Logger = createLogger('core', config.logLevel),
  redis?: Redis,
  options: CoreOptions = {},
): Core {
  const db = openDatabase(config.databaseUrl, {
    poolMax: (config.executorsMax ?? 3) + 8,
    clockOffsetMs: options.clockOffsetMs,
  });
  const executorsMax = config.executorsMax ?? (db.dialect === 'sqlite' ? 1 : 3);
  const executor = new LedgerExecutor(db, {
    paymentAmountMax: config.paymentAmountMax,
    topUpAmountMax: config.topUpAmountMax,
    payIntervalMsMin: config.payIntervalMsMin,
    holdTimeoutMsMax: config.holdTimeoutMsMax,
    stepUp: {
      highPaymentsMin: config.pinStepUpPaymentsMin,
      newPlacePaymentsMin: config.pinStepUpNewPlacesMin,
      burstPaymentsMin: config.pinStepUpBurstMin,
      amountMinFen: config.pinStepUpAmountMin,
      windowMs: config.pinStepUpWindowMs,
    },
  });
  const batcher = new Batcher((ops) => executor.run(ops), {
    batchSizeMax: config.batchSizeMax,
    executorsMax,
    queueDepthMax: config.queueDepthMax,
  });
  const models = defineModels(db.sequelize);
  const pii = createPii(config.piiSealKeyHex, config.piiKeysPreviousHex);
  const cards = new CardService(new CardRepository(db, models), pii, config);
  const activity = new CardActivityFeed();
  const ledger = new LedgerService(batcher, new LedgerRepository(db), cards, log, activity);
  const merchants = new MerchantService(new MerchantRepository(db, models));
  const settlement = new SettlementService(new SettlementRepository(db), merchants);
  const devices = new DeviceService(new DeviceRepository(db), pii);
  const deviceConfigs = new DeviceConfigs(db, {
    paymentMaxFen: config.paymentAmountMax,
    repeatIntervalSeconds: Math.ceil(config.payIntervalMsMin / 1000),
  });
  const blacklist = new BlacklistService(db);
  const access = new AccessEvents(db);
  const attendance = new AttendanceService(new AttendanceRepository(db), cards, new MeetingRepository(db));
  const bindings = new BindingService(
    new BindingRepository(db),
    cards,
    pii,
    config.piiKeyHex,
    new ActivationCodes(db, config.piiKeyHex),
  );
  const statements = new StatementService(new StatementRepository(db), cards);
  const guardianRepo = new GuardianRepository(db);
  const guardians = new GuardianService(guardianRepo);
  const admins = new AdminService(new AdminRepository(db, models), pii, {
    loginFailuresMax: config.adminLoginFailuresMax,
    lockoutMs: config.adminLockoutMs,
    loginDelayMs: config.adminLoginDelayMs,
  });
  const audit = new AuditLog(db);
  // With Redis, every core instance shares the numeric codes' replay claims and guess counts.
  const payCodes = new PayCodeService(new PayCodeRepository(db), cards, pii, {
    replayGuard:
      redis === undefined
        ? createMemoryReplayGuard()
        : redisReplayGuard(redis, redisNames(config.redisPrefix).keys.codeReplay),
    guessLimit:
      redis === undefined
        ? createMemoryGuessLimit(guessLimitDefaults)
        : redisGuessLimit(redis, guessLimitDefaults, redisNames(config.redisPrefix).keys.payCodeGuesses),
  });
  const content = new ContentService(new ContentRepository(db, models), Date.now, new AudienceRepository(db));
  const notices = new NoticeRepository(db);
  const monthlyStatements = new MonthlyStatementNotices(db, notices, activity, log);
  const bus = new BusService(new BusRepository(db), cards, notices, activity, {
    ...busOptionsDefault,
    noShowsMax: config.busNoShowsMax,
    noShowWindowMs: config.busNoShowWindowDays * 86_400_000,
    noShowBarMs: config.busNoShowBarDays * 86_400_000,
  });
  const busRides = new BusRides(new BusRepository(db), new BusRideRepository(db), cards, ledger, {
    freePersonTypes: config.busFreePersonTypes,
    offlineRidesPerCardMax: config.busOfflineRidesPerCardMax,
  });
  const messageRepo = new MessageRepository(db);
  const guardianContacts = new GuardianContactRepository(db);
  const messages = new MessageService(messageRepo, new BindingRepository(db), {
    smsPhoneOf: async (personId) => {
      const sealed = await messageRepo.phoneEncOf(personId);
      return sealed === undefined ? undefined : pii.decrypt(sealed);
    },
    guardianLink: (id) => guardianRepo.byId(id),
    guardianOnRecord: async (childPersonId) => {
      const contact = await guardianContacts.ofPerson(childPersonId);
      return contact && { phone: pii.decrypt(contact.phoneEnc), phoneDigest: contact.phoneDigest };
    },
    phoneDigest: guardianPhoneDigester(config.piiKeyHex),
  });
  const meetings = new MeetingService(new MeetingRepository(db), attendance, notices, messages);
  // Card activity becomes messages outside the app only where a channel delivers them.
  // Parents are told of their children's cards, and important news reaches its audience, the same way.
  const guardianMessages = new GuardianMessages(messages, cards, guardianRepo, messageRepo, log);
  if (config.messagesChannels.length > 0) {
    new MessageEvents(messages, cards, messageRepo, log).follow(activity);
    guardianMessages.follow(activity);
    content.queueImportantWith(
      new ImportantNews(new ContentRepository(db, models), new AudienceRepository(db), messages),
    );
  }
  const subsidies = new SubsidyService(new SubsidyRepository(db), ledger, log, {
    ...defaultSubsidyOptions,
    approvalThreshold: config.subsidyApprovalThreshold,
  });
  const reports = new ReportService(new ReportRepository(db));
  const passage = new PassageService(new PassageRepository(db), new PeopleRepository(db));
  const insight = new InsightSlot();
  // Abnormal-spending alerts reach the student outside the app (SMS when bound in no app) and the parents
  // the child shows spending to (docs/messages.md § The student's theft alert, § Parents).
  if (config.messagesChannels.length > 0) {
    const theftAlerts = new TheftAlerts(messages);
    insight.onAbnormal = async (notices) => {
      await theftAlerts.abnormal(notices);
      await guardianMessages.abnormal(notices);
    };
  }
  const { refunds, topUps, utilities, fees, feeItems, bank } = createFunds(db, config, log, {
    cards,
    ledger,
    merchants,
    notices,
  });
  // Identity sync is on only when a source database is configured (never in the embedded default).
  const sourceDatabases =
    config.academicDatabaseUrl || config.hrDatabaseUrl
      ? new SourceDatabases({ academic: config.academicDatabaseUrl, hr: config.hrDatabaseUrl })
      : undefined;
  const sync = new SyncService(
    new SyncRepository(db),
    sourceDatabases && new SourceReader(sourceDatabases),
    ledger,
    pii,
    log,
    {
      ...defaultSyncOptions,
      overlapMs: config.syncOverlapMs,
      dailyLimit: config.dailyLimitDefault,
      pinFreeLimit: config.pinFreeLimitDefault,
      piiKeyHex: config.piiKeyHex,
    },
  );
  const photos = new PhotoService(
    new PhotoRepository(db),
    sourceDatabases && new PhotoSource(sourceDatabases),
    createPhotoKeys(config.photoKeyHex, config.photoKeysPreviousHex),
    cards,
    log,
  );
  // The blacklist follows every committed card change; a failure here is caught up at the next start.
  cards.onChange((change) => {
    if (change.changed)
      activity.emit({
        type: 'card',
        cardNo: change.cardNo,
        status: change.status,
        version: change.version,
        atMs: Date.now(),
      });
    blacklist.followLater(change.cardNo, log);
  });

  const trust = new TrustList(
    new FederationRepository(db),
    merchants,
    ledger,
    pii,
    audit,
    config.centreId,
    config.federationLinkTlsRequired,
  );
  const links = new FederationLinks({
    ownCentreId: config.centreId,
    timeoutMs: config.federationTimeoutMs,
    tlsRequired: config.federationLinkTlsRequired,
    ...(config.federationLinkCa === undefined ? {} : { ca: config.federationLinkCa }),
  });
  const forwards = new FederationForwards(trust, new ForwardsRepository(db), ledger, links, log, {
    centreId: config.centreId,
    policy: {
      paymentMaxFen: config.federationOfflinePaymentMaxFen,
      cardCapFen: config.federationOfflineCardCapFen,
    },
  });
  // Offline records: another centre's card is forwarded to its centre under its offline policy.
  const offline = new OfflineRecords(db, ledger, access, attendance, cards, busRides, forwards);
  const asks = new AsksRepository(db);
  const lostAnswers = new LostAnswers(trust, asks, ledger, links, forwards, log);
  const federation = {
    trust,
    links,
    forwards,
    lostAnswers,
    linkChecks: new LinkChecks(trust, links, config.centreId),
    payments: new FederationPayments(trust, ledger, merchants, links, forwards, lostAnswers, log),
    settlement: new FederationSettlement(
      trust,
      new FederationSettlementRepository(db),
      asks,
      ledger,
      links,
      audit,
      config.centreId,
    ),
    blacklists: new FederationBlacklists(blacklist, trust, links, log),
  };

  const services = {
    shutdown: new Shutdown(),
    db,
    log,
    cards,
    ledger,
    merchants,
    devices,
    deviceConfigs,
    blacklist,
    access,
    attendance,
    offline,
    settlement,
    sync,
    photos,
    sourceDatabases,
    bindings,
    statements,
    guardians,
    admins,
    audit,
    payCodes,
    content,
    monthlyStatements,
    messages,
    subsidies,
    reports,
    passage,
    bus,
    meetings,
    busRides,
    bank,
    utilities,
    fees,
    feeItems,
    insight,
    federation,
    batcher,
    activity,
  };
  const { app, metrics } = createCoreHttp(config, { ...services, refunds, topUps, notices, pii }, redis);
  return { ...services, metrics, app };
}

export interface RunningCore extends Core {
  server: Server;
  url: string;
  /** Readiness down while still serving, for drainMs: the balancer takes the instance out (SIGTERM). */
  drain(drainMs: number): Promise<void>;
  close(): Promise<void>;
}

/** What tests may change that no deployment does. */
export interface CoreOptions {
  /** ms the database clock reads ahead, to agree with a test's shifted clock (tests/clock.ts). */
  clockOffsetMs?: () => number;
}

/** Migrates, starts the hold sweeper and listens. */
export async function startCore(
  config: CoreConfig,
  log?: Logger,
  options: CoreOptions = {},
): Promise<RunningCore> {
  // One connection publishes the announcements below and holds the numeric codes' replay and guess counts.
  const publisher = config.redisUrl === undefined ? undefined : createRedis(config.redisUrl);
  // A batch's answers publish a card-activity message a payment, and a turn's requests claim their nonces:
  // they leave in one socket write a turn (redis-writes.ts).
  if (publisher !== undefined) oneWritePerTurn(publisher);
  const core = createCore(config, log, publisher, options);
  await migrate(core.db);
  await core.blacklist.reconcile();
  // Every channel and key in the deployment's namespace (REDIS_PREFIX), which its gateways and BFFs share.
  const { channels, keys } = redisNames(config.redisPrefix);
  // Jobs that must run once across the core instances of one database take a lock in Redis, named
  // by that database, when Redis is configured.
  const jobLock =
    publisher && redisJobLock(publisher, `${keys.coreJobLock}${databaseName(config.databaseUrl)}:`);
  core.blacklist.startExpiry(3_600_000, core.log);
  // Temporary and visitor cards are frozen once their expiry has passed.
  core.cards.startExpiry(cardExpiryIntervalMs, core.log, jobLock ?? undefined);
  // Gateway instances subscribe to this channel; the message is the new blacklist version.
  publisher?.on('error', (error) => core.log.warn({ err: error }, 'redis error'));
  core.blacklist.onPublished((version) => {
    publisher?.publish(channels.blacklist, String(version)).catch(() => {});
  });
  core.activity.on((activity) => {
    publisher?.publish(channels.cardActivity, JSON.stringify(activity)).catch(() => {});
  });
  core.deviceConfigs.onChanged((deviceId) => {
    publisher?.publish(channels.deviceConfig, deviceId).catch(() => {});
  });
  // A disable or re-key goes out on the same channel: each gateway re-reads the device and ends its session.
  core.devices.onChanged((deviceId) => {
    publisher?.publish(channels.deviceConfig, deviceId).catch(() => {});
  });
  // Gateways push the door devices a rule-table delta for each new passage version, and relay door commands.
  core.passage.onChanged((version) => {
    publisher?.publish(channels.passage, String(version)).catch(() => {});
  });
  // New cards and the sync's moves reach the door tables as a new people version.
  core.passage.startFollowingPeople(config.passagePeopleFollowMs, core.log, jobLock);
  core.passage.onCommand((order) => {
    publisher?.publish(channels.doorCommands, JSON.stringify(order)).catch(() => {});
  });
  // News becoming visible: one message per item, whatever its audience; each BFF filters per socket.
  core.content.onAnnouncement((announcement) => {
    publisher?.publish(channels.news, JSON.stringify(announcement)).catch(() => {});
  });
  // Scheduled news is announced when its time comes; each item claimed once across core instances.
  core.content.startAnnouncements(newsAnnounceIntervalMs, core.log, jobLock);
  core.ledger.startSweeper(config.holdSweepIntervalMs, jobLock);
  // Last month's statements go out on the first day of the month; checked every 10 minutes.
  core.monthlyStatements.startSchedule(10 * 60_000, jobLock);
  core.sync.startSchedule(config.syncIntervalMs, config.syncFullIntervalMs, jobLock);
  core.photos.startSchedule(config.syncIntervalMs, jobLock);
  // Bank transfers a stopped process left unsettled are resolved from the bank's record.
  core.bank.startJobs(config.bankJobIntervalMs, jobLock);
  // A subsidy posting or clearing a stopped process left running goes on where it stopped.
  await core.subsidies.resume();
  // Electricity and network orders whose answer was lost are asked about by order id (also at start).
  await core.utilities.ensureMerchants();
  core.utilities.start(config.utilityReconcileIntervalMs, 10 * 60_000, jobLock);
  core.fees.start(jobLock);
  // Seats still booked after their run left become no-shows, and repeat no-shows bar booking.
  core.bus.startNoShowJob(busNoShowIntervalMs, core.log, jobLock);
  // Yesterday's inter-centre settlement with every trusted centre, hourly until its net is recorded.
  core.federation.settlement.startDaily(core.log, jobLock ?? undefined);
  // Other centres' offline policies read, and the payments taken under them forwarded, with backoff.
  core.federation.forwards.start(config.federationForwardIntervalMs, core.log, jobLock ?? undefined);
  // Foreign payments whose answer was lost and never retried, asked again of the card's centre and booked.
  core.federation.lostAnswers.start(config.federationForwardIntervalMs, core.log, jobLock ?? undefined);
  // Gateways tell these readers the meeting or exam session they serve now (protocol § 7.27).
  core.meetings.onReadersChanged((deviceIds) => {
    publisher?.publish(channels.meetingSessions, JSON.stringify(deviceIds)).catch(() => {});
  });
  core.meetings.startSessionPush(meetingSessionPushIntervalMs, core.log, jobLock);
  // Each student's attendance of last week, as a message, on Monday morning (once per person and week).
  core.meetings.startWeekSummaries(core.log, jobLock);
  // Messages outside the app leave the outbox on the channels MESSAGES_CHANNELS switches on.
  const messageDelivery = startMessageDelivery(
    config,
    new MessageRepository(core.db),
    core.messages,
    core.log,
    jobLock,
  );
  // The campus-insight extract, only where INSIGHT_DB_PATH names its DuckDB file (docs/analytics.md).
  await core.insight.start(config, core.db, core.log);
  const server = core.app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => server.once('listening', resolve).once('error', reject));
  server.keepAliveTimeout = 65_000;
  core.shutdown.track(server);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  return {
    ...core,
    server,
    url: `http://${config.host}:${port}`,
    drain: (drainMs) => core.shutdown.drain(drainMs),
    async close() {
      // The jobs stop first, and a run in flight finishes before the database closes under it.
      const jobsStopped = Promise.all([
        core.ledger.stopSweeper(),
        core.monthlyStatements.stop(),
        core.content.stopAnnouncements(),
        core.blacklist.stopExpiry(),
        core.cards.stopExpiry(),
        core.insight.stop(),
        core.bank.stopJobs(),
        core.utilities.stop(),
        core.fees.stop(),
        core.bus.stopJobs(),
        core.federation.settlement.stopDaily(),
        core.federation.forwards.stop(),
        core.federation.lostAnswers.stop(),
        core.meetings.stopJobs(),
        core.passage.stopFollowingPeople(),
        messageDelivery?.stop(),
      ]);
      // No new connection; the requests in flight are answered (the callers wait 10 s at most) before the rest is cut.
      await core.shutdown.close(server, shutdownAnswerMs);
      await jobsStopped;
      // The blacklist's follow-ups of card changes finish before the database closes under them.
      await core.blacklist.idle();
      await core.sync.close();
      await core.photos.close();
      await core.sourceDatabases?.close();
      await core.subsidies.close();
      await core.federation.links.close();
      await core.batcher.drain();
      await core.db.close();
      await publisher?.quit();
    },
  };
}

/** The database's name (a MariaDB schema or a SQLite path): what the core instances sharing jobs share. */
function databaseName(databaseUrl: string): string {
  return databaseUrl.startsWith('mysql:') ? new URL(databaseUrl).pathname.slice(1) : databaseUrl;
}
