// A stand-in for the core that answers the gateway's calls at once, so `bench:gateway-cpu` measures the
// gateway's own CPU per payment without a core and MariaDB competing for the two cores. It serves only
// what the payment path and a gateway's start need: device keys at sign-in, the blacklist, presence
// reports, the warm-up's passage version, the federation trust list (empty) and the money batches (every
// payment approved). Signatures on the requests are not checked: the gateway still makes them, which is
// what counts here.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { DeviceConfig } from '../../core/src/contract/device-config.ts';
import type { BlacklistChanges, BlacklistSnapshot, DeviceWithKey } from '../../core/src/contract/devices.ts';
import type { TrustedKeys } from '../../core/src/contract/federation.ts';
import type { Answer } from '../../core/src/contract/ledger.ts';
import { defaultDeviceSettings } from '../../core/src/devices/device-config-defaults.ts';
import type { BatchedOperation } from '../../core/src/ledger/operations.ts';

export interface StandInDevice {
  readonly deviceId: number;
  readonly key: Uint8Array;
}

export interface CoreStandIn {
  readonly url: string;
  /** Batch requests and the operations in them, so far. */
  readonly counts: { batches: number; operations: number };
  close(): Promise<void>;
}

/** A till as the core's `GET /v1/devices/:id/key` answers it: active, key version 1, the pos defaults (version 1). */
function deviceAnswer(device: StandInDevice, merchantId: string): DeviceWithKey & { config: DeviceConfig } {
  return {
    id: String(device.deviceId),
    kind: 'pos',
    merchantId,
    status: 'active',
    keyVersion: 1,
    campusId: null,
    keyHex: Buffer.from(device.key).toString('hex'),
    config: {
      configVersion: 1,
      settings: defaultDeviceSettings('pos', { paymentMaxFen: 500_000, repeatIntervalSeconds: 0 }),
    },
  };
}

function approve(operation: BatchedOperation, nowMs: number): Answer {
  const amount = 'amount' in operation ? Number(operation.amount) : 0;
  return {
    status: 'ok',
    id: operation.id,
    kind: operation.kind,
    amount,
    subsidyAmount: 0,
    mainAmount: amount,
    balance: { main: 1_000_000, subsidy: 0 },
    createdAtMs: nowMs,
    replayed: false,
  };
}

export async function startCoreStandIn(
  devices: readonly StandInDevice[],
  merchantId: string,
): Promise<CoreStandIn> {
  const byId = new Map(devices.map((d) => [String(d.deviceId), deviceAnswer(d, merchantId)]));
  const counts = { batches: 0, operations: 0 };
  const blacklist: BlacklistSnapshot = { version: 1, entries: [] };
  const noChanges: BlacklistChanges = { version: 1, changes: [] };
  const noFederation: TrustedKeys = { centreId: 'BENCH', keys: [], policies: [] };

  const json = (response: ServerResponse, status: number, body: unknown) => {
    const text = JSON.stringify(body);
    response.writeHead(status, {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(text),
    });
    response.end(text);
  };

  const answer = (request: IncomingMessage, response: ServerResponse, body: string) => {
    const path = (request.url ?? '').split('?')[0] ?? '';
    if (request.method === 'POST' && path === '/v1/operations/batch') {
      const { operations } = JSON.parse(body) as { operations: BatchedOperation[] };
      counts.batches += 1;
      counts.operations += operations.length;
      const nowMs = Date.now();
      return json(response, 200, { answers: operations.map((op) => approve(op, nowMs)) });
    }
    if (request.method === 'GET' && path === '/v1/blacklist') return json(response, 200, blacklist);
    if (request.method === 'GET' && path === '/v1/blacklist/changes') return json(response, 200, noChanges);
    if (request.method === 'GET' && path === '/v1/passage/version')
      return json(response, 200, { version: 1 });
    if (request.method === 'GET' && path === '/v1/federation/keys') return json(response, 200, noFederation);
    if (request.method === 'POST' && path === '/v1/device-presence') {
      const { devices: rows } = JSON.parse(body) as { devices: unknown[] };
      return json(response, 200, { received: rows.length });
    }
    const key = /^\/v1\/devices\/(\d+)\/key$/.exec(path);
    if (request.method === 'GET' && key !== null) {
      const device = byId.get(key[1] as string);
      if (device !== undefined) return json(response, 200, device);
    }
    return json(response, 404, { code: 'NOT_FOUND', message: `the stand-in does not serve ${path}` });
  };

  const server: Server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => answer(request, response, Buffer.concat(chunks).toString('utf8')));
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
