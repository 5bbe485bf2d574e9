import { randomBytes } from 'node:crypto';
import type { Device, DeviceKind, DeviceStatus, DeviceWithKey, NewDevice } from '../contract/devices.ts';
import { isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import type { Pii } from '../pii.ts';
import type { DeviceRepository, DeviceRow } from './device-repository.ts';

export type { Device, DeviceKind, DeviceStatus, NewDevice } from '../contract/devices.ts';
export { deviceKinds } from '../contract/devices.ts';

/** The device key is 32 random bytes (docs/protocol.md § 4.1); it leaves the core only sealed or once in hex. */
export const deviceKeyBytes = 32;

/** Registers, disables and re-keys devices; stores each key sealed at rest (AES-256-GCM under PII_KEY). */
export class DeviceService {
  private readonly listeners: ((deviceId: string) => void)[] = [];

  constructor(
    private readonly repository: DeviceRepository,
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
      await this.repository.insert({
        id: input.id,
        kind: input.kind,
        merchantId: input.merchantId ?? null,
        campusId: input.campusId ?? null,
        keyEnc: this.pii.encrypt(keyHex),
        createdAtMs: Date.now(),
      });
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
    return (await this.repository.list(limit)).map(toDevice);
  }

  async withKey(id: string): Promise<DeviceWithKey> {
    const row = await this.row(id);
    if (row.keyEnc === null) throw new CoreError('NOT_FOUND', 'the device has no key');
    return { ...toDevice(row), keyHex: this.pii.decrypt(row.keyEnc) };
  }

  async setStatus(id: string, status: DeviceStatus): Promise<Device> {
    await this.row(id);
    await this.repository.setStatus(id, status);
    this.changed(id);
    return this.get(id);
  }

  /** Moves the device to a campus, or makes it centre-wide (null); the campus domain checks the campus. */
  async setCampus(id: string, campusId: string | null): Promise<Device> {
    if (!(await this.repository.setCampus(id, campusId))) throw new CoreError('NOT_FOUND', 'no such device');
    return this.get(id);
  }

  /** A new key replaces the old at once: the device must be given the new one before it next signs in. */
  async rekey(id: string): Promise<DeviceWithKey> {
    await this.row(id);
    const keyHex = randomBytes(deviceKeyBytes).toString('hex');
    await this.repository.replaceKey(id, this.pii.encrypt(keyHex));
    this.changed(id);
    return { ...(await this.get(id)), keyHex };
  }

  private async row(id: string): Promise<DeviceRow> {
    const row = await this.repository.find(id);
    if (!row) throw new CoreError('NOT_FOUND', 'no such device');
    return row;
  }
}

function toDevice(row: DeviceRow): Device {
  return {
    id: row.id,
    kind: row.kind as DeviceKind,
    merchantId: row.merchantId,
    status: row.status as DeviceStatus,
    keyVersion: row.keyVersion,
    campusId: row.campusId,
  };
}
