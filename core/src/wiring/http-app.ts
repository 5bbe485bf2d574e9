// The core's HTTP surface: open probes and metrics, then the signed service API with one router
// per domain (docs/architecture.md). Services are built by createCore; the few that only a route
// uses are built here.

import type { Redis } from 'ioredis';
import Koa from 'koa';
import Router from 'koa-router';
import { AbsenceRepository } from '../absences/absence-repository.ts';
import { AbsenceService } from '../absences/absence-service.ts';
import type { Core } from '../app.ts';
import { HolderActions } from '../bindings/holder-actions.ts';
import { CampusRepository } from '../campuses/campus-repository.ts';
import { campusRoutes } from '../campuses/campus-routes.ts';
import { CampusService } from '../campuses/campus-service.ts';
import type { CoreConfig } from '../config.ts';
import { OfflineResolutions } from '../devices/offline-resolutions.ts';
import { PresenceRepository } from '../devices/presence-repository.ts';
import { PresenceService } from '../devices/presence-service.ts';
import { DisputeRepository } from '../disputes/dispute-repository.ts';
import { DisputeService } from '../disputes/dispute-service.ts';
import { CoreError } from '../errors.ts';
import { federationLink, federationRoutes } from '../federation/federation-routes.ts';
import { linkSecretRoutes } from '../federation/link-secret-routes.ts';
import { coreReadinessChecks, healthProbeRoutes } from '../health.ts';
import { errorHandler, rawBody, serviceAuth, serviceAuthBeforeBody } from '../http/middleware.ts';
import { memoryNonces, redisNonces } from '../http/nonces.ts';
import { absenceRoutes } from '../http/routes/absences.ts';
import { adminRoutes } from '../http/routes/admin.ts';
import { attendanceReportRoutes } from '../http/routes/attendance-report.ts';
import { bankRoutes } from '../http/routes/bank.ts';
import { bindingRoutes } from '../http/routes/bindings.ts';
import { blacklistRoutes } from '../http/routes/blacklist.ts';
import { busRoutes } from '../http/routes/bus.ts';
import { cardRoutes } from '../http/routes/cards.ts';
import { contentRoutes } from '../http/routes/content.ts';
import { deviceRecordRoutes } from '../http/routes/device-records.ts';
import { deviceRoutes } from '../http/routes/devices.ts';
import { disputeRoutes } from '../http/routes/disputes.ts';
import { feeRoutes } from '../http/routes/fees.ts';
import { guardianRoutes } from '../http/routes/guardians.ts';
import { kioskRoutes } from '../http/routes/kiosks.ts';
import { meetingRoutes } from '../http/routes/meetings.ts';
import { merchantRoutes } from '../http/routes/merchants.ts';
import { messageRoutes } from '../http/routes/messages.ts';
import { noticeRoutes } from '../http/routes/notices.ts';
import { operationRoutes } from '../http/routes/operations.ts';
import { payCodeRoutes } from '../http/routes/pay-codes.ts';
import { refundRoutes } from '../http/routes/refunds.ts';
import { reportRoutes } from '../http/routes/reports.ts';
import { statementRoutes } from '../http/routes/statements.ts';
import { subsidyImportBodies, subsidyRoutes } from '../http/routes/subsidies.ts';
import { syncRoutes } from '../http/routes/sync.ts';
import { topUpRoutes } from '../http/routes/top-ups.ts';
import { utilityRoutes } from '../http/routes/utilities.ts';
import { visitorRoutes } from '../http/routes/visitors.ts';
import { windowCapacityRoutes } from '../http/routes/window-capacities.ts';
import { insightRoutes } from '../insight/insight-routes.ts';
import { WindowCapacityRepository, WindowCapacityService } from '../insight/window-capacities.ts';
import { KeyResealRepository } from '../keys/key-reseal-repository.ts';
import { keyResealRoutes } from '../keys/key-reseal-routes.ts';
import { KeyResealService } from '../keys/key-reseal-service.ts';
import { KioskCashRepository } from '../kiosks/kiosk-cash-repository.ts';
import { KioskCashService } from '../kiosks/kiosk-cash-service.ts';
import { KioskIdentityRepository } from '../kiosks/kiosk-identity-repository.ts';
import { KioskIdentityService } from '../kiosks/kiosk-identity-service.ts';
import { KioskLoss } from '../kiosks/kiosk-loss.ts';
import type { Batcher } from '../ledger/batcher.ts';
import {
  createMetricsRegistry,
  Gauge,
  Histogram,
  httpMetrics,
  metricsEndpoint,
  type Registry,
} from '../metrics.ts';
import type { NoticeRepository } from '../notices/notice-repository.ts';
import { AccessLog } from '../passage/access-log.ts';
import { AccessLogRepository } from '../passage/access-log-repository.ts';
import { GateChecks } from '../passage/gate-checks.ts';
import { passageRoutes } from '../passage/passage-routes.ts';
import { createPhotoKeys } from '../photos/photo-keys.ts';
import { photoRoutes } from '../photos/photo-routes.ts';
import type { Pii } from '../pii.ts';
import { redisNames } from '../redis.ts';
import type { RefundService } from '../refunds/refund-service.ts';
import { AttendanceReport } from '../reports/attendance-report.ts';
import { AttendanceRepository } from '../reports/attendance-repository.ts';
import type { TopUpService } from '../topups/top-up-service.ts';
import { VisitorPolicyRepository, VisitRepository } from '../visitors/visit-repository.ts';
import { VisitorService } from '../visitors/visitor-service.ts';

/** Large enough for a full batch of operations (about 200 bytes each). */
const bodyBytesMax = 512 * 1024;

/** The services createCore built, and what only the routes use besides them. */
export type CoreServices = Omit<Core, 'app' | 'metrics'> & {
  refunds: RefundService;
  topUps: TopUpService;
  notices: NoticeRepository;
  pii: Pii;
};

/** The Koa app serving the core's routes, and the metrics registry it serves at GET /metrics. */
export function createCoreHttp(
  config: CoreConfig,
  core: CoreServices,
  redis?: Redis,
): { app: Koa; metrics: Registry } {
  const {
    db,
    log,
    batcher,
    cards,
    ledger,
    merchants,
    settlement,
    devices,
    deviceConfigs,
    blacklist,
    access,
    attendance,
    offline,
    sync,
    refunds,
    bindings,
    payCodes,
    statements,
    guardians,
    admins,
    audit,
    content,
    notices,
    monthlyStatements,
    messages,
    topUps,
    activity,
    pii,
    utilities,
    fees,
    feeItems,
    bank,
    subsidies,
    reports,
    passage,
    bus,
    meetings,
    photos,
    busRides,
    insight,
    federation,
  } = core;
  const app = new Koa({ proxy: false });
  app.silent = true;
  const open = new Router();
  const metrics = coreMetrics(batcher);
  // Route templates, process and ledger figures only: nothing about a card or a person, so the
  // internal core serves them unauthenticated like /health (docs/operations.md).
  open.get('/metrics', metricsEndpoint(metrics));
  open.use(healthProbeRoutes(coreReadinessChecks(db, redis, core.shutdown.check)).routes());
  open.get('/health', async (ctx) => {
    await db.nowMs();
    ctx.body = {
      status: 'ok',
      dialect: db.dialect,
      queueDepth: batcher.depth,
      batches: batcher.stats.batches,
      operations: batcher.stats.operations,
    };
  });
  app.use(httpMetrics(metrics));
  app.use(errorHandler(log));
  app.use(open.routes());
  const nonces =
    redis === undefined ? memoryNonces() : redisNonces(redis, redisNames(config.redisPrefix).keys.sigNonce);
  // Other centres' requests, signed with their link secrets from the trust list (docs/federation.md).
  app.use(federationLink(federation, nonces));
  // Key id, timestamp window and nonce shape before any body byte is read (#12.13 class).
  app.use(serviceAuthBeforeBody(config.serviceKeys));
  app.use(rawBody(bodyBytesMax, subsidyImportBodies));
  // Signed requests are accepted once: with Redis, across every core instance sharing it.
  app.use(serviceAuth(config.serviceKeys, nonces));
  const holder = new HolderActions(bindings, cards, notices, activity);
  const campuses = new CampusService(new CampusRepository(db), merchants, devices, passage);
  for (const router of [
    operationRoutes(ledger, refunds, log),
    cardRoutes(cards, ledger, refunds, holder),
    merchantRoutes(merchants, settlement),
    campusRoutes(campuses),
    deviceRoutes(
      devices,
      deviceConfigs,
      new PresenceService(new PresenceRepository(db), config.presenceSilenceMs),
    ),
    blacklistRoutes(blacklist),
    deviceRecordRoutes(offline, access, attendance, new OfflineResolutions(db), campuses),
    syncRoutes(sync),
    refundRoutes(refunds),
    bindingRoutes(bindings, holder),
    payCodeRoutes(payCodes),
    statementRoutes(statements),
    guardianRoutes(guardians),
    adminRoutes(admins, audit),
    contentRoutes(content),
    noticeRoutes(notices, monthlyStatements),
    messageRoutes(messages, config),
    topUpRoutes(topUps),
    meetingRoutes(meetings),
    photoRoutes(photos),
    keyResealRoutes(
      new KeyResealService(
        new KeyResealRepository(db),
        { pii, photos: createPhotoKeys(config.photoKeyHex, config.photoKeysPreviousHex) },
        audit,
        log,
      ),
    ),
    busRoutes(bus, busRides),
    disputeRoutes(new DisputeService(new DisputeRepository(db), ledger)),
    absenceRoutes(new AbsenceService(new AbsenceRepository(db))),
    windowCapacityRoutes(new WindowCapacityService(new WindowCapacityRepository(db), merchants)),
    visitorRoutes(
      new VisitorService(
        new VisitRepository(db),
        new VisitorPolicyRepository(db),
        cards,
        pii,
        notices,
        activity,
        config.piiKeyHex,
      ),
    ),
    utilityRoutes(utilities),
    feeRoutes(fees, feeItems),
    bankRoutes(bank),
    kioskRoutes(
      new KioskCashService(new KioskCashRepository(db), ledger),
      new KioskIdentityService(new KioskIdentityRepository(db), cards, pii, config.piiKeyHex, log),
      new KioskLoss(cards, notices, activity),
    ),
    subsidyRoutes(subsidies),
    reportRoutes(reports),
    passageRoutes(
      passage,
      new GateChecks(cards, passage, access),
      new AccessLog(new AccessLogRepository(db), () => passage.places()),
    ),
    attendanceReportRoutes(new AttendanceReport(new AttendanceRepository(db))),
    // Off (NOT_FOUND) until the insight store is opened at start.
    insightRoutes(insight),
    linkSecretRoutes(federation.trust),
    federationRoutes(federation),
  ]) {
    app.use(router.routes());
    app.use(router.allowedMethods());
  }
  app.use(() => {
    throw new CoreError('NOT_FOUND', 'no such route');
  });
  return { app, metrics };
}

/** The core's registry: process and HTTP metrics, and the ledger's batching and queue. */
function coreMetrics(batcher: Batcher): Registry {
  const registry = createMetricsRegistry('core');
  const batchSizes = new Histogram({
    name: 'ledger_batch_size',
    help: 'Operations per ledger transaction (group commit)',
    buckets: [1, 2, 5, 10, 20, 50, 100, 200, 500],
    registers: [registry],
  });
  batcher.onBatch((size) => batchSizes.observe(size));
  new Gauge({
    name: 'ledger_queue_depth',
    help: 'Ledger operations waiting for a transaction',
    registers: [registry],
    collect() {
      this.set(batcher.depth);
    },
  });
  return registry;
}
