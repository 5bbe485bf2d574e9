// Presence: which devices are connected to this instance, with what they last reported (the versions
// they apply, offline records waiting), told to the core in batches for the backoffice's device list.
// Sessions only call signedIn / heartbeat / closed; nothing here touches a socket or a frame, and no
// heartbeat makes an HTTP call: the latest state per device waits in a map and changed entries go to
// the core every flush interval, at most batchSizeMax per request. A report is a state, not an event,
// and the core keeps the newest per device by lastSeenAtMs, so a failed flush is simply sent again.

import type { PresenceReportInput } from '@campus-card/core/contract';
import type { Logger } from 'pino';

export interface PresenceOptions {
  /** This instance, as the core records it (GATEWAY_INSTANCE_ID, or host:pid). */
  readonly gatewayId: string;
  /** How often changed entries are sent. */
  readonly flushIntervalMs: number;
  /** Devices per request at most (the core refuses more than 1,000). */
  readonly batchSizeMax: number;
  /**
   * A heartbeat that changes nothing is sent again only when the last one sent is older than this: the
   * core counts a device offline after 5 minutes of silence, so a live device must be re-sent well within.
   */
  readonly seenRefreshMs: number;
  /** A close is sent within this long, not at the next interval: offline should show promptly. */
  readonly closeFlushDelayMs: number;
}

export const defaultPresenceOptions: Omit<PresenceOptions, 'gatewayId'> = {
  flushIntervalMs: 5_000,
  batchSizeMax: 1_000,
  seenRefreshMs: 60_000,
  closeFlushDelayMs: 250,
};

/** What a device tells at sign-in and in every heartbeat. */
export interface DeviceReport {
  readonly configVersion: number;
  readonly blacklistVersion: number;
  readonly offlineRecordsPending: number;
}

type Row = PresenceReportInput['devices'][number];

interface Entry {
  /** The session the state belongs to: a close from an older session of the device changes nothing. */
  readonly owner: object;
  row: Row;
  /**
   * When any other frame last came (seen): kept apart from the row, so a payment does not copy the row
   * (issue #20); the row goes out with the later of the two.
   */
  seenAtMs: number;
  /** lastSeenAtMs as last sent to the core (0: never). */
  sentSeenAtMs: number;
}

export interface PresenceSink {
  reportDevicePresence(report: PresenceReportInput): Promise<unknown>;
}

export class PresenceReporter {
  private readonly entries = new Map<number, Entry>();
  private readonly dirty = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  private soon: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly core: PresenceSink,
    private readonly options: PresenceOptions,
    private readonly log: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  signedIn(owner: object, deviceId: number, report: DeviceReport & { firmware: string }): void {
    const atMs = this.now();
    this.entries.set(deviceId, {
      owner,
      row: {
        deviceId: String(deviceId),
        online: true,
        signedInAtMs: atMs,
        lastSeenAtMs: atMs,
        configVersion: report.configVersion,
        blacklistVersion: report.blacklistVersion,
        offlinePending: report.offlineRecordsPending,
        firmware: report.firmware,
      },
      seenAtMs: 0,
      sentSeenAtMs: 0,
    });
    this.dirty.add(deviceId);
  }

  heartbeat(owner: object, deviceId: number, report: DeviceReport): void {
    const entry = this.entries.get(deviceId);
    if (entry === undefined || entry.owner !== owner) return;
    const atMs = this.now();
    const row = entry.row;
    const changed =
      row.configVersion !== report.configVersion ||
      row.blacklistVersion !== report.blacklistVersion ||
      row.offlinePending !== report.offlineRecordsPending;
    entry.row = {
      ...row,
      lastSeenAtMs: atMs,
      configVersion: report.configVersion,
      blacklistVersion: report.blacklistVersion,
      offlinePending: report.offlineRecordsPending,
    };
    if (changed || atMs - entry.sentSeenAtMs >= this.options.seenRefreshMs) this.dirty.add(deviceId);
  }

  /**
   * Any other frame from the device: a busy device sends no heartbeat (it sends one only after an idle
   * interval, protocol § 10), so its requests are what keep it seen. Re-sent on the refresh interval only.
   */
  seen(owner: object, deviceId: number): void {
    const entry = this.entries.get(deviceId);
    if (entry === undefined || entry.owner !== owner) return;
    const atMs = this.now();
    entry.seenAtMs = atMs;
    if (atMs - entry.sentSeenAtMs >= this.options.seenRefreshMs) this.dirty.add(deviceId);
  }

  /** The session ended; last seen stays when the device was last heard (a newer sign-in elsewhere wins). */
  closed(owner: object, deviceId: number): void {
    const entry = this.entries.get(deviceId);
    if (entry === undefined || entry.owner !== owner) return;
    entry.row = { ...entry.row, online: false };
    this.dirty.add(deviceId);
    if (this.soon === undefined) {
      this.soon = setTimeout(() => {
        this.soon = undefined;
        void this.flush();
      }, this.options.closeFlushDelayMs);
      this.soon.unref();
    }
  }

  /** Devices with a state not yet sent. */
  get pending(): number {
    return this.dirty.size;
  }

  /** Sends every changed entry, a batch at a time; one flush runs at once (a second call waits for it). */
  flush(): Promise<void> {
    this.flushing ??= this.send().finally(() => {
      this.flushing = undefined;
    });
    return this.flushing;
  }

  /** Stops the timers and sends what is left (the sessions were closed first, so offline goes out). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.soon);
    this.soon = undefined;
    await this.flushing;
    await this.flush();
  }

  private async send(): Promise<void> {
    while (this.dirty.size > 0) {
      /** `kept`: the entry's row as it was taken, to tell whether it changed while the report was out. */
      const batch: { deviceId: number; entry: Entry; kept: Row; row: Row }[] = [];
      for (const deviceId of this.dirty) {
        const entry = this.entries.get(deviceId);
        this.dirty.delete(deviceId);
        if (entry === undefined) continue;
        const kept = entry.row;
        const row = entry.seenAtMs > kept.lastSeenAtMs ? { ...kept, lastSeenAtMs: entry.seenAtMs } : kept;
        batch.push({ deviceId, entry, kept, row });
        if (batch.length >= this.options.batchSizeMax) break;
      }
      if (batch.length === 0) return;
      try {
        await this.core.reportDevicePresence({
          gatewayId: this.options.gatewayId,
          devices: batch.map((b) => b.row),
        });
      } catch (error) {
        // Sent again at the next flush, unless the device has changed since (then its newer state goes).
        for (const b of batch) this.dirty.add(b.deviceId);
        this.log.warn({ err: error, devices: batch.length }, 'device presence not reported; will retry');
        return;
      }
      for (const b of batch) {
        b.entry.sentSeenAtMs = b.row.lastSeenAtMs;
        // An offline device is forgotten once the core has it, unless it signed in again meanwhile.
        if (!b.row.online && this.entries.get(b.deviceId) === b.entry && b.entry.row === b.kept) {
          this.entries.delete(b.deviceId);
        }
      }
    }
  }
}
