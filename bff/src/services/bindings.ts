import { createHash } from 'node:crypto';
import type { Binding, CoreClient } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import type { Sessions } from '../auth/sessions.ts';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';

export type BindInput = { personNo: string; name: string } & (
  | { secret: string }
  | { activationCode: string }
);

export interface BindingOptions {
  /** Wrong identity answers per person and per WeChat account in a window, before a lockout. */
  failuresMax: number;
  /** Wrong identity answers from one client address in a window (many students share a campus NAT). */
  addressFailuresMax: number;
  lockoutMs: number;
  cacheMs: number;
  /** Whether the last 6 ID characters may prove identity (BIND_ID_TAIL_ENABLED); activation codes always may. */
  idTailEnabled: boolean;
}

/**
 * Identity binding, and every other check of an identity proof (cancelling a loss a parent reported).
 * The core checks the proof (a keyed digest; the BFF never sees the ID number or a stored code); the
 * BFF counts wrong answers per person (across accounts), per WeChat account and per client address in
 * the kv. Each attempt is reserved on all three counters at once before the core is asked, so a burst
 * of attempts in flight together gets no more answers than the limit; a wrong answer keeps its
 * reservation, a right one gives back only its own, so it cannot lift a lock the burst set.
 */
export class BindingService {
  constructor(
    private readonly core: CoreClient,
    private readonly kv: Kv,
    private readonly sessions: Sessions,
    private readonly options: BindingOptions,
  ) {}

  async bind(openid: string, input: BindInput, address: string) {
    this.allowProof(input);
    const bound = await this.guarded(openid, input.personNo, address, () =>
      this.core.bind({ openid, ...input }),
    );
    await this.kv.del(cacheKey(openid));
    return bound;
  }

  /**
   * Binds a single sign-on account (`sso-…`) to the person the campus identity provider proved
   * (services/sso.ts): no proof to guess, so no failure counters; the core refuses it for any other
   * account. Already bound to this person: nothing changes.
   */
  async bindProven(openid: string, personNo: string) {
    const bound = await this.core.bind({ openid, personNo, provenBy: 'sso' });
    await this.kv.del(cacheKey(openid));
    return bound;
  }

  /** Refuses the ID tail where the campus has switched it off. */
  allowProof(proof: { secret: string } | { activationCode: string }): void {
    if ('secret' in proof && !this.options.idTailEnabled)
      throw new BffError(
        'ID_TAIL_DISABLED',
        'this campus binds with the activation code from the card centre, not the ID number',
      );
  }

  /**
   * Runs a check of an identity proof under the bind failure counters: reserved before, kept on
   * IDENTITY_MISMATCH (with the attempts left), given back on any other answer.
   */
  async guarded<T>(openid: string, personNo: string, address: string, check: () => Promise<T>): Promise<T> {
    const counters = [
      // Upper case: the database compares person numbers without case, so must the counter.
      { key: failuresKey('person', personNo.toUpperCase()), max: this.options.failuresMax },
      { key: failuresKey('openid', openid), max: this.options.failuresMax },
      { key: failuresKey('address', address || 'unknown'), max: this.options.addressFailuresMax },
    ];
    const reserved = await this.kv.reserveAttempt(counters, this.options.lockoutMs);
    if (!reserved.allowed) throw this.lockedOut();
    let result: T;
    try {
      result = await check();
    } catch (error) {
      if (error instanceof CoreError && error.code === 'IDENTITY_MISMATCH') {
        const failed = await this.kv.failAttempt(counters);
        if (failed.locked) throw this.lockedOut();
        const left = Math.min(...counters.map((counter, i) => counter.max - (failed.counts[i] as number)));
        throw BffError.fromCore(error.code, error.message, { attemptsLeft: left });
      }
      await this.kv.releaseAttempt(counters.map((c) => c.key));
      throw error;
    }
    await this.kv.releaseAttempt(counters.map((c) => c.key));
    return result;
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
    await this.sessions.revokeAll(openid, undefined, 'unbound');
    return { unbound: result.unbound };
  }

  private lockedOut(): BffError {
    const minutes = Math.ceil(this.options.lockoutMs / 60_000);
    return new BffError('LOCKED_OUT', `too many wrong answers; try again in up to ${minutes} minutes`);
  }
}

/** Counter keys carry a digest of the person number (or address) rather than the value itself. */
function failuresKey(kind: 'person' | 'openid' | 'address', value: string): string {
  return `bind-failures:${kind}:${createHash('sha256').update(value).digest('base64url').slice(0, 22)}`;
}
const cacheKey = (openid: string) => `binding:${openid}`;
