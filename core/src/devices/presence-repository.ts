import type { Database, Param, Statement } from '../db/database.ts';

/** One device's state as a gateway instance last saw it. */
export interface PresenceReport {
  deviceId: string;
  online: boolean;
  signedInAtMs: number;
  lastSeenAtMs: number;
  configVersion: number;
  blacklistVersion: number;
  offlinePending: number;
  firmware: string;
}

export interface StoredPresence extends PresenceReport {
  gatewayId: string;
  updatedAtMs: number;
}

const columns = [
  'device_id',
  'gateway_id',
  'online',
  'signed_in_at_ms',
  'last_seen_at_ms',
  'config_version',
  'blacklist_version',
  'offline_pending',
  'firmware',
  'updated_at_ms',
] as const;
/** Every column a newer report replaces; last_seen_at_ms last (see upsert). */
const replaced = columns.filter((c) => c !== 'device_id' && c !== 'last_seen_at_ms');

/** device_presence: written only by the gateways' batched reports, read by the backoffice's device list. */
export class PresenceRepository {
  constructor(private readonly db: Database) {}

  /**
   * One statement for the whole batch. A stored row is replaced only by a report whose last_seen_at_ms
   * is not older, so a late batch from another gateway instance never moves a device backwards; the
   * database decides that, row by row, under its own lock. Answers the rows inserted or changed
   * (MySQL counts an update as 2; the figure is for logs only).
   */
  async upsert(gatewayId: string, reports: readonly PresenceReport[], nowMs: number): Promise<number> {
    if (reports.length === 0) return 0;
    return this.db.execute(...sqlOf(this.db.dialect, gatewayId, reports, nowMs));
  }

  /** The presence rows of the given devices. */
  async of(deviceIds: readonly string[]): Promise<StoredPresence[]> {
    if (deviceIds.length === 0) return [];
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${columns.join(', ')} FROM device_presence WHERE device_id IN (${deviceIds.map(() => '?').join(', ')})`,
      deviceIds,
    );
    return rows.map((r) => ({
      deviceId: String(r.device_id),
      gatewayId: String(r.gateway_id),
      online: Number(r.online) === 1,
      signedInAtMs: Number(r.signed_in_at_ms),
      lastSeenAtMs: Number(r.last_seen_at_ms),
      configVersion: Number(r.config_version),
      blacklistVersion: Number(r.blacklist_version),
      offlinePending: Number(r.offline_pending),
      firmware: String(r.firmware),
      updatedAtMs: Number(r.updated_at_ms),
    }));
  }

  /** Devices the gateways say are online and that were seen at or after `seenSinceMs`. */
  async onlineCount(seenSinceMs: number): Promise<number> {
    const rows = await this.db.select<{ n: number | string }>(
      'SELECT COUNT(*) AS n FROM device_presence WHERE online = 1 AND last_seen_at_ms >= ?',
      [seenSinceMs],
    );
    return Number(rows[0]?.n ?? 0);
  }

  /** The configuration version each device should apply (devices never configured are absent: 0). */
  async configVersions(deviceIds: readonly string[]): Promise<Map<string, number>> {
    if (deviceIds.length === 0) return new Map();
    const rows = await this.db.select<{ device_id: string; config_version: number | string }>(
      `SELECT device_id, config_version FROM device_configs WHERE device_id IN (${deviceIds.map(() => '?').join(', ')})`,
      deviceIds,
    );
    return new Map(rows.map((r) => [String(r.device_id), Number(r.config_version)]));
  }

  async blacklistVersion(): Promise<number> {
    const rows = await this.db.select<{ version: number | string }>(
      'SELECT version FROM blacklist_state WHERE id = 1',
    );
    return Number(rows[0]?.version ?? 0);
  }
}

function sqlOf(
  dialect: Database['dialect'],
  gatewayId: string,
  reports: readonly PresenceReport[],
  nowMs: number,
): [string, Param[]] {
  const params: Param[] = [];
  for (const r of reports) {
    params.push(
      r.deviceId,
      gatewayId,
      r.online ? 1 : 0,
      r.signedInAtMs,
      r.lastSeenAtMs,
      r.configVersion,
      r.blacklistVersion,
      r.offlinePending,
      r.firmware,
      nowMs,
    );
  }
  const row = `(${columns.map(() => '?').join(', ')})`;
  const insert = `INSERT INTO device_presence (${columns.join(', ')}) VALUES ${reports.map(() => row).join(', ')}`;
  let statement: Statement['sql'];
  if (dialect === 'mysql') {
    // MySQL assigns left to right and later expressions see earlier assignments, so the column the
    // condition reads is assigned last.
    const newer = 'VALUES(last_seen_at_ms) >= last_seen_at_ms';
    const set = [...replaced, 'last_seen_at_ms'].map((c) => `${c} = IF(${newer}, VALUES(${c}), ${c})`);
    statement = `${insert} ON DUPLICATE KEY UPDATE ${set.join(', ')}`;
  } else {
    const set = [...replaced, 'last_seen_at_ms'].map((c) => `${c} = excluded.${c}`);
    statement = `${insert} ON CONFLICT (device_id) DO UPDATE SET ${set.join(', ')} WHERE excluded.last_seen_at_ms >= device_presence.last_seen_at_ms`;
  }
  return [statement, params];
}
