import { startBff } from './app.ts';
import { loadConfig } from './config.ts';

/** Entry point: configuration from the environment, then listen until SIGINT/SIGTERM. */
const config = loadConfig(process.env);
const running = await startBff(config);
running.bff.log.info({ url: running.url, redis: Boolean(config.redisUrl) }, 'bff listening');
for (const signal of ['SIGINT', 'SIGTERM'] as const)
  process.once(signal, () => {
    void running.close().then(() => process.exit(0));
  });
