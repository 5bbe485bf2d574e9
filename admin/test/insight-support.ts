// What the backoffice's insight pages are tested against (insight.test.ts, insight-reports.test.ts):
// a test world whose core keeps the insight store (docs/analytics.md) in a DuckDB file of its own and
// extracts into it every second, the demo admins seeded, and one canteen with one till.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { seedAdminDemo } from '../../bff/src/admin/seed.ts';
import { startWorld, type TestWorld } from '../../bff/test/support.ts';

/** The longest wait for an extract run; a loaded CI machine has needed most of a minute. */
const extractWaitMsMax = 120_000;

export interface InsightWorld {
  world: TestWorld;
  /** The canteen's merchant id; its till is `deviceId`. */
  merchantId: string;
  /** Resolves once an extract run that began after this call has copied what was written before it. */
  extracted(): Promise<void>;
  stop(): Promise<void>;
}

export async function startInsightWorld(canteen: {
  /** Two capitals that set this file's merchant ids apart. */
  idPrefix: string;
  name: string;
  deviceId: string;
}): Promise<InsightWorld> {
  const dir = mkdtempSync(join(tmpdir(), 'cc-admin-insight-'));
  const world = await startWorld(
    {},
    { coreEnv: { INSIGHT_DB_PATH: join(dir, 'insight.duckdb'), INSIGHT_INTERVAL_MS: '1000' } },
  );
  const client = world.core.client;
  await seedAdminDemo(client);
  const merchant = await client.createMerchant({
    id: `${canteen.idPrefix}${Date.now().toString(36).slice(-6).toUpperCase()}`,
    name: canteen.name,
    category: 'canteen',
  });
  await client.registerDevice({ id: canteen.deviceId, kind: 'pos', merchantId: merchant.id });
  return {
    world,
    merchantId: merchant.id,
    async extracted() {
      // A run stamped more than a second after now began after this call (runs are a second apart).
      const sinceMs = Date.now();
      for (;;) {
        const { items } = await client.insightSources();
        if ((items.find((x) => x.source === 'operations')?.runAtMs ?? 0) > sinceMs + 1_000) return;
        if (Date.now() - sinceMs > extractWaitMsMax)
          throw new Error(`no insight extract run in ${extractWaitMsMax / 1000} s`);
        await new Promise((resolve) => setTimeout(resolve, 200));
      }
    },
    async stop() {
      await world.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
