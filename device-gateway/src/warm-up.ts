// Warm-up before the listener opens (issue #20): a restarted gateway opens its connections to the core
// first, so the first payments do not each wait for a TCP connect on top of their own work. What cannot
// be warmed ahead (certificates seen for the first time, code not yet compiled) is covered by admission's
// lower bound during the first second (admission.ts).

import type { CoreClient } from '@campus-card/core/client';
import type { Logger } from 'pino';

/**
 * `connections` signed requests at once, so the client's pool opens that many kept-alive connections
 * (and the core's signature check runs once on each); waited for at most `waitMs`. A core that does not
 * answer does not keep the gateway down: the first payments open connections as before.
 */
export async function warmCoreConnections(
  core: Pick<CoreClient, 'passageVersion'>,
  connections: number,
  log: Logger,
  waitMs = 2_000,
): Promise<number> {
  let opened = 0;
  const calls = Array.from({ length: connections }, () =>
    core.passageVersion().then(
      () => {
        opened += 1;
      },
      () => undefined,
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
  });
  await Promise.race([Promise.all(calls), waited]);
  clearTimeout(timer);
  if (opened < connections) log.warn({ opened, connections }, 'core connections not all warmed');
  return opened;
}
