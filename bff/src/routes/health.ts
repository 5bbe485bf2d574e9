import { runChecks } from '@campus-card/core/health';
import Router from 'koa-router';
import type { Kv } from '../kv/index.ts';

/** How long the readiness probe waits for the core's own readiness. */
const coreProbeTimeoutMs = 2_000;

/**
 * Liveness for load balancers and the demo launcher (/health, /health/live: the process answers), and
 * readiness (/health/ready: the core is ready — its database reachable and migrated — and the kv answers;
 * 503 otherwise). None of them says anything about the caller or any card.
 */
export function healthRoutes(deps?: { coreUrl: string; kv: Kv }): Router {
  const router = new Router();
  router.get('/health', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  router.get('/health/live', (ctx) => {
    ctx.body = { status: 'ok' };
  });
  if (deps === undefined) return router;
  const coreReady = `${deps.coreUrl.replace(/\/+$/, '')}/health/ready`;
  router.get('/health/ready', async (ctx) => {
    const { ready, checks } = await runChecks({
      core: async () => {
        const response = await fetch(coreReady, { signal: AbortSignal.timeout(coreProbeTimeoutMs) });
        await response.body?.cancel();
        if (response.status !== 200) throw new Error(`core not ready: ${response.status}`);
      },
      kv: async () => {
        await deps.kv.get('health:probe');
      },
    });
    ctx.status = ready ? 200 : 503;
    ctx.body = { status: ready ? 'ready' : 'not_ready', checks };
  });
  return router;
}
