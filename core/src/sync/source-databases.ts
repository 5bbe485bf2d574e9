import mysql from 'mysql2/promise';

/**
 * The academic-affairs and HR databases, which the card system reads but does not own: one small pool per
 * configured source, in UTC, shared by every reader of them (people and rosters for the sync, photos for
 * exam readers). Readers issue SELECTs only.
 */
export type SourceName = 'academic' | 'hr';

export class SourceDatabases {
  private readonly pools = new Map<SourceName, mysql.Pool>();
  private closing: Promise<void> | undefined;

  constructor(urls: { academic?: string | undefined; hr?: string | undefined }, connectionLimit = 3) {
    for (const [source, url] of [
      ['academic', urls.academic],
      ['hr', urls.hr],
    ] as const) {
      if (!url) continue;
      const pool = mysql.createPool({
        uri: url,
        connectionLimit,
        timezone: 'Z',
        dateStrings: true,
        charset: 'utf8mb4_unicode_ci',
      });
      pool.on('connection', (c) => c.query("SET time_zone = '+00:00'"));
      this.pools.set(source, pool);
    }
  }

  has(source: SourceName): boolean {
    return this.pools.has(source);
  }

  async query<T>(source: SourceName, sql: string, params: unknown[] = []): Promise<T[]> {
    const pool = this.pools.get(source);
    if (!pool) throw new Error(`no ${source} database is configured`);
    const [rows] = await pool.query(sql, params);
    return rows as T[];
  }

  /** Ends the pools once, however many owners ask. */
  close(): Promise<void> {
    this.closing ??= Promise.all([...this.pools.values()].map((p) => p.end())).then(() => undefined);
    return this.closing;
  }
}

/** DATETIME(3) text in UTC, as the source sessions use. */
export function toSourceTime(ms: number): string {
  return new Date(Math.max(0, ms)).toISOString().replace('T', ' ').replace('Z', '');
}

export function fromSourceTime(text: string): number {
  const ms = Date.parse(`${text.replace(' ', 'T')}Z`);
  if (!Number.isFinite(ms)) throw new Error(`not a source time: ${text.slice(0, 32)}`);
  return ms;
}
