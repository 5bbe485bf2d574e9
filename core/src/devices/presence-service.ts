import { z } from 'zod';
import { deviceNo } from '../contract/fields.ts';
import type { Device } from './device-service.ts';
import type { PresenceRepository } from './presence-repository.ts';

/** Rows one gateway report may carry (the gateway sends at most this many per request). */
export const presenceReportsMax = 1_000;

const u32 = z.number().int().nonnegative().max(0xffff_ffff);
const atMs = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER);

export const presenceReportInput = z.strictObject({
  /** The gateway instance sending the report (host and process, or GATEWAY_INSTANCE_ID). */
  gatewayId: z.string().regex(/^[A-Za-z0-9:_.-]{1,64}$/),
  devices: z
    .array(
      z.strictObject({
        deviceId: deviceNo,
        online: z.boolean(),
        signedInAtMs: atMs,
        lastSeenAtMs: atMs,
        configVersion: u32,
        blacklistVersion: z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER),
        offlinePending: u32,
        firmware: z.string().max(64),
      }),
    )
    .max(presenceReportsMax),
});
export type PresenceReportInput = z.infer<typeof presenceReportInput>;

/** A device's live status as the backoffice shows it. */
export interface DevicePresence {
  /** The gateway said so and the device was heard within the silence timeout. */
  online: boolean;
  gatewayId: string;
  signedInAtMs: number;
  lastSeenAtMs: number;
  firmware: string;
  /** What the device applies, and whether it lags what it should apply. */
  configVersion: number;
  configBehind: boolean;
  blacklistVersion: number;
  blacklistBehind: boolean;
  offlinePending: number;
}

export type DeviceWithPresence = Device & {
  /** The configuration version the device should apply (0: never configured). */
  currentConfigVersion: number;
  /** null: no gateway has reported the device since presence was recorded. */
  presence: DevicePresence | null;
};

export interface PresenceSummary {
  online: number;
  /** The blacklist version devices should apply. */
  blacklistVersion: number;
  atMs: number;
}

/** The gateways' reports of who is connected, and the device list with them merged in. */
export class PresenceService {
  constructor(
    private readonly repo: PresenceRepository,
    /** Silence after which a device counts as offline whatever its gateway last said (PRESENCE_SILENCE_MS). */
    private readonly silenceMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Stores a gateway's batch; answers how many rows it carried. */
  async report(input: PresenceReportInput): Promise<{ received: number }> {
    await this.repo.upsert(input.gatewayId, input.devices, this.now());
    return { received: input.devices.length };
  }

  /** The devices of one list page with their live status and the versions they should apply. */
  async merge(
    devices: readonly Device[],
  ): Promise<{ items: DeviceWithPresence[]; blacklistVersion: number }> {
    const ids = devices.map((d) => d.id);
    const [stored, configs, blacklistVersion] = await Promise.all([
      this.repo.of(ids),
      this.repo.configVersions(ids),
      this.repo.blacklistVersion(),
    ]);
    const byDevice = new Map(stored.map((p) => [p.deviceId, p]));
    const seenSinceMs = this.now() - this.silenceMs;
    const items = devices.map((device): DeviceWithPresence => {
      const currentConfigVersion = configs.get(device.id) ?? 0;
      const p = byDevice.get(device.id);
      return {
        ...device,
        currentConfigVersion,
        presence: p
          ? {
              online: p.online && p.lastSeenAtMs >= seenSinceMs,
              gatewayId: p.gatewayId,
              signedInAtMs: p.signedInAtMs,
              lastSeenAtMs: p.lastSeenAtMs,
              firmware: p.firmware,
              configVersion: p.configVersion,
              configBehind: p.configVersion < currentConfigVersion,
              blacklistVersion: p.blacklistVersion,
              blacklistBehind: p.blacklistVersion < blacklistVersion,
              offlinePending: p.offlinePending,
            }
          : null,
      };
    });
    return { items, blacklistVersion };
  }

  /** For the dashboard: how many devices are online now. */
  async summary(): Promise<PresenceSummary> {
    const atMs = this.now();
    const [online, blacklistVersion] = await Promise.all([
      this.repo.onlineCount(atMs - this.silenceMs),
      this.repo.blacklistVersion(),
    ]);
    return { online, blacklistVersion, atMs };
  }
}
