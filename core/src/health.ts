// Liveness and readiness for load balancers and orchestrators (docs/operations.md, "Metrics and
// health"). Liveness says only that the process answers; readiness that it can serve: the database
// answers, every migration in sql/ is recorded as applied, and Redis answers where configured.
// Neither says anything about cards or people.

import type { Redis } from 'ioredis';
import Router from 'koa-router';
import type { Database } from './db/database.ts';
import { loadMigrations } from './db/migrate.ts';

/** How long one readiness probe waits for a dependency before calling it down. */
const probeTimeoutMs = 2_000;

export type CheckResult = 'ok' | 'down';

/** Runs each check with a timeout; ready only when every one says ok. */
export async function runChecks(
  checks: Record<string, () => Promise<void>>,
): Promise<{ ready: boolean; checks: Record<string, CheckResult> }> {
  const entries = await Promise.all(
    Object.entries(checks).map(async ([name, check]): Promise<[string, CheckResult]> => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error('timeout')), probeTimeoutMs);
          }),
        ]);
        return [name, 'ok'];
      } catch {
        return [name, 'down'];
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  const result = Object.fromEntries(entries);
  return { ready: entries.every(([, r]) => r === 'ok'), checks: result };
}

/** /health/live and /health/ready routes over the given checks (503 when not ready). */
export function healthProbeRoutes(checks: Record<string, () => Promise<void>>): Router {
  const router = new Router();
  router.get('/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/ready', async (ctx) => {
    const { ready, checks: results } = await runChecks(checks);
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not_ready', checks: results };
  });
  return router;
}

/** The core's checks: database, migrations, Redis (when configured), not shutting down. */
export function coreReadinessChecks(
  db: Database,
  redis?: Redis,
  shutdown?: () => Promise<void>,
): Record<string, () => Promise<void>> {
  const latest = Math.max(0, ...loadMigrations().map((m) => m.version));
  const checks: Record<string, () => Promise<void>> = {
    database: async () => {
      await db.nowMs();
    },
    migrations: async () => {
      const [row] = await db.select<{ version: number | null }>(
        'SELECT MAX(version) AS version FROM schema_migrations',
      );
      if (Number(row?.version ?? 0) < latest) throw new Error('migrations pending');
    },
  };
  if (redis) {
    checks.redis = async () => {
      if ((await redis.ping()) !== 'PONG') throw new Error('redis');
    };
  }
  // Down while the instance drains before it stops (core/src/shutdown.ts).
  if (shutdown) checks.shutdown = shutdown;
  return checks;
}
