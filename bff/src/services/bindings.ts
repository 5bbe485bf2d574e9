import { createHash } from 'node:crypto';
import type { Binding, CoreClient } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import type { Sessions } from '../auth/sessions.ts';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';

export interface BindInput {
  personNo: string;
  name: string;
  secret: string;
}

/**
 * Identity binding. The core checks the secret (a keyed digest; the BFF never sees the ID number);
 * the BFF counts wrong answers per person and per WeChat account in the kv and locks both out
 * for a while after too many, on every instance at once.
 */
export class BindingService {
  constructor(
    private readonly core: CoreClient,
    private readonly kv: Kv,
    private readonly sessions: Sessions,
    private readonly options: { failuresMax: number; lockoutMs: number; cacheMs: number },
  ) {}

  async bind(openid: string, input: BindInput) {
    const counters = [failuresKey('person', input.personNo), failuresKey('openid', openid)];
    for (const counter of counters) {
      if (Number((await this.kv.get(counter)) ?? 0) >= this.options.failuresMax) throw this.lockedOut();
    }
    try {
      const bound = await this.core.bind({ openid, ...input });
      await this.kv.del(cacheKey(openid));
      return bound;
    } catch (error) {
      if (error instanceof CoreError && error.code === 'IDENTITY_MISMATCH') {
        const counts = await Promise.all(counters.map((c) => this.kv.increment(c, this.options.lockoutMs)));
        const left = this.options.failuresMax - Math.max(...counts);
        if (left <= 0) throw this.lockedOut();
        throw Object.assign(BffError.fromCore(error.code, error.status, error.message), {
          details: { attemptsLeft: left },
        });
      }
      throw error;
    }
  }

  /** The caller's binding, or NOT_BOUND. Reused from the kv for a short while: reads are most requests. */
  async require(openid: string): Promise<Binding> {
    const cached = await this.kv.get(cacheKey(openid));
    if (cached !== null) return JSON.parse(cached) as Binding;
    try {
      const binding = await this.core.binding(openid);
      await this.kv.set(cacheKey(openid), JSON.stringify(binding), this.options.cacheMs);
      return binding;
    } catch (error) {
      if (error instanceof CoreError && error.code === 'BINDING_NOT_FOUND')
        throw new BffError('NOT_BOUND', 'bind your campus identity first');
      throw error;
    }
  }

  async isBound(openid: string): Promise<boolean> {
    try {
      await this.require(openid);
      return true;
    } catch (error) {
      if (error instanceof BffError && error.code === 'NOT_BOUND') return false;
      throw error;
    }
  }

  /** Unbinds, which also kills the phone's credential in the core, and ends every session of the account. */
  async unbind(openid: string): Promise<{ unbound: boolean }> {
    const result = await this.core.unbind(openid);
    await this.kv.del(cacheKey(openid));
    await this.sessions.revokeAll(openid);
    return { unbound: result.unbound };
  }

  private lockedOut(): BffError {
    const minutes = Math.ceil(this.options.lockoutMs / 60_000);
    return new BffError('LOCKED_OUT', `too many wrong answers; try again in up to ${minutes} minutes`);
  }
}

/** Counter keys carry a digest of the person number rather than the number itself. */
function failuresKey(kind: 'person' | 'openid', value: string): string {
  return `bind-failures:${kind}:${createHash('sha256').update(value).digest('base64url').slice(0, 22)}`;
}
const cacheKey = (openid: string) => `binding:${openid}`;
