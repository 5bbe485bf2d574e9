import { startCore } from './app.ts';
import { loadConfig } from './config.ts';
import { createLogger } from './log.ts';

const config = loadConfig();
const log = createLogger('core', config.logLevel);
const core = await startCore(config, log);
log.info({ url: core.url, dialect: core.db.dialect, batchSizeMax: config.batchSizeMax }, 'core listening');

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    log.info({ signal, drainMs: config.shutdownDrainMs }, 'core stopping');
    // Readiness down first, still serving, until the balancer has taken this instance out; then the
    // requests in flight are answered and the jobs stopped (core/src/shutdown.ts).
    core
      .drain(config.shutdownDrainMs)
      .then(() => core.close())
      .then(
        () => process.exit(0),
        (error: unknown) => {
          log.error({ err: error }, 'core stop failed');
          process.exit(1);
        },
      );
  });
}
