import type { Server } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A core instance's way out without failing a request (docs/operations.md § Upgrade without downtime).
 * On SIGTERM it first drains: readiness answers 503 (check `shutdown`) while it goes on serving, so the
 * load balancer in front of the cores (deploy/haproxy/cores.cfg) takes it out and sends it nothing new;
 * then it stops accepting, answers the requests in flight, and closes.
 */
export class Shutdown {
  private draining = false;
  private inFlight = 0;

  /** Requests received and not yet answered. */
  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Readiness check: down from the start of the drain. */
  readonly check = async (): Promise<void> => {
    if (this.draining) throw new Error('draining');
  };

  /** Counts the server's requests until their responses are finished or abandoned. */
  track(server: Server): void {
    server.on('request', (_req, res) => {
      this.inFlight++;
      res.once('close', () => {
        this.inFlight--;
      });
    });
  }

  /** Readiness down, and serving on for drainMs: long enough for the balancer's checks to see it. */
  async drain(drainMs: number): Promise<void> {
    this.draining = true;
    await sleep(drainMs);
  }

  /**
   * Stops accepting connections, closes the idle keep-alive ones as they become idle, and waits for the
   * requests in flight to be answered, at most timeoutMs; whatever is left then is cut.
   */
  async close(server: Server, timeoutMs: number): Promise<void> {
    this.draining = true;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    const deadline = Date.now() + timeoutMs;
    while (this.inFlight > 0 && Date.now() < deadline) {
      server.closeIdleConnections();
      await sleep(20);
    }
    server.closeAllConnections();
    await closed;
  }
}
