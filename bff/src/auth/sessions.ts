import type { Kv } from '../kv/index.ts';

/** A login session as the kv keeps it: whose it is, alive until revoked or expired. */
export interface Session {
  openid: string;
  createdAtMs: number;
}

const key = (sessionId: string) => `session:${sessionId}`;

/** The store of live login sessions; an access token is honoured only while its session lives. */
export class Sessions {
  constructor(
    private readonly kv: Kv,
    private readonly ttlMs: number,
  ) {}

  async open(sessionId: string, session: Session): Promise<void> {
    await this.kv.set(key(sessionId), JSON.stringify(session), this.ttlMs);
  }

  async get(sessionId: string): Promise<Session | null> {
    const raw = await this.kv.get(key(sessionId));
    return raw === null ? null : (JSON.parse(raw) as Session);
  }

  async revoke(sessionId: string): Promise<void> {
    await this.kv.del(key(sessionId));
  }
}
