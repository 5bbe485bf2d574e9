// Registers the bench's devices straight into the core's registry, keys sealed the way the core seals them.

import { randomBytes } from 'node:crypto';
import type { Database } from '../../core/src/db/database.ts';
import { createPii } from '../../core/src/pii.ts';
import type { DeviceKind } from '../src/protocol/index.ts';
import { piiKeyHex } from './options.ts';

export interface SeededDevice {
  deviceId: number;
  key: Uint8Array;
  kind: DeviceKind;
}

/** `pos` POS terminals of the merchant, then `idle` gates, with fresh keys. */
export async function seedDevices(
  db: Database,
  merchantId: string,
  pos: number,
  idle: number,
): Promise<SeededDevice[]> {
  const pii = createPii(piiKeyHex);
  const devices: SeededDevice[] = [];
  for (let i = 0; i < pos + idle; i++) {
    devices.push({
      deviceId: 100_001 + i,
      key: new Uint8Array(randomBytes(32)),
      kind: i < pos ? 'pos' : 'gate',
    });
  }
  for (let i = 0; i < devices.length; i += 1_000) {
    const part = devices.slice(i, i + 1_000);
    await db.execute(
      `INSERT INTO devices (id, kind, merchant_id, status, key_enc, key_version, created_at_ms) VALUES ${part.map(() => "(?, ?, ?, 'active', ?, 1, ?)").join(', ')}`,
      part.flatMap((d) => [
        String(d.deviceId),
        d.kind,
        d.kind === 'pos' ? merchantId : null,
        pii.encrypt(Buffer.from(d.key).toString('hex')),
        Date.now(),
      ]),
    );
  }
  return devices;
}
