// The gateway as a child process of its own, a free port for it, its resident memory, and waiting for the core.

import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { type AddressInfo, connect, createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { options } from './options.ts';

/** A port nothing listens on now (a random one could meet an ephemeral port already in use). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export function rssBytes(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  return Number(kb) * 1024;
}

/**
 * Starts the gateway (src/server.ts, or `entry`: another checkout's, for A/B runs) and waits until it
 * accepts connections.
 */
export async function spawnGateway(
  env: Record<string, string>,
  port: number,
  entry = new URL('../src/server.ts', import.meta.url).pathname,
): Promise<ChildProcess> {
  const profile = options.gatewayCpuProfDir;
  const child = spawn(
    process.execPath,
    [...(profile ? ['--cpu-prof', `--cpu-prof-dir=${profile}`] : []), '--import', 'tsx', entry],
    {
      env: { ...process.env, GATEWAY_PORT: String(port), LOG_LEVEL: 'warn', ...env },
      stdio: ['ignore', 'inherit', 'inherit'],
    },
  );
  const deadline = performance.now() + 180_000;
  while (performance.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`gateway exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const s = connect(port, '127.0.0.1');
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (up) return child;
    await sleep(100);
  }
  throw new Error('gateway did not start');
}

/**
 * Waits until the spawned core answers /health: on a loaded machine its start (tsx compiling the core) can
 * take longer than the kit's own wait.
 */
export async function coreReady(url: string, timeoutMs = 180_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // Not listening yet.
    }
    await sleep(250);
  }
  throw new Error(`the core at ${url} did not start`);
}
