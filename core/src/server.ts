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
    log.info({ signal }, 'core stopping');
    core.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'core stop failed');
        process.exit(1);
      },
    );
  });
}
