import type {
  Device,
  DeviceWithPresence,
  PresenceReportInput,
  PresenceSummary,
} from '../contract/devices.ts';
import type { PresenceRepository } from './presence-repository.ts';

export type {
  DevicePresence,
  DeviceWithPresence,
  PresenceReportInput,
  PresenceSummary,
} from '../contract/devices.ts';
export { presenceReportSchema as presenceReportInput, presenceReportsMax } from '../contract/devices.ts';

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
