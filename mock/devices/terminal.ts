// What every simulated terminal keeps across connections, the way a real one keeps it in flash: the
// sequence counter, the configuration and blacklist the server pushed, and the records it stored while
// offline. Offline it verifies QR codes itself with the campus keys from its configuration and refuses
// blacklisted cards (docs/protocol.md § 12); on reconnect it downloads the blacklist if it is behind and
// uploads its records, oldest first, deleting each one that got a result. It keeps the other card centres'
// keys and blacklists too (CENTRE_KEYS, protocol § 7.29): another centre's card is checked against that
// centre's list, never against ours (card numbers repeat across centres).

import {
  createCampusKeyring,
  createMemoryReplayGuard,
  createVerifier,
  type VerifyResult,
} from '@campus-card/core/credential';
import { createNodeEd25519Verify } from '@campus-card/core/credential/node';
import {
  type BlacklistEntry,
  blacklistRefuses,
  type CampusKey,
  type ConfigPush,
  type DeviceKind,
  type Message,
  type OfflineRecord,
  type OfflineRecordBody,
  type OfflineRecordResult,
  offlineRecordBytes,
  offlineRecordsPerUploadMax,
  payloadBytesMax,
  type ScannedCode,
  signOfflineRecord,
} from '@campus-card/device-gateway/protocol';
import { type DeviceMemoryView, SimulatedDevice } from './device.ts';

export interface TerminalOptions {
  readonly host?: string;
  readonly port: number;
  readonly deviceId: number;
  readonly key: Uint8Array;
  readonly requestTimeoutMs?: number;
  readonly requestRetriesMax?: number;
  /** How many times a request answered BUSY is sent again after its retry-after (protocol § 7.9). */
  readonly busyRetriesMax?: number;
}

/** What the scanner read: digits are a numeric pay code (typed, or from a 1-D barcode), anything else a QR. */
export function scannedCode(text: string): ScannedCode {
  return /^[0-9]+$/.test(text) ? { kind: 'numeric', text } : { kind: 'qr', text };
}

/** A decision the terminal took on its own: the record it stored, or why it refused. */
export type OfflineDecision =
  | { readonly accepted: true; readonly record: OfflineRecord }
  | { readonly accepted: false; readonly reason: string };

const ed25519Verify = createNodeEd25519Verify();

export class Terminal {
  private connection: SimulatedDevice | undefined;
  private readonly memory: DeviceMemoryView & {
    configVersion: number;
    blacklistVersion: number;
    offlineRecordsPending: number;
  } = { sequence: 0, configVersion: 0, blacklistVersion: 0, offlineRecordsPending: 0 };
  config: ConfigPush | undefined;
  readonly blacklist = new Map<string, BlacklistEntry>();
  /** The other centres (CENTRE_KEYS): their keys, and their lists at the version held here. */
  readonly centres = new Map<
    string,
    {
      keys: readonly CampusKey[];
      /** The version CENTRE_KEYS announced, and the one held. */
      announced: number;
      version: number;
      list: Map<string, BlacklistEntry>;
    }
  >();
  /** The other centres' offline policies for their cards here (CENTRE_OFFLINE_POLICY). */
  readonly centrePolicies = new Map<string, { paymentMaxFen: number; cardDailyMaxFen: number }>();
  /** What each other centre's card paid offline here per local day (centre:card:day → fen). */
  private readonly centreCardSpentFen = new Map<string, number>();
  /** Stored offline, not yet uploaded; oldest first. */
  readonly records: OfflineRecord[] = [];
  /** Results of every upload, for the operator's screen (and tests). */
  readonly uploadResults: OfflineRecordResult[] = [];
  private offlineNo = 0;
  private offlineSinceMs: number | undefined;
  private readonly acceptedCodes = createMemoryReplayGuard();
  private offlineSpentFen = 0;
  /** BUSY answers this terminal waited out and retried, for the operator's screen (and tests). */
  busyAnswers = 0;

  constructor(
    readonly kind: DeviceKind,
    private readonly options: TerminalOptions,
  ) {}

  get online(): boolean {
    return this.connection !== undefined && !this.connection.closed;
  }

  get deviceId(): number {
    return this.options.deviceId;
  }

  /** Connects, signs in, catches up the blacklist and uploads what it stored. Throws if the gateway is away. */
  async connect(): Promise<void> {
    this.connection = await SimulatedDevice.connect({
      ...this.options,
      kind: this.kind,
      memory: this.memory,
      onPush: (message) => this.applyPush(message),
    });
    this.offlineSinceMs = undefined;
    // The server pushes CONFIG_PUSH right after sign-in when ours differs; a heartbeat tells us the versions.
    const ack = await this.connection.heartbeat();
    if (ack.kind === 'heartbeat_ack' && ack.blacklistVersion !== this.memory.blacklistVersion) {
      await this.downloadBlacklist();
    }
    // CENTRE_KEYS came with the sign-in, before requests could be sent: the other centres' lists now.
    for (const [centreId, centre] of this.centres) {
      if (centre.announced !== centre.version) await this.downloadCentreBlacklist(centreId);
    }
    await this.uploadRecords();
  }

  /**
   * Protocol § 10.4–10.5: a device confirms the configuration and blacklist it applies by reporting
   * them in a HEARTBEAT. A busy terminal sends no idle heartbeats, so it confirms right after applying.
   */
  private confirmVersions(): void {
    this.connection?.heartbeat().catch(() => {});
  }

  /** Drops the connection (the network went away); the terminal works offline from here. */
  disconnect(): void {
    this.connection?.close();
    this.connection = undefined;
    this.offlineSinceMs ??= Date.now();
  }

  close(): void {
    this.disconnect();
  }

  /** An online request; throws when the terminal is offline or the gateway does not answer. */
  protected request(message: Message): Promise<Message> {
    if (!this.online || this.connection === undefined) return Promise.reject(new Error('offline'));
    return this.connection.request(message);
  }

  /**
   * An online request that honours BUSY (protocol § 7.9): the server refused it before the ledger, so after
   * the frame's retry-after the terminal sends the same request under the same sequence, up to
   * `busyRetriesMax` times (default 5), then hands the last BUSY back. SERVER_BUSY, the older code, is
   * treated as BUSY with 1 s. A BUSY is not a lost connection: the terminal does not go offline for it.
   */
  protected async requestHonouringBusy(message: Message): Promise<Message> {
    if (!this.online || this.connection === undefined) throw new Error('offline');
    this.memory.sequence += 1;
    const sequence = this.memory.sequence;
    const retriesMax = this.options.busyRetriesMax ?? 5;
    for (let attempt = 0; ; attempt++) {
      const connection = this.connection;
      if (!this.online || connection === undefined) throw new Error('offline');
      const reply = await connection.request(message, sequence);
      const busy = reply.kind === 'error' && (reply.code === 'BUSY' || reply.code === 'SERVER_BUSY');
      if (!busy || attempt >= retriesMax) return reply;
      this.busyAnswers += 1;
      const waitMs = reply.code === 'BUSY' ? (reply.retryAfterMs ?? 1_000) : 1_000;
      await new Promise((resolve) => setTimeout(resolve, waitMs));
    }
  }

  /**
   * The offline rules of protocol § 12.1: a QR code that verifies with the campus keys, not blacklisted,
   * not accepted before; for payments the per-payment and device-total limits.
   */
  protected async decideOffline(
    body: Omit<OfflineRecordBody, 'sequence' | 'offlineNo' | 'takenAtMs' | 'decision'>,
    /** A door's own rules (door-controller.ts): a refusal's reason for a verified card, or null to let it pass. */
    judge?: (card: { cardNo: string; personType: string }) => string | null,
    /** What the record carries for a verified card (a bus reader: the fare, or 0 for a booked seat). */
    amountOf?: (card: { cardNo: string; personType: string }) => number,
  ): Promise<OfflineDecision> {
    const policy = this.config?.offline;
    if (!policy?.enabled) return { accepted: false, reason: 'OFFLINE_DISABLED' };
    if (this.records.length >= policy.recordsMax) return { accepted: false, reason: 'RECORDS_FULL' };
    if (
      this.offlineSinceMs !== undefined &&
      Date.now() - this.offlineSinceMs > policy.durationMaxSeconds * 1000
    ) {
      return { accepted: false, reason: 'OFFLINE_TOO_LONG' };
    }
    // Only the server holds the secrets numeric codes are checked against (protocol § 12.1).
    if (body.code.kind !== 'qr') return { accepted: false, reason: 'NUMERIC_CODE_ONLINE_ONLY' };
    if (body.recordKind === 'payment') {
      if (body.amountFen > policy.paymentMaxFen) return { accepted: false, reason: 'LIMIT_EXCEEDED' };
      if (this.offlineSpentFen + body.amountFen > policy.deviceTotalMaxFen) {
        return { accepted: false, reason: 'LIMIT_EXCEEDED' };
      }
    }
    const verified = await this.verify(body.code.text);
    if (!verified.ok) {
      // Refused access attempts are kept as evidence; refused payments are not (protocol § 12.2).
      if (body.recordKind !== 'payment') this.store({ ...body, decision: 'refused' });
      return { accepted: false, reason: verified.code };
    }
    const refusal = judge?.(verified.card) ?? null;
    if (refusal !== null) {
      this.store({ ...body, decision: 'refused' });
      return { accepted: false, reason: refusal };
    }
    // Another centre's card: that centre's offline policy too (protocol § 7.29, CENTRE_OFFLINE_POLICY).
    const centreId = this.centreOfKid(verified.kid);
    if (centreId !== undefined && body.recordKind === 'payment') {
      const centre = this.centrePolicies.get(centreId) ?? { paymentMaxFen: 0, cardDailyMaxFen: 0 };
      const day = Math.floor((Date.now() / 60_000 + (this.config?.utcOffsetMinutes ?? 480)) / 1_440);
      const key = `${centreId}:${verified.card.cardNo}:${day}`;
      const spent = this.centreCardSpentFen.get(key) ?? 0;
      if (body.amountFen > centre.paymentMaxFen || spent + body.amountFen > centre.cardDailyMaxFen)
        return { accepted: false, reason: 'LIMIT_EXCEEDED' };
      this.centreCardSpentFen.set(key, spent + body.amountFen);
    }
    if (body.recordKind === 'payment') this.offlineSpentFen += body.amountFen;
    const amountFen = amountOf?.(verified.card) ?? body.amountFen;
    return { accepted: true, record: this.store({ ...body, amountFen, decision: 'accepted' }) };
  }

  private store(body: Omit<OfflineRecordBody, 'sequence' | 'offlineNo' | 'takenAtMs'>): OfflineRecord {
    this.memory.sequence += 1;
    this.offlineNo += 1;
    const record = signOfflineRecord(this.options.key, this.options.deviceId, {
      ...body,
      sequence: this.memory.sequence,
      offlineNo: this.offlineNo,
      takenAtMs: Date.now(),
    });
    this.records.push(record);
    this.memory.offlineRecordsPending = this.records.length;
    return record;
  }

  /** The other centre whose key this is, if it is not one of the device's own. */
  private centreOfKid(kid: number): string | undefined {
    if (this.config?.campusKeys.some((k) => k.kid === kid)) return undefined;
    for (const [centreId, centre] of this.centres)
      if (centre.keys.some((k) => k.kid === kid)) return centreId;
    return undefined;
  }

  private async verify(text: string): Promise<VerifyResult> {
    const config = this.config;
    if (config === undefined) return { ok: false, code: 'UNKNOWN_KEY' } as VerifyResult;
    const own = new Set(config.campusKeys.map((k) => k.kid));
    const centreOf = new Map<number, string>();
    const keys = config.campusKeys.map((k) => ({ kid: k.kid, publicKey: k.publicKey }));
    for (const [centreId, centre] of this.centres) {
      for (const k of centre.keys) {
        if (own.has(k.kid)) continue;
        centreOf.set(k.kid, centreId);
        keys.push({
          kid: k.kid,
          publicKey: k.publicKey,
          ...(k.retiredAtMs === 0 ? {} : { retiredAtMs: k.retiredAtMs }),
        });
      }
    }
    const verifier = createVerifier({
      keyring: createCampusKeyring(keys),
      replayGuard: this.acceptedCodes,
      codeValidityMs: config.offline.codeValiditySeconds * 1000,
      clockSkewMs: config.offline.clockSkewSeconds * 1000,
      ed25519Verify,
    });
    const result = await verifier.verify(text);
    if (!result.ok) return result;
    // Lost, frozen, cancelled: every version; reissued: every version but the current one (§ 10.5) — on
    // the list of the centre whose key signed the certificate.
    const centreId = centreOf.get(result.kid);
    const list = centreId === undefined ? this.blacklist : this.centres.get(centreId)?.list;
    if (blacklistRefuses(list?.get(result.card.cardNo), result.card.cardVersion)) {
      return { ok: false, code: 'BLACKLISTED', message: 'blacklisted' };
    }
    return result;
  }

  private applyPush(message: Message): void {
    if (message.kind === 'config_push') {
      if (message.configVersion > this.memory.configVersion) {
        this.config = message;
        this.memory.configVersion = message.configVersion;
        this.confirmVersions();
      }
      return;
    }
    if (message.kind === 'centre_keys') {
      for (const id of [...this.centres.keys()])
        if (!message.centres.some((c) => c.centreId === id)) this.centres.delete(id);
      for (const c of message.centres) {
        const held = this.centres.get(c.centreId);
        this.centres.set(c.centreId, {
          keys: c.keys,
          announced: c.blacklistVersion,
          version: held?.version ?? 0,
          list: held?.list ?? new Map(),
        });
        if (c.blacklistVersion !== (held?.version ?? 0))
          this.downloadCentreBlacklist(c.centreId).catch(() => {});
      }
      return;
    }
    if (message.kind === 'centre_offline_policy') {
      this.centrePolicies.clear();
      for (const c of message.centres)
        this.centrePolicies.set(c.centreId, {
          paymentMaxFen: c.paymentMaxFen,
          cardDailyMaxFen: c.cardDailyMaxFen,
        });
      return;
    }
    if (message.kind === 'centre_blacklist_delta') {
      const centre = this.centres.get(message.centreId);
      if (centre === undefined) return;
      if (message.fromVersion !== centre.version) {
        this.downloadCentreBlacklist(message.centreId).catch(() => {});
        return;
      }
      for (const change of message.changes) {
        if (change.op === 'add') centre.list.set(change.cardNo, change);
        else centre.list.delete(change.cardNo);
      }
      centre.version = message.toVersion;
      return;
    }
    if (message.kind === 'blacklist_delta') {
      if (message.fromVersion !== this.memory.blacklistVersion) {
        this.downloadBlacklist().catch(() => {});
        return;
      }
      for (const change of message.changes) {
        if (change.op === 'add') this.blacklist.set(change.cardNo, change);
        else this.blacklist.delete(change.cardNo);
      }
      this.memory.blacklistVersion = message.toVersion;
      this.confirmVersions();
      return;
    }
    this.pushed(message);
  }

  /** Pushes a subclass understands (a door controller's rule-table deltas and commands). */
  protected pushed(_message: Message): void {}

  /** Protocol § 10.5: a delta from our version, or the snapshot chunk by chunk, replaced atomically. */
  private async downloadBlacklist(): Promise<void> {
    let version = 0;
    let chunkIndex = 0;
    let collected: BlacklistEntry[] = [];
    for (let guard = 0; guard < 1_000; guard++) {
      const answer = await this.request({
        kind: 'blacklist_request',
        haveVersion: this.memory.blacklistVersion,
        version,
        chunkIndex,
      });
      if (answer.kind === 'blacklist_delta') {
        this.applyPush(answer);
        return;
      }
      if (answer.kind !== 'blacklist_chunk') throw new Error(`BLACKLIST_REQUEST answered ${answer.kind}`);
      if (answer.version !== version) collected = [];
      version = answer.version;
      collected.push(...answer.entries);
      if (answer.chunkIndex + 1 >= answer.chunkCount) {
        this.blacklist.clear();
        for (const entry of collected) this.blacklist.set(entry.cardNo, entry);
        this.memory.blacklistVersion = version;
        this.confirmVersions();
        return;
      }
      chunkIndex = answer.chunkIndex + 1;
    }
  }

  /** Protocol § 7.29: another centre's list, as our own (§ 10.5) with that centre's id and versions. */
  private async downloadCentreBlacklist(centreId: string): Promise<void> {
    let version = 0;
    let chunkIndex = 0;
    let collected: BlacklistEntry[] = [];
    for (let guard = 0; guard < 1_000; guard++) {
      const centre = this.centres.get(centreId);
      if (centre === undefined) return;
      const answer = await this.request({
        kind: 'centre_blacklist_request',
        centreId,
        haveVersion: centre.version,
        version,
        chunkIndex,
      });
      if (answer.kind === 'centre_blacklist_delta') {
        this.applyPush(answer);
        return;
      }
      if (answer.kind !== 'centre_blacklist_chunk')
        throw new Error(`CENTRE_BLACKLIST_REQUEST answered ${answer.kind}`);
      if (answer.version !== version) collected = [];
      version = answer.version;
      collected.push(...answer.entries);
      if (answer.chunkIndex + 1 >= answer.chunkCount) {
        centre.list = new Map(collected.map((entry) => [entry.cardNo, entry]));
        centre.version = version;
        return;
      }
      chunkIndex = answer.chunkIndex + 1;
    }
  }

  /** Protocol § 12.3: as many records as fit in a frame, one upload at a time, each deleted once answered. */
  private async uploadRecords(): Promise<void> {
    while (this.records.length > 0) {
      const batch: OfflineRecord[] = [];
      let bytes = 1;
      for (const record of this.records) {
        const size = offlineRecordBytes(record);
        if (batch.length >= offlineRecordsPerUploadMax || bytes + size > payloadBytesMax) break;
        batch.push(record);
        bytes += size;
      }
      const answer = await this.request({ kind: 'offline_upload', records: batch });
      if (answer.kind !== 'offline_upload_result') throw new Error(`OFFLINE_UPLOAD answered ${answer.kind}`);
      this.uploadResults.push(...answer.results);
      this.records.splice(0, answer.results.length);
      this.memory.offlineRecordsPending = this.records.length;
    }
    this.offlineSpentFen = 0;
  }
}
