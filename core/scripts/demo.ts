import { startDeviceDemo } from '../../mock/devices/demo.ts';
import { startCore } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { seedDemo } from './demo-data.ts';

/**
 * npm start — the core with demo data on a bare machine: SQLite under data/ unless DATABASE_URL
 * says otherwise. Later parts of the system (BFF, gateway, mini-program, backoffice) join here.
 */
const config = loadConfig();
const log = createLogger('demo', config.logLevel);
const core = await startCore(config, log);
const demo = await seedDemo(core);
console.log(`
校园卡 core is up on ${core.url} (${core.db.dialect})
  health:   ${core.url}/health
  students: ${demo.students.length} demo cards, e.g. ${demo.students.slice(0, 3).join(', ')}
  merchants: ${demo.merchants.map((m) => m.name).join('、')}
  service key for signed calls: keyId "${[...config.serviceKeys.keys()][0]}" (CORE_SERVICE_KEYS)
Press Ctrl+C to stop.`);

// The device gateway and simulated terminals (POS, gate, attendance reader, shower), printing what they do.
const [serviceKeyId, serviceSecret] = [...config.serviceKeys][0] ?? ['', ''];
const devices = await startDeviceDemo({
  coreUrl: core.url,
  serviceKey: { keyId: serviceKeyId, secret: serviceSecret },
  students: demo.students,
  onBlacklistVersion: (listener) => core.blacklist.onPublished(listener),
  onDeviceConfig: (listener) => core.deviceConfigs.onChanged(listener),
  env: process.env,
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    devices
      .stop()
      .then(() => core.close())
      .then(() => process.exit(0));
  });
}
