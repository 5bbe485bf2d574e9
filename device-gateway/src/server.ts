// The TCP device gateway: one listener, one Session per connection, handlers calling the core.
// Run: `npm start -w device-gateway` (config from the environment, src/config.ts).

import type { Server as HttpServer } from 'node:http';
import { createServer, type Server } from 'node:net';
import { CoreClient, type DoorCommandOrder } from '@campus-card/core/client';
import {
  createCampusKeyring,
  createMemoryReplayGuard,
  createVerifier,
  createVisitorPassVerifier,
} from '@campus-card/core/credential';
import { createNodeEd25519Verify } from '@campus-card/core/credential/node';
import { createLogger, type Logger } from '@campus-card/core/log';
import { createRedis, redisNames } from '@campus-card/core/redis';
import { oneWritePerTurn } from '@campus-card/core/redis-writes';
import { Admission } from './admission.ts';
import { GatewayBlacklist } from './blacklist.ts';
import { type GatewayConfig, loadConfig } from './config.ts';
import { CoreBatchPacing } from './core-batch-pacing.ts';
import { MemoryDeclineLog, redisDeclineLog } from './declines.ts';
import { configPushFor } from './device-config.ts';
import { coreDeviceDirectory, type DeviceDirectory } from './devices.ts';
import { FederationBlacklists } from './federation-blacklists.ts';
import { FederationKeys } from './federation-keys.ts';
import { createHandlers } from './handlers/index.ts';
import { meetingSessionOf } from './handlers/meeting-session.ts';
import { MemoryKioskSessions, redisKioskSessions } from './kiosk-sessions.ts';
import { MemoryMealCaps, redisMealCaps } from './meal-caps.ts';
import { MemoryMeterLocks, redisMeterLocks } from './meter-locks.ts';
import { GatewayMetrics, startHealthListener } from './metrics.ts';
import { NumericFailureLimit } from './numeric-failures.ts';
import { GatewayPassage } from './passage.ts';
import { MemoryPinRetries, redisPinRetries } from './pin-retries.ts';
import { defaultPresenceOptions, PresenceReporter } from './presence.ts';
import { blacklistRefuses } from './protocol/index.ts';
import { redisReplayGuard } from './replay-guard.ts';
import { AnswerCache } from './session/answer-cache.ts';
import { SessionRegistry } from './session/registry.ts';
import { Session } from './session/session.ts';
import { defaultTimings, type SessionTimings } from './session/timings.ts';
import { warmCoreConnections, warmPaymentCode } from './warm-up.ts';
import { WorkSlices, workSliceMs } from './work-slices.ts';

/** Kept-alive connections to the core, all opened before the listener accepts devices. */
const coreConnections = 32;

export interface RunningGateway {
  readonly port: number;
  /** The /metrics and /health HTTP listener's base URL, when GATEWAY_HEALTH_PORT is set. */
  readonly healthUrl: string | undefined;
  readonly sessions: SessionRegistry;
  readonly blacklist: GatewayBlacklist;
  /** The other centres' campus keys (docs/federation.md). */
  readonly federationKeys: FederationKeys;
  /** The other centres' blacklists (protocol § 7.29). */
  readonly centres: FederationBlacklists;
  readonly metrics: GatewayMetrics;
  readonly presence: PresenceReporter;
  close(): Promise<void>;
}

export interface GatewayOverrides {
  /** Tests shorten the timings to see timeouts happen. */
  readonly timings?: Partial<SessionTimings>;
  readonly log?: Logger;
  readonly directory?: DeviceDirectory;
  /**
   * The embedded default (core and gateway in one process): the core's own announcements of new
   * blacklist versions, instead of Redis.
   */
  readonly blacklistFeed?: (listener: (version: number) => void) => void;
  /** The same for device configuration changes (the device id changed). */
  readonly deviceConfigFeed?: (listener: (deviceId: string) => void) => void;
  /** The same for new passage versions (rule-table deltas) and door commands (docs/passage.md). */
  readonly passageFeed?: (listener: (version: number) => void) => void;
  readonly doorCommandFeed?: (listener: (order: DoorCommandOrder) => void) => void;
  /** The same for readers whose meeting session may have changed (protocol § 7.27). */
  readonly meetingSessionFeed?: (listener: (deviceIds: string[]) => void) => void;
}

export async function startGateway(
  config: GatewayConfig,
  overrides: GatewayOverrides = {},
): Promise<RunningGateway> {
  // The platform's logger: its lines carry the current frame's request id and redact as the others do.
  const log = overrides.log ?? createLogger('device-gateway', config.logLevel);
  // Handlers start in short slices between socket reads; a batch request to the core carries the payments
  // of the slices run while it waited, up to GATEWAY_CORE_BATCH_WAIT_MS (work-slices.ts).
  const slices = new WorkSlices(workSliceMs);
  const core = new CoreClient({
    url: config.coreUrl,
    keyId: config.coreKeyId,
    secret: config.coreSecret,
    connectionsMax: coreConnections,
    scheduleFlush: new CoreBatchPacing(slices, config.coreBatchIntervalMs, config.coreBatchWaitMs).schedule,
  });
  // Fail closed: a guard that cannot reach Redis rejects, and the request is answered INTERNAL_ERROR.
  const redis =
    config.redisUrl === undefined ? undefined : createRedis(config.redisUrl, { maxRetriesPerRequest: 1 });
  redis?.on('error', (error) => log.warn({ err: error }, 'redis error'));
  // The replay guard's claims of the frames read in one turn leave in one write (core/src/redis-writes.ts).
  if (redis !== undefined) oneWritePerTurn(redis);
  // Every channel and shared key in the deployment's namespace (REDIS_PREFIX), as its core and BFFs have it.
  const { channels, keys } = redisNames(config.redisPrefix);
  const keyring = createCampusKeyring(config.campusKeys);
  // Cards of the centres this one federates with: their keys beside ours, from the core's trust list.
  const federationKeys = new FederationKeys(core, config.campusKeys, log);
  await federationKeys
    .load()
    .catch((error: unknown) => log.warn({ err: error }, 'federation keys not loaded yet'));
  federationKeys.start(config.federationKeysPollIntervalMs);
  const ed25519Verify = createNodeEd25519Verify();
  const sessions = new SessionRegistry();
  // The other centres' blacklists, pushed to devices as their centres change them (protocol § 7.29).
  const centres = new FederationBlacklists(
    core,
    federationKeys,
    (message) => {
      for (const session of sessions.signedInSessions()) session.push(message);
    },
    log,
  );
  await centres
    .sync()
    .catch((error: unknown) => log.warn({ err: error }, 'federation blacklists not loaded yet'));
  centres.start(config.federationBlacklistPollIntervalMs);
  const verifyCode = createVerifier({
    keyring: federationKeys.keyring,
    replayGuard: redis === undefined ? createMemoryReplayGuard() : redisReplayGuard(redis, keys.codeReplay),
    ed25519Verify,
  });
  // Our own cards' status is checked by the core; another centre's card also against its centre's list
  // here, so a card lost there is refused even when its centre cannot be asked.
  const verifier: typeof verifyCode = {
    ...verifyCode,
    verify: async (text) => {
      const result = await verifyCode.verify(text);
      if (!result.ok) return result;
      const centreId = federationKeys.centreOf(result.kid);
      const entry = centreId === undefined ? undefined : centres.entry(centreId, result.card.cardNo);
      if (!blacklistRefuses(entry, result.card.cardVersion)) return result;
      return entry?.reason === 'reissued'
        ? { ok: false, code: 'CREDENTIAL_REVOKED', message: 'superseded by its centre' }
        : { ok: false, code: 'BLACKLISTED', message: "on its centre's blacklist" };
    },
  };
  // Offline records are judged as of when the device took them; the record's sequence, not a replay
  // guard, keeps each one from counting twice. With the other centres' keys too: a payment of another
  // centre's card taken offline is forwarded to that centre under its offline policy (docs/federation.md).
  const acceptEveryClaim = { claim: async () => true };
  const verifyAt = (text: string, atMs: number) =>
    createVerifier({
      keyring: federationKeys.keyring,
      replayGuard: acceptEveryClaim,
      now: () => atMs,
      ed25519Verify,
    }).verify(text);
  const handlePlain = createHandlers({
    core,
    verifier,
    meterHoldTimeoutMs: config.meterHoldTimeoutMs,
    meterFenPerUnit: config.meterFenPerUnit,
    verifyAt,
    blacklist: { entry: (cardNo) => blacklist.entry(cardNo) },
    declines: redis === undefined ? new MemoryDeclineLog() : redisDeclineLog(redis, keys.declined),
    meters: redis === undefined ? new MemoryMeterLocks() : redisMeterLocks(redis, keys.meter),
    pinRetries: redis === undefined ? new MemoryPinRetries() : redisPinRetries(redis, keys.pinRetry),
    numericFailures: new NumericFailureLimit(),
    mealCaps: redis === undefined ? new MemoryMealCaps() : redisMealCaps(redis, keys.mealCap),
    visitorPasses: createVisitorPassVerifier({ keyring, verify: ed25519Verify }),
    placesOf: async (ctx) => [`device:${ctx.deviceId}`],
    issuerOf: (kid) => federationKeys.centreOf(kid),
    kioskSessions: redis === undefined ? new MemoryKioskSessions() : redisKioskSessions(redis, keys.kiosk),
  });
  const metrics = new GatewayMetrics();
  // Payments by outcome (approved, the decline's reason, a fixed protocol set, or error) and their times.
  const handle: typeof handlePlain = async (ctx, request) => {
    if (request.kind === 'rule_table_request') return passage.answer(ctx, request);
    if (request.kind === 'door_event') return passage.event(ctx, request);
    if (request.kind !== 'pay' && request.kind !== 'pay_with_pin') return handlePlain(ctx, request);
    const startedAt = performance.now();
    const seconds = () => (performance.now() - startedAt) / 1000;
    try {
      const reply = await handlePlain(ctx, request);
      metrics.payment(
        reply?.kind === 'pay_approved' ? 'approved' : reply?.kind === 'pay_declined' ? reply.reason : 'error',
        seconds(),
      );
      return reply;
    } catch (error) {
      metrics.payment('error', seconds());
      throw error;
    }
  };
  const metricsLog = setInterval(() => log.info({ metrics: metrics.snapshot() }, 'gateway metrics'), 60_000);
  metricsLog.unref();
  const answers = new AnswerCache(config.answerCacheEntriesMax);
  // Door devices: rule tables, their deltas on each passage version, door commands (docs/passage.md).
  const passage = new GatewayPassage(core, (deviceId, message) => {
    const session = sessions.of(deviceId);
    session?.push(message);
    return session !== undefined;
  });
  const blacklist = new GatewayBlacklist(core, (delta) => {
    for (const session of sessions.signedInSessions()) session.push(delta);
  });
  // A core that is not up yet does not keep the gateway down: the poll loads the list once it answers.
  await blacklist.load().catch((error: unknown) => log.warn({ err: error }, 'blacklist not loaded yet'));
  const refresh = () => {
    blacklist.refresh().catch((error: unknown) => log.warn({ err: error }, 'blacklist refresh failed'));
  };
  // Announcements make the push fast; the poll is the safety net for a missed one (and the only way
  // without Redis when the core runs in another process).
  const subscriber = config.redisUrl === undefined ? undefined : createRedis(config.redisUrl);
  subscriber?.on('error', (error) => log.warn({ err: error }, 'redis subscriber error'));
  // A changed configuration is pushed by the instance the device is signed in at; a disable or re-key
  // (announced on the same channel) ends the session there (protocol § 10.1).
  const reconfigure = (deviceId: string) => {
    const session = sessions.of(Number(deviceId));
    if (session === undefined) return;
    session.recheck(directory.find(Number(deviceId)));
  };
  // Readers signed in here whose meeting session may have changed are told it again (protocol § 7.27);
  // a device of another kind named as a reader is not sent a message it does not know.
  const tellMeetingSession = (deviceIds: readonly string[]) => {
    for (const id of deviceIds) {
      const session = sessions.of(Number(id));
      if (session === undefined) continue;
      (async () => {
        if ((await directory.find(Number(id)))?.kind !== 'attendance') return;
        session.push(await meetingSessionOf(core, Number(id)));
      })().catch((error: unknown) => log.warn({ err: error }, 'meeting session push failed'));
    }
  };
  subscriber?.on('message', (channel: string, message: string) => {
    if (channel === channels.meetingSessions) {
      tellMeetingSession(JSON.parse(message) as string[]);
      return;
    }
    if (channel === channels.deviceConfig) {
      reconfigure(message);
      return;
    }
    if (channel === channels.passage) {
      passage
        .announce(Number(message))
        .catch((error: unknown) => log.warn({ err: error }, 'passage push failed'));
      return;
    }
    if (channel === channels.doorCommands) {
      passage.command(JSON.parse(message) as DoorCommandOrder);
      return;
    }
    blacklist
      .announce(Number(message))
      .catch((error: unknown) => log.warn({ err: error }, 'blacklist refresh failed'));
  });
  // Waited for at most 2 s: with Redis away, ioredis queues the command until it connects, and the poll
  // covers the gap meanwhile.
  const subscribed = subscriber
    ?.subscribe(
      channels.blacklist,
      channels.deviceConfig,
      channels.passage,
      channels.doorCommands,
      channels.meetingSessions,
    )
    .catch((error: unknown) => log.warn({ err: error }, 'redis subscribe failed'));
  await Promise.race([subscribed, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
  overrides.deviceConfigFeed?.(reconfigure);
  overrides.passageFeed?.((version) => {
    passage.announce(version).catch((error: unknown) => log.warn({ err: error }, 'passage push failed'));
  });
  overrides.doorCommandFeed?.((order) => passage.command(order));
  overrides.meetingSessionFeed?.(tellMeetingSession);
  overrides.blacklistFeed?.((version) => {
    blacklist
      .announce(version)
      .catch((error: unknown) => log.warn({ err: error }, 'blacklist refresh failed'));
  });
  const poll = setInterval(refresh, config.blacklistPollIntervalMs);
  poll.unref();
  const timings = { ...defaultTimings(config.heartbeatIntervalSeconds), ...overrides.timings };
  const presence = new PresenceReporter(
    core,
    {
      ...defaultPresenceOptions,
      gatewayId: config.gatewayId,
      flushIntervalMs: config.presenceFlushIntervalMs,
    },
    log,
  );
  presence.start();
  const directory = overrides.directory ?? coreDeviceDirectory(core);

  await warmCoreConnections(core, coreConnections, log);
  await warmPaymentCode(config.paymentWarmUpRounds, createNodeEd25519Verify());
  // From here the in-flight bound rises to GATEWAY_INFLIGHT_MAX over GATEWAY_WARM_UP_MS (admission.ts).
  const admission = new Admission({
    max: config.inFlightMax,
    retryAfterMs: config.busyRetryAfterMs,
    warmUpMs: config.warmUpMs,
    backlogMaxMs: config.backlogMaxMs,
    backlogMs: () => slices.backlogMs(),
  });
  const server: Server = createServer({ noDelay: true }, (socket) => {
    if (sessions.all.size >= config.connectionsMax) {
      metrics.inc('connections_refused_full');
      socket.destroy();
      return;
    }
    metrics.inc('connections');
    const session = new Session(socket, {
      directory,
      handle,
      answers,
      admission,
      slices,
      timings,
      log,
      metrics,
      blacklist,
      centres,
      configPush: (device) => configPushFor(device, config.campusKeys),
      onSignedIn: (s) => sessions.signedIn(s),
      onClosed: (s) => sessions.closed(s),
      presence,
    });
    sessions.add(session);
  });
  server.on('error', (error) => log.error({ err: error }, 'listener error'));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  log.info({ host: config.host, port }, 'device gateway listening');
  metrics.watch({
    signedInSessions: () => sessions.signedInCount,
    connections: () => sessions.all.size,
    blacklistVersion: () => blacklist.version,
    paymentsInFlight: () => admission.current,
    paymentsInFlightMax: () => admission.max,
    workSliceWaitMs: () => slices.oldestWaitMs(),
  });
  // Ready: the TCP listener is up, the core is ready (its database reachable and migrated), Redis answers.
  const coreReady = `${config.coreUrl.replace(/\/+$/, '')}/health/ready`;
  const health: HttpServer | undefined =
    config.healthPort === undefined
      ? undefined
      : await startHealthListener(config.healthHost, config.healthPort, metrics.registry, {
          listener: async () => {
            if (!server.listening) throw new Error('not listening');
          },
          core: async () => {
            const response = await fetch(coreReady, { signal: AbortSignal.timeout(2_000) });
            await response.body?.cancel();
            if (response.status !== 200) throw new Error(`core not ready: ${response.status}`);
          },
          ...(redis === undefined
            ? {}
            : {
                redis: async () => {
                  if ((await redis.ping()) !== 'PONG') throw new Error('redis');
                },
              }),
        });
  const healthAddress = health?.address();
  const healthUrl =
    typeof healthAddress === 'object' && healthAddress
      ? `http://${config.healthHost}:${healthAddress.port}`
      : undefined;
  return {
    port,
    healthUrl,
    sessions,
    blacklist,
    federationKeys,
    centres,
    metrics,
    presence,
    async close() {
      clearInterval(poll);
      federationKeys.stop();
      centres.stop();
      clearInterval(metricsLog);
      health?.close();
      health?.closeAllConnections();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of [...sessions.all]) session.close();
      await closed;
      // The closes above made every device offline: tell the core before the client goes.
      await presence.stop();
      await core.close();
      await redis?.quit();
      await subscriber?.quit();
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const config = loadConfig(process.env);
  const gateway = await startGateway(config);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      gateway.close().then(() => process.exit(0));
    });
  }
}
