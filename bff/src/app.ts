import { createServer, type Server } from 'node:http';
import { CoreClient } from '@campus-card/core/client';
import { redisJobLock } from '@campus-card/core/jobs';
import { createLogger, type Logger } from '@campus-card/core/log';
import {
  createMetricsRegistry,
  Gauge,
  Histogram,
  httpMetrics,
  type Registry,
} from '@campus-card/core/metrics';
import { createRedis } from '@campus-card/core/redis';
import Koa from 'koa';
import Router from 'koa-router';
import { adminEventsRoute } from './admin/admin-events.ts';
import { AdminLogin } from './admin/admin-login.ts';
import { AdminSessions } from './admin/admin-sessions.ts';
import { AdminSso } from './admin/admin-sso.ts';
import { adminSsoRoutes } from './admin/admin-sso-routes.ts';
import { handleDevicePriceApprovals } from './admin/devices.ts';
import { subsidyImportBodies } from './admin/funds.ts';
import { adminPrefix, adminRouter } from './admin/routes.ts';
import { Adjustments } from './admin/services/adjustments.ts';
import { Approvals } from './admin/services/approvals.ts';
import { AuditTrail } from './admin/services/audit-trail.ts';
import { CardAffairs } from './admin/services/card-affairs.ts';
import { computeDashboard, LiveDashboard, LiveDashboards } from './admin/services/dashboard.ts';
import { adminDomainServices } from './admin/services/index.ts';
import { TopUpRefunds } from './admin/services/top-up-refunds.ts';
import { RefreshTokens } from './auth/refresh-tokens.ts';
import { requireUser } from './auth/require-user.ts';
import { Sessions } from './auth/sessions.ts';
import { AccessTokens } from './auth/tokens.ts';
import type { BffConfig } from './config.ts';
import { UploadStore } from './content/upload-store.ts';
import { VideoLinks } from './content/video-links.ts';
import { cors, errorHandler, rateLimit, rawBody, securityHeaders } from './http/middleware.ts';
import { clientAddress } from './http/request-context.ts';
import { attachTicketSockets } from './http/ticket-sockets.ts';
import { type Kv, openKv } from './kv/index.ts';
import { type ActivitySource, redisActivitySource } from './push/activity-source.ts';
import { pushSocketRoute } from './push/events-socket.ts';
import { AudienceProfiles, NewsListeners, type NewsSource, redisNewsSource } from './push/news-push.ts';
import { PushHub } from './push/push-hub.ts';
import { PushTickets } from './push/push-tickets.ts';
import { absenceRoutes } from './routes/absences.ts';
import { bankRoutes } from './routes/bank.ts';
import { bindingRoutes } from './routes/binding.ts';
import { busRoutes } from './routes/bus.ts';
import { canteenLoadRoutes } from './routes/canteen-load.ts';
import { cardRoutes } from './routes/card.ts';
import { contentRoutes, videoRoutes } from './routes/content.ts';
import { credentialRoutes } from './routes/credential.ts';
import { disputeRoutes } from './routes/disputes.ts';
import { eventRoutes } from './routes/events.ts';
import { feeRoutes } from './routes/fees.ts';
import { healthRoutes } from './routes/health.ts';
import { messageRoutes } from './routes/messages.ts';
import { meterSessionRoutes } from './routes/meter-sessions.ts';
import { myDataRoutes } from './routes/my-data.ts';
import { childRoutes, parentRoutes } from './routes/parents.ts';
import { passageRoutes } from './routes/passage.ts';
import { recordRoutes } from './routes/records.ts';
import { sessionOpenRoutes, sessionRoutes } from './routes/session.ts';
import { smsReplyRoutes } from './routes/sms-replies.ts';
import { ssoRoutes } from './routes/sso.ts';
import { statementRoutes } from './routes/statements.ts';
import { payNotifyRoutes, topUpRoutes } from './routes/top-ups.ts';
import { transactionRoutes } from './routes/transactions.ts';
import { utilityRoutes } from './routes/utilities.ts';
import { visitorPassRoutes, visitorRoutes } from './routes/visitors.ts';
import { Absences } from './services/absences.ts';
import { AlipayLogin } from './services/alipay-login.ts';
import { AlipayPay } from './services/alipay-pay.ts';
import { BankService } from './services/bank.ts';
import { Bills } from './services/bills.ts';
import { BindingService } from './services/bindings.ts';
import { Bus } from './services/bus.ts';
import { CanteenLoad } from './services/canteen-load.ts';
import { CardActions } from './services/cards.ts';
import { ContentReader } from './services/content.ts';
import { CredentialIssuer, signingKeyOf } from './services/credentials.ts';
import { Disputes } from './services/disputes.ts';
import { FeesService } from './services/fees.ts';
import { MessageSettings } from './services/message-settings.ts';
import { MyDataService } from './services/my-data.ts';
import { Notifications } from './services/notifications.ts';
import { Parents } from './services/parents.ts';
import { PassageRights } from './services/passage.ts';
import { Records } from './services/records.ts';
import { SessionService } from './services/sessions.ts';
import { SsoService } from './services/sso.ts';
import { TopUpService } from './services/top-ups/top-up-service.ts';
import { WechatPay } from './services/top-ups/wechat-pay.ts';
import { UtilitiesService } from './services/utilities.ts';
import { Visitors } from './services/visitors.ts';
import { WechatLogin } from './services/wechat-login.ts';

/** Everything the routes and services of the BFF share, built once from the configuration. */
export interface Bff {
  config: BffConfig;
  log: Logger;
  kv: Kv;
  core: CoreClient;
  tokens: AccessTokens;
  sessions: Sessions;
  bindings: BindingService;
  /** WeChat Pay top-ups; undefined when no merchant is configured. */
  topUps: TopUpService | undefined;
  /** Live views open at this instance. */
  push: PushHub;
  pushTickets: PushTickets;
  /** Live views at this instance that hear news for their person's audience. */
  news: NewsListeners;
  /** The backoffice's sessions, and the dashboards (one per campus watched) its open sockets share. */
  adminSessions: AdminSessions;
  dashboard: LiveDashboards;
  /** Prometheus registry, served only on the separate METRICS_PORT listener (never the public port). */
  metrics: Registry;
  app: Koa;
}

/** Unfinished video uploads kept at once (each up to UPLOAD_BYTES_MAX on disk). */
const uploadsOpenMax = 20;

/** Live views one instance holds at most. */
const pushWatchersMax = 50_000;

export interface BffOptions {
  /** Card activity from a core in the same process (the embedded default), instead of Redis. */
  activitySource?: ActivitySource;
  /** News announcements from a core in the same process, instead of Redis. */
  newsSource?: NewsSource;
}

/**
 * Builds the BFF: middleware in the order every request meets it, then the public routes, then
 * the routes that need a signed-in user. All routes live under /api/v1.
 */
export function createBff(config: BffConfig, log: Logger = createLogger('bff', config.logLevel)): Bff {
  const kv = openKv(config.redisUrl, config.redisPrefix);
  const core = new CoreClient({
    url: config.coreUrl,
    keyId: config.coreKeyId,
    secret: config.coreKeySecret,
  });
  const tokens = new AccessTokens(config.jwtSecret, config.accessTokenTtlSeconds);
  const sessions = new Sessions(kv, config.refreshTokenTtlSeconds * 1000);
  const bindings = new BindingService(core, kv, sessions, {
    failuresMax: config.bindFailuresMax,
    addressFailuresMax: config.bindAddressFailuresMax,
    lockoutMs: config.bindLockoutMs,
    cacheMs: config.bindingCacheMs,
    idTailEnabled: config.bindIdTailEnabled,
  });
  const wechat = new WechatLogin({
    baseUrl: config.wechatLoginUrl,
    appId: config.wechatAppId,
    appSecret: config.wechatAppSecret,
  });
  const refreshTokens = new RefreshTokens(kv, sessions, config.refreshTokenTtlSeconds * 1000);
  const sessionService = new SessionService(wechat, sessions, tokens, refreshTokens, bindings, core);
  // Alipay login (my.getAuthCode → alipay.system.oauth.token), only when ALIPAY_APP_ID is set.
  const alipayLogin = config.alipay ? new AlipayLogin(config.alipay, log) : undefined;
  const cards = new CardActions(core, sessions, kv, bindings, {
    failuresMax: config.pinFailuresMax,
    lockoutMs: config.pinLockoutMs,
  });
  const bills = new Bills(core);
  const issuer = new CredentialIssuer(core, signingKeyOf(config.campusSigningKey));
  const videoLinks = new VideoLinks(config.videoLinkSecret);
  // ctx.ip is decided by clientAddress below: X-Forwarded-For counts only from TRUSTED_PROXIES.
  const app = new Koa({ proxy: false });
  // Top-ups by WeChat Pay (WECHAT_PAY_MCHID) and/or Alipay (ALIPAY_APP_ID with ALIPAY_NOTIFY_URL),
  // one service and one poller for both channels (docs/topups.md, docs/alipay.md).
  const alipayPay =
    config.alipay && config.alipayTopUps
      ? new AlipayPay({ ...config.alipay, ...config.alipayTopUps })
      : undefined;
  const topUpSettings = config.topUps ?? (alipayPay ? config.alipayTopUps?.settings : undefined);
  const topUps = topUpSettings
    ? new TopUpService(
        core,
        config.topUps ? new WechatPay(config.topUps) : undefined,
        kv,
        topUpSettings,
        async (openid) => (await bindings.require(openid)).cardNo,
        log,
        alipayPay,
      )
    : undefined;
  const push = new PushHub(pushWatchersMax);
  const pushTickets = new PushTickets(kv);
  // The backoffice's API: its own prefix, its own sessions and rights (bff/src/admin, docs/admin.md).
  const adminSessions = new AdminSessions(kv, {
    idleMs: config.adminSessionIdleMs,
    lifetimeMs: config.adminSessionLifetimeMs,
    challengeMs: 5 * 60_000,
  });
  const dashboard = new LiveDashboards(
    (campusId) => new LiveDashboard(() => computeDashboard(core, campusId), log),
  );
  const bff: Bff = {
    config,
    log,
    kv,
    core,
    tokens,
    sessions,
    bindings,
    topUps,
    push,
    pushTickets,
    news: new NewsListeners(),
    adminSessions,
    dashboard,
    metrics: bffMetrics(push),
    app,
  };

  // Requests by route template, never by the raw path (which carries card numbers).
  app.use(httpMetrics(bff.metrics));
  app.use(errorHandler(log));
  app.use(clientAddress(config));
  app.use(securityHeaders());
  app.use(cors(config.h5Origin));
  app.use(
    rateLimit(kv, {
      name: 'ip',
      perMinuteMax: config.ipRequestsPerMinuteMax,
      keyOf: (ctx) => ctx.ip || undefined,
    }),
  );
  // Every body is read with a hard limit; the admin API's only after the session is checked
  // (adminRouter), so nobody unsigned can make it hold a subsidy file's 6 MB, and video chunks there
  // stream to disk in their own route.
  const bodies = rawBody(config.bodyBytesMax, subsidyImportBodies);
  app.use((ctx, next) => (ctx.path.startsWith(`${adminPrefix}/`) ? next() : bodies(ctx, next)));

  const open = new Router({ prefix: '/api/v1' });
  open.use(healthRoutes({ coreUrl: config.coreUrl, kv }).routes());
  open.use(sessionOpenRoutes(sessionService, alipayLogin).routes());
  // Campus single sign-on for the H5 build, only when SSO_PROVIDERS is set (docs/sso.md).
  const sso = config.sso && new SsoService(config.sso, kv, sessionService, bindings, log);
  const ssoStarts: Koa.Middleware = config.sso
    ? rateLimit(kv, {
        name: 'sso-start',
        perMinuteMax: config.sso.startsPerMinuteMax,
        keyOf: (ctx) => ctx.ip || 'unknown',
      })
    : (_ctx, next) => next();
  open.use(
    ssoRoutes(sso, {
      secureCookie: config.sso?.publicUrl.startsWith('https://') ?? false,
      limitStarts: ssoStarts,
      demoSignIn: config.h5DemoSignIn,
    }).routes(),
  );
  open.use(payNotifyRoutes(topUps).routes());
  open.use(smsReplyRoutes(core, config.smsReplyToken).routes());
  open.use(videoRoutes(core, videoLinks, config.contentDir).routes());
  const visitors = new Visitors(core, bindings, signingKeyOf(config.campusSigningKey));
  open.use(visitorPassRoutes(visitors).routes());

  const signedIn = new Router({ prefix: '/api/v1' });
  signedIn.use(requireUser(tokens, sessions));
  signedIn.use(
    rateLimit(kv, {
      name: 'user',
      perMinuteMax: config.userRequestsPerMinuteMax,
      keyOf: (ctx) => (ctx.state.user as { openid: string } | undefined)?.openid,
    }),
  );
  signedIn.use(sessionRoutes(sessionService).routes());
  signedIn.use(bindingRoutes(bindings, cards).routes());
  signedIn.use(cardRoutes(bindings, cards).routes());
  signedIn.use(transactionRoutes(bindings, bills).routes());
  signedIn.use(statementRoutes(bindings, bills).routes());
  signedIn.use(myDataRoutes(bindings, new MyDataService(core)).routes());
  signedIn.use(canteenLoadRoutes(bindings, new CanteenLoad(core)).routes());
  signedIn.use(messageRoutes(new MessageSettings(core, bindings)).routes());
  signedIn.use(credentialRoutes(bindings, issuer).routes());
  signedIn.use(visitorRoutes(visitors).routes());
  signedIn.use(busRoutes(new Bus(core, bindings)).routes());
  signedIn.use(disputeRoutes(new Disputes(core, bindings)).routes());
  signedIn.use(absenceRoutes(new Absences(core, bindings)).routes());
  signedIn.use(passageRoutes(new PassageRights(core, bindings)).routes());
  signedIn.use(recordRoutes(bindings, new Records(core)).routes());
  signedIn.use(meterSessionRoutes(bindings, bills).routes());
  const parents = new Parents(core, kv, bindings, sessions, bills, {
    invitationTtlMs: 10 * 60_000,
    failuresMax: config.bindFailuresMax,
    addressFailuresMax: config.bindAddressFailuresMax,
    lockoutMs: config.bindLockoutMs,
  });
  signedIn.use(parentRoutes(parents).routes());
  const notifications = new Notifications(core, kv);
  signedIn.use(childRoutes(parents, pushTickets, notifications).routes());
  signedIn.use(contentRoutes(bindings, new ContentReader(core, videoLinks)).routes());
  signedIn.use(eventRoutes(bindings, pushTickets, notifications, new AudienceProfiles(core, kv)).routes());
  signedIn.use(topUpRoutes(topUps).routes());
  signedIn.use(feeRoutes(bindings, new FeesService(core, topUps)).routes());
  signedIn.use(utilityRoutes(bindings, new UtilitiesService(core)).routes());
  signedIn.use(bankRoutes(bindings, new BankService(core)).routes());

  const audit = new AuditTrail(core, log);
  const cardAffairs = new CardAffairs(core, audit);
  const approvals = new Approvals(core, audit, kv, config.adjustmentApprovalAboveFen);
  cardAffairs.handleCashApprovals(approvals, config.cashTopUpApprovalAboveFen);
  handleDevicePriceApprovals(approvals, core);
  const adminLogin = new AdminLogin(core, adminSessions, audit, kv);
  // Staff single sign-on to the backoffice, through the same providers (docs/sso.md).
  const adminSso = sso && new AdminSso(sso, core, adminLogin, audit);
  const adminSsoRouter = adminSsoRoutes(
    adminSso,
    config.sso?.publicUrl.startsWith('https://') ?? false,
    ssoStarts,
    bodies,
  );
  app.use(adminSsoRouter.routes());
  const admin = adminRouter(
    {
      core,
      sessions: adminSessions,
      login: adminLogin,
      cards: cardAffairs,
      adjustments: new Adjustments(core, cardAffairs, audit, approvals),
      approvals,
      topUpRefunds: new TopUpRefunds(core, topUps, cardAffairs, audit, approvals),
      audit,
      ...adminDomainServices({ core, audit, approvals, sessions: adminSessions }),
      uploads: new UploadStore(config.uploadDir, config.contentDir, {
        chunkBytes: config.uploadChunkBytes,
        sizeBytesMax: config.uploadBytesMax,
        ttlMs: config.uploadTtlMs,
        openMax: uploadsOpenMax,
      }),
    },
    bodies,
  );
  app.use(admin.routes()).use(admin.allowedMethods());

  app.use(open.routes()).use(open.allowedMethods());
  app.use(signedIn.routes()).use(signedIn.allowedMethods());
  return bff;
}

/** The BFF's registry: process and HTTP figures, and the live views held here (push). */
function bffMetrics(push: PushHub): Registry {
  const registry = createMetricsRegistry('bff');
  new Gauge({
    name: 'bff_push_watchers',
    help: 'Live views (push sockets) open at this instance',
    registers: [registry],
    collect() {
      this.set(push.size);
    },
  });
  const pushLag = new Histogram({
    name: 'bff_push_lag_seconds',
    help: "Card activity from its commit at the core to its sending to a live view here (the hosts' clocks)",
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  push.observeLag((lagMs) => pushLag.observe(lagMs / 1000));
  return registry;
}

/**
 * GET /metrics on its own listener (METRICS_HOST:METRICS_PORT), so the public API port never serves it;
 * the figures carry no personal data, but request counts by route are nobody's business outside.
 */
async function startMetricsListener(bff: Bff): Promise<Server | undefined> {
  const { metricsPort, metricsHost } = bff.config;
  if (metricsPort === undefined) return undefined;
  const server = createServer((request, response) => {
    if (request.method !== 'GET' || request.url !== '/metrics') {
      response.writeHead(404).end();
      return;
    }
    bff.metrics.metrics().then(
      (text) => response.writeHead(200, { 'content-type': bff.metrics.contentType }).end(text),
      () => response.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(metricsPort, metricsHost, () => resolve());
  });
  return server;
}

export interface RunningBff {
  bff: Bff;
  url: string;
  server: Server;
  /** The /metrics listener's URL, when METRICS_PORT is set. */
  metricsUrl: string | undefined;
  close(): Promise<void>;
}

/** Starts the BFF listening; close() stops taking requests, then releases the kv and the core client. */
export async function startBff(
  config: BffConfig,
  log?: Logger,
  options: BffOptions = {},
): Promise<RunningBff> {
  const bff = createBff(config, log);
  const server = bff.app.listen(config.port, config.host);
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const metricsServer = await startMetricsListener(bff);
  const metricsAddress = metricsServer?.address();
  const metricsUrl =
    typeof metricsAddress === 'object' && metricsAddress
      ? `http://${config.metricsHost}:${metricsAddress.port}/metrics`
      : undefined;
  // Every instance hears every card's activity and delivers it to the live views it holds; the
  // backoffice's dashboards at this instance are computed again after it.
  const detachEvents = attachTicketSockets(
    server,
    [
      pushSocketRoute(bff.push, bff.pushTickets, bff.news),
      adminEventsRoute(bff.adminSessions, bff.dashboard),
    ],
    bff.log,
  );
  const source =
    options.activitySource ??
    (config.redisUrl ? redisActivitySource(config.redisUrl, config.redisPrefix, bff.log) : undefined);
  const unsubscribe = await source?.((activity) => {
    bff.push.deliver(activity);
    bff.dashboard.onActivity(activity);
  });
  if (!source) bff.log.warn('no card activity source (no REDIS_URL): live push is off');
  // News: one announcement per item from the core, sent to the views here whose person it is for.
  const newsSource =
    options.newsSource ??
    (config.redisUrl ? redisNewsSource(config.redisUrl, config.redisPrefix, bff.log) : undefined);
  const unsubscribeNews = await newsSource?.((announcement) => bff.news.deliver(announcement));
  // Top-up polling runs on one BFF instance per tick: a job lock in Redis when several share one.
  const jobRedis =
    bff.topUps && config.redisUrl ? createRedis(config.redisUrl, { maxRetriesPerRequest: 2 }) : undefined;
  jobRedis?.on('error', (error) => bff.log.warn({ err: error.name }, 'redis error'));
  bff.topUps?.start(jobRedis && redisJobLock(jobRedis, `${config.redisPrefix}job-lock:`));
  return {
    bff,
    server,
    url: `http://${config.host}:${port}`,
    metricsUrl,
    async close() {
      detachEvents();
      metricsServer?.close();
      metricsServer?.closeAllConnections();
      bff.dashboard.stop();
      await unsubscribe?.();
      await unsubscribeNews?.();
      await bff.topUps?.stop();
      await jobRedis?.quit();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await bff.core.close();
      await bff.kv.close();
    },
  };
}
