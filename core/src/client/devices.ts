import type { DeviceConfig, DevicePrices, DeviceSettings } from '../contract/device-config.ts';
import type {
  AccessEventInput,
  AccessEventView,
  OfflineRecordInput,
  OfflineUploadResult,
} from '../contract/device-records.ts';
import type {
  BlacklistChanges,
  BlacklistSnapshot,
  Device,
  DeviceStatus,
  DeviceWithKey,
  DeviceWithPresence,
  NewDevice,
  OfflineResolutionInput,
  PresenceReportInput,
  PresenceSummary,
  ResolvedException,
} from '../contract/devices.ts';
import { DomainClient, pageQuery, query } from './transport.ts';

/** Devices: registration, keys, configuration, presence, the blacklist, offline records and exceptions, access events. */
export class DevicesClient extends DomainClient {
  /** Answers the new device's key, the only time it is shown apart from `deviceKey`. */
  registerDevice(input: NewDevice): Promise<DeviceWithKey> {
    return this.transport.call('POST', '/v1/devices', input);
  }
  /**
   * Every device in id order (at most `limit`, 500 by default), without keys, each with its live status
   * from the gateways (`presence`, null if never reported) and the versions it should apply.
   */
  devices(limit?: number): Promise<{ items: DeviceWithPresence[]; blacklistVersion: number }> {
    return this.transport.call('GET', `/v1/devices${query({ limit })}`);
  }
  /** For the device gateway: a batch of devices' latest state (at most 1,000); an older report never wins. */
  reportDevicePresence(report: PresenceReportInput): Promise<{ received: number }> {
    return this.transport.call('POST', '/v1/device-presence', report);
  }
  /** How many devices are online now (heard within the silence timeout), for the dashboard. */
  devicePresenceSummary(): Promise<PresenceSummary> {
    return this.transport.call('GET', '/v1/device-presence/summary');
  }
  getDevice(id: string): Promise<Device> {
    return this.transport.call('GET', `/v1/devices/${encodeURIComponent(id)}`);
  }
  /** For the device gateway: the device, its key and its configuration, to check a sign-in. */
  deviceKey(id: string): Promise<DeviceWithKey & { config: DeviceConfig }> {
    return this.transport.call('GET', `/v1/devices/${encodeURIComponent(id)}/key`);
  }
  rekeyDevice(id: string): Promise<DeviceWithKey> {
    return this.transport.call('POST', `/v1/devices/${encodeURIComponent(id)}/key`);
  }
  deviceConfig(id: string): Promise<DeviceConfig> {
    return this.transport.call('GET', `/v1/devices/${encodeURIComponent(id)}/config`);
  }
  /** Replaces the device's configuration under the next version; connected gateways push it at once. */
  putDeviceConfig(id: string, settings: Partial<DeviceSettings>): Promise<DeviceConfig> {
    return this.transport.call('PUT', `/v1/devices/${encodeURIComponent(id)}/config`, settings);
  }
  /** An approved price change: price items and meter pricing over the rest of the configuration. */
  putDevicePrices(id: string, prices: DevicePrices): Promise<DeviceConfig> {
    return this.transport.call('PUT', `/v1/devices/${encodeURIComponent(id)}/config/prices`, prices);
  }
  setDeviceStatus(id: string, status: DeviceStatus): Promise<Device> {
    return this.transport.call('PUT', `/v1/devices/${encodeURIComponent(id)}/status`, { status });
  }
  /** For the device gateway: the whole blacklist at one version. */
  blacklist(): Promise<BlacklistSnapshot> {
    return this.transport.call('GET', '/v1/blacklist');
  }
  /** For the device gateway: blacklist changes above `since`, oldest first (a page of at most `limit`). */
  blacklistChanges(since: number, limit?: number): Promise<BlacklistChanges> {
    return this.transport.call(
      'GET',
      `/v1/blacklist/changes?since=${since}${limit === undefined ? '' : `&limit=${limit}`}`,
    );
  }
  /** For the device gateway: settles a batch of a device's offline records (checked by the gateway). */
  uploadOfflineRecords(
    deviceId: string,
    records: readonly OfflineRecordInput[],
  ): Promise<OfflineUploadResult> {
    return this.transport.call('POST', `/v1/devices/${encodeURIComponent(deviceId)}/offline-records`, {
      records,
    });
  }
  /** Offline exceptions newest first; the next page starts before the last item's (createdAtMs, id). */
  offlineExceptions(
    status: 'open' | 'closed' = 'open',
    limit = 50,
    before?: { beforeAtMs: number; beforeId: string },
    campusId?: string,
  ): Promise<{ items: ResolvedException[] }> {
    return this.transport.call(
      'GET',
      `/v1/offline-exceptions${query({ status, limit, ...before, campusId })}`,
    );
  }
  /**
   * Recovers (from the card's main wallet), writes off or dismisses an open exception, once. A retry of
   * the same requestId answers the same exception (replayed: true); INSUFFICIENT_FUNDS changes nothing.
   */
  resolveOfflineException(
    id: string,
    input: OfflineResolutionInput,
  ): Promise<ResolvedException & { replayed: boolean }> {
    return this.transport.call('POST', `/v1/offline-exceptions/${encodeURIComponent(id)}/resolve`, input);
  }
  /** Records an identity check; answers false when this (device, sequence) was already recorded. */
  async recordAccessEvent(event: AccessEventInput): Promise<boolean> {
    return (await this.transport.call<{ recorded: boolean }>('POST', '/v1/access-events', event)).recorded;
  }
  /** A card's access events, newest first. */
  accessEvents(
    cardNo: string,
    page: { limit?: number; beforeAtMs?: number } = {},
  ): Promise<{ items: AccessEventView[] }> {
    return this.transport.call('GET', `/v1/cards/${cardNo}/access-events${pageQuery(page)}`);
  }
}
