// Starts one of the services (core, device gateway, BFF) as production runs it, in a process of its
// own, and answers whether it came up: the production-secrets tests of every workspace use it.
import { spawn } from 'node:child_process';
import { once } from 'node:events';

/** How a started service ended: `code` null when it listened (and was then stopped), else its exit code. */
export interface ServiceStart {
  code: number | null;
  output: string;
}

/**
 * Runs `entry` (a server.ts) under tsx with only PATH and `env` in its environment, and waits until it
 * prints `listening` (then stops it with SIGTERM) or exits by itself. `output` is stdout and stderr.
 */
export async function startServiceProcess(
  entry: string,
  env: Record<string, string>,
  listening: string,
): Promise<ServiceStart> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listened = new Promise<void>((resolve) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes(listening)) resolve();
    };
    child.stdout.on('data', read);
    child.stderr.on('data', read);
  });
  const exited = once(child, 'exit');
  const first = await Promise.race([
    listened.then(() => 'listening' as const),
    exited.then(() => 'exited' as const),
  ]);
  if (first === 'listening') {
    child.kill('SIGTERM');
    await exited;
    return { code: null, output };
  }
  return { code: child.exitCode, output };
}
