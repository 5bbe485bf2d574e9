import { randomBytes } from 'node:crypto';
import { type Database, isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import type { Pii } from '../pii.ts';

export const deviceKinds = ['pos', 'gate', 'attendance', 'shower', 'laundry', 'kiosk'] as const;
export type DeviceKind = (typeof deviceKinds)[number];
export type DeviceStatus = 'active' | 'disabled';

/** The device key is 32 random bytes (docs/protocol.md § 4.1); it leaves the core only sealed or once in hex. */
export const deviceKeyBytes = 32;

export interface NewDevice {
  /** The protocol's u32 device id, as decimal text. */
  id: string;
  kind: DeviceKind;
  merchantId?: string | null;
}

export interface Device {
  id: string;
  kind: DeviceKind;
  merchantId: string | null;
  status: DeviceStatus;
  keyVersion: number;
}

/** What the gateway needs to check a sign-in: the device and its key, hex. */
export interface DeviceWithKey extends Device {
  keyHex: string;
}

/** Registers, disables and re-keys devices; stores each key sealed at rest (AES-256-GCM under PII_KEY). */
export class DeviceService {
  private readonly listeners: ((deviceId: string) => void)[] = [];

  constructor(
    private readonly db: Database,
    private readonly pii: Pii,
  ) {}

  /**
   * Told the device id after a disable, an enable or a re-key is committed. The core announces it on the
   * device channel (like a configuration change), and every gateway instance ends the device's session.
   */
  onChanged(listener: (deviceId: string) => void): void {
    this.listeners.push(listener);
  }

  private changed(id: string): void {
    for (const listener of this.listeners) listener(id);
  }

  /** Answers the key exactly once, here; later only the gateway reads it, sealed in transit by the signed API. */
  async register(input: NewDevice): Promise<DeviceWithKey> {
    const keyHex = randomBytes(deviceKeyBytes).toString('hex');
    try {
      await this.db.execute(
        "INSERT INTO devices (id, kind, merchant_id, status, key_enc, key_version, created_at_ms) VALUES (?, ?, ?, 'active', ?, 1, ?)",
        [input.id, input.kind, input.merchantId ?? null, this.pii.encrypt(keyHex), Date.now()],
      );
    } catch (error) {
      if (isDuplicateKey(error)) throw new CoreError('ALREADY_EXISTS', 'a device with that id exists');
      throw error;
    }
    return { ...(await this.get(input.id)), keyHex };
  }

  async get(id: string): Promise<Device> {
    return toDevice(await this.row(id));
  }

  /** Every device in id order (numeric: shorter ids first), at most `limit`, for the backoffice's list. */
  async list(limit: number): Promise<Device[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT id, kind, merchant_id, status, key_version FROM devices ORDER BY LENGTH(id), id LIMIT ?',
      [limit],
    );
    return rows.map(toDevice);
  }

  async withKey(id: string): Promise<DeviceWithKey> {
    const row = await this.row(id);
    if (typeof row.key_enc !== 'string') throw new CoreError('NOT_FOUND', 'the device has no key');
    return { ...toDevice(row), keyHex: this.pii.decrypt(row.key_enc) };
  }

  async setStatus(id: string, status: DeviceStatus): Promise<Device> {
    await this.row(id);
    // The disabled period (database clock) decides which of its offline records the ledger still charges:
    // those taken before the disable (docs/ledger.md). MySQL's later assignments see the earlier ones, so
    // status is assigned last and each CASE reads the status as it was before this change.
    const now = this.db.nowMsSql;
    await this.db.execute(
      status === 'disabled'
        ? `UPDATE devices SET disabled_at_ms = CASE WHEN status = 'disabled' THEN disabled_at_ms ELSE ${now} END,
             reenabled_at_ms = CASE WHEN status = 'disabled' THEN reenabled_at_ms ELSE NULL END, status = 'disabled' WHERE id = ?`
        : `UPDATE devices SET reenabled_at_ms = CASE WHEN status = 'disabled' THEN ${now} ELSE reenabled_at_ms END,
             status = 'active' WHERE id = ?`,
      [id],
    );
    this.changed(id);
    return this.get(id);
  }

  /** A new key replaces the old at once: the device must be given the new one before it next signs in. */
  async rekey(id: string): Promise<DeviceWithKey> {
    await this.row(id);
    const keyHex = randomBytes(deviceKeyBytes).toString('hex');
    await this.db.execute('UPDATE devices SET key_enc = ?, key_version = key_version + 1 WHERE id = ?', [
      this.pii.encrypt(keyHex),
      id,
    ]);
    this.changed(id);
    return { ...(await this.get(id)), keyHex };
  }

  private async row(id: string): Promise<Record<string, unknown>> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT id, kind, merchant_id, status, key_enc, key_version FROM devices WHERE id = ?',
      [id],
    );
    const row = rows[0];
    if (!row) throw new CoreError('NOT_FOUND', 'no such device');
    return row;
  }
}

function toDevice(row: Record<string, unknown>): Device {
  return {
    id: String(row.id),
    kind: row.kind as DeviceKind,
    merchantId: row.merchant_id === null ? null : String(row.merchant_id),
    status: row.status as DeviceStatus,
    keyVersion: Number(row.key_version),
  };
}
