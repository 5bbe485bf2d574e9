import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MessageRepository } from './message-repository.ts';

/**
 * A platform access token shared by every core instance through the database (message_tokens): the
 * instance that finds it missing, near expiry or rejected takes the refresh lease with a conditional
 * UPDATE and fetches one; the others wait for the new generation instead of asking the platform too
 * (WeChat's cgi-bin/token invalidates the previous token after a while and is rate limited).
 */
export class SharedToken {
  private readonly owner = `tok-${randomBytes(6).toString('hex')}`;

  constructor(
    private readonly repo: MessageRepository,
    private readonly name: string,
    private readonly fetchToken: () => Promise<{ token: string; expiresInS: number }>,
    private readonly options: { leaseMs?: number; waitMs?: number; now?: () => number } = {},
  ) {}

  /** The current token; `rejected` is one the platform just refused, which is then refreshed once. */
  async get(rejected?: string): Promise<string> {
    const now = this.options.now ?? Date.now;
    const leaseMs = this.options.leaseMs ?? 10_000;
    const deadline = now() + leaseMs * 2;
    for (;;) {
      const held = await this.repo.token(this.name);
      const fresh = held.token !== null && held.expiresAtMs - 300_000 > now() && held.token !== rejected;
      if (fresh && held.token !== null) return held.token;
      const nowMs = now();
      if (await this.repo.leaseToken(this.name, this.owner, held.generation, nowMs, nowMs + leaseMs)) {
        try {
          const got = await this.fetchToken();
          await this.repo.storeToken(this.name, this.owner, got.token, now() + got.expiresInS * 1000);
          return got.token;
        } catch (error) {
          await this.repo.releaseToken(this.name, this.owner);
          throw error;
        }
      }
      if (now() > deadline) throw new Error(`${this.name}: no token within ${leaseMs * 2} ms`);
      await sleep(this.options.waitMs ?? 50);
    }
  }
}
