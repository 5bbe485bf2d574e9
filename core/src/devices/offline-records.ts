// Offline records a device uploads after it was cut off (docs/protocol.md § 12.3). The gateway has
// checked each record's MAC and read the card from its code (it holds the device key and the campus keys);
// here each record gets its final status: accepted, duplicate, exception (stored, could not be charged in
// full: listed for administrators, the shortfall booked against SYS-OFFLINE-RECEIVABLE) or rejected.
// Nothing is charged twice: a payment record is charged under the same operation id as an online request
// of the same (device, sequence), and a record already stored answers duplicate.

import type { BusRides } from '../bus/bus-rides.ts';
import { storedDeviceSettings } from '../contract/device-config.ts';
import {
  gapRangesMax,
  type OfflineRecordInput,
  type OfflineResult,
  type OfflineStatus,
  type OfflineUploadResult,
} from '../contract/device-records.ts';
import { type Database, isDuplicateKey, type Tx } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { Accepted, Answer } from '../ledger/results.ts';
import { formatDay, shanghaiDay } from '../time.ts';
import type { AccessEvents } from './access-events.ts';
import type { AttendanceService } from './attendance-service.ts';
import { DeviceConfigRepository } from './device-config-repository.ts';
import { personTypeAllowed } from './device-configs.ts';

/** The offline records each device kind may store (protocol § 12.1: meters never decide offline). */
const recordKindsOf: Readonly<Record<string, readonly OfflineRecordInput['recordKind'][]>> = {
  pos: ['payment'],
  // A school-bus reader is a gate: its rides (protocol § 7.26) are stored as bus_ride records.
  gate: ['access', 'bus_ride'],
  kiosk: ['access'],
  attendance: ['attendance'],
  shower: [],
  laundry: [],
};

/** Ledger codes named the way devices and administrators see them (protocol § 8.3). */
function reasonOf(code: string): string {
  switch (code) {
    case 'CARD_VERSION_STALE':
      return 'CREDENTIAL_REVOKED';
    case 'MERCHANT_NOT_FOUND':
      return 'MERCHANT_DISABLED';
    default:
      return code;
  }
}

/** The offline totals a device's configuration caps (protocol § 7.8); undefined: never configured. */
interface OfflineCaps {
  perCardDailyMaxFen: number;
  deviceTotalMaxFen: number;
}

interface Outcome {
  status: OfflineStatus;
  reason: string;
  operationId?: string;
  /** For an exception: the amount and what of it is a receivable. */
  exception?: { amount: number; receivable: number };
}

/**
 * Another centre's card taken offline here (docs/federation.md § A unreachable): the federation domain
 * takes the payment under that centre's offline policy, to be forwarded to it, or says why not.
 */
export interface ForeignOffline {
  takeOffline(
    request: {
      id: string;
      centreId: string;
      cardNo: string;
      merchantId: string;
      deviceId?: string;
      amount: number;
      cardVersion?: number;
      codeId?: string;
    },
    takenAtMs: number,
  ): Promise<Answer | 'NOT_PERMITTED' | 'LIMIT_EXCEEDED'>;
}

/** The card service's read of a card, for its person type (the cards domain owns it). */
export interface CardTypes {
  get(cardNo: string): Promise<{ personType: string }>;
}

export class OfflineRecords {
  constructor(
    private readonly db: Database,
    private readonly ledger: LedgerService,
    private readonly access: AccessEvents,
    private readonly attendance: AttendanceService,
    private readonly cards: CardTypes,
    private readonly bus: BusRides,
    private readonly foreign: ForeignOffline,
  ) {
    this.configs = new DeviceConfigRepository(db);
  }

  private readonly configs: DeviceConfigRepository;

  async upload(deviceId: string, records: readonly OfflineRecordInput[]): Promise<OfflineUploadResult> {
    const devices = await this.db.select<{ merchant_id: string | null; key_version: number; kind: string }>(
      'SELECT merchant_id, key_version, kind FROM devices WHERE id = ?',
      [deviceId],
    );
    const device = devices[0];
    if (!device) throw new CoreError('NOT_FOUND', 'no such device');
    // A re-key restarts the device's sequence and offline numbers: records of each key are kept apart.
    const keyVersion = Number(device.key_version);
    const ref = keyVersion === 1 ? deviceId : `${deviceId}-${keyVersion}`;
    // The totals are judged by the device's configuration at upload time, like the rest of its
    // offline policy (protocol § 12.1). A device never configured is held to the ledger's limits alone;
    // one whose offline use is off has its payments made exceptions NOT_PERMITTED by the gateway.
    const stored = await this.configs.find(deviceId);
    const settings = stored ? storedDeviceSettings.parse(stored.settings) : undefined;
    const offline = settings?.offline;
    const caps: OfflineCaps | undefined = offline?.enabled
      ? { perCardDailyMaxFen: offline.perCardDailyMaxFen, deviceTotalMaxFen: offline.deviceTotalMaxFen }
      : undefined;
    // Who may use the device (personTypes) is kept by the server alone, so an offline gate or attendance
    // reader cannot know it: its accepted records are judged here, as the gateway judges payments.
    const allows = async (cardNo: string): Promise<boolean> => {
      if (settings === undefined || !settings.personTypes?.length) return true;
      const card = await this.cards.get(cardNo).catch((error: unknown) => {
        if (error instanceof CoreError && error.code === 'CARD_NOT_FOUND') return undefined;
        throw error;
      });
      return card !== undefined && personTypeAllowed(settings, card.personType);
    };
    const results: OfflineResult[] = [];
    // In order, one at a time: records of one upload may depend on each other (the same card twice).
    for (const record of records) {
      const outcome = (recordKindsOf[device.kind] ?? []).includes(record.recordKind)
        ? await this.settle(ref, device.merchant_id, record, caps, allows)
        : await this.settle(ref, null, record, caps, allows, 'NOT_PERMITTED');
      results.push({ sequence: record.sequence, status: outcome.status, reason: outcome.reason });
    }
    return { results, gaps: await this.gaps(ref) };
  }

  private async settle(
    deviceId: string,
    merchantId: string | null,
    r: OfflineRecordInput,
    caps: OfflineCaps | undefined,
    allows: (cardNo: string) => Promise<boolean>,
    /** Set for a record its device's kind may not store: stored as evidence, rejected for this reason. */
    notAllowed?: string,
  ): Promise<Outcome> {
    const stored = await this.db.select<{
      record_hash: string;
      status: OfflineStatus;
      reason: string | null;
    }>('SELECT record_hash, status, reason FROM offline_records WHERE device_id = ? AND offline_no = ?', [
      deviceId,
      r.offlineNo,
    ]);
    const earlier = stored[0];
    if (earlier) {
      // Uploaded before: the first outcome stands. Another record under the same number is a fault.
      return earlier.record_hash === r.recordHash
        ? { status: 'duplicate', reason: 'NONE' }
        : { status: 'rejected', reason: 'SEQUENCE_CONFLICT' };
    }
    const outcome: Outcome =
      notAllowed === undefined
        ? await this.decide(deviceId, merchantId, r, caps, allows)
        : { status: 'rejected', reason: notAllowed };
    try {
      // The record and its exception together: an exception is never lost behind a stored record.
      await this.db.transaction((tx) => this.store(tx, deviceId, r, outcome));
    } catch (error) {
      // The same upload retried at the same moment: the other stored it first.
      if (isDuplicateKey(error)) return { status: 'duplicate', reason: 'NONE' };
      throw error;
    }
    return outcome;
  }

  private async store(tx: Tx, deviceId: string, r: OfflineRecordInput, outcome: Outcome): Promise<void> {
    // Another centre's card number is that centre's: never stored as one of our cards.
    const foreignCardNo = r.centreId ? r.cardNo : null;
    const cardNo = r.centreId ? null : r.cardNo;
    await this.db.execute(
      `INSERT INTO offline_records (device_id, offline_no, sequence, record_kind, decision, taken_at_ms, amount, order_no, session_id, card_no, record_hash, status, reason, operation_id, received_at_ms)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        deviceId,
        r.offlineNo,
        r.sequence,
        r.recordKind,
        r.decision,
        r.takenAtMs,
        r.amount,
        r.orderNo,
        r.sessionId,
        cardNo,
        r.recordHash,
        outcome.status === 'duplicate' ? 'accepted' : outcome.status,
        outcome.reason === 'NONE' ? null : outcome.reason,
        outcome.operationId ?? null,
        Date.now(),
      ],
      tx,
    );
    if (!outcome.exception) return;
    await this.db.execute(
      `INSERT INTO offline_exceptions (id, device_id, offline_no, sequence, card_no, amount, receivable_amount, reason, operation_id, status, taken_at_ms, created_at_ms, centre_id, centre_card_no)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?)`,
      [
        newId(),
        deviceId,
        r.offlineNo,
        r.sequence,
        cardNo,
        outcome.exception.amount,
        outcome.exception.receivable,
        outcome.reason,
        outcome.operationId ?? null,
        r.takenAtMs,
        Date.now(),
        r.centreId ?? null,
        foreignCardNo,
      ],
      tx,
    );
  }

  private async decide(
    deviceId: string,
    merchantId: string | null,
    r: OfflineRecordInput,
    caps: OfflineCaps | undefined,
    allows: (cardNo: string) => Promise<boolean>,
  ): Promise<Outcome> {
    if (!r.macOk) return { status: 'rejected', reason: 'BAD_RECORD_MAC' };
    const sameSequence = await this.db.select<{ offline_no: number }>(
      'SELECT offline_no FROM offline_records WHERE device_id = ? AND sequence = ?',
      [deviceId, r.sequence],
    );
    if (sameSequence.length > 0) return { status: 'rejected', reason: 'SEQUENCE_CONFLICT' };
    const refused = (why: string, amount = 0): Outcome => ({
      status: 'exception',
      reason: why,
      exception: { amount, receivable: 0 },
    });
    // Declined online before the ledger (the code did not verify, was used already, a limit of the
    // device): the goods went out against a refusal, so nothing is charged and the administrators decide.
    if (r.onlineDecline && r.recordKind === 'payment' && r.decision === 'accepted') {
      if (!r.onlineDecline.sameRequest) return { status: 'rejected', reason: 'SEQUENCE_CONFLICT' };
      return refused(r.onlineDecline.reason, r.amount);
    }
    switch (r.recordKind) {
      case 'payment': {
        // A refused payment is evidence only; nothing to charge.
        if (r.decision === 'refused') return { status: 'accepted', reason: 'NONE' };
        if (r.cardNo === null) return refused(r.codeRefusal ?? 'CODE_INVALID', r.amount);
        if (merchantId === null) return refused('MERCHANT_DISABLED', r.amount);
        if (r.centreId) return this.forward(deviceId, merchantId, r, r.centreId, r.cardNo);
        return this.charge(deviceId, merchantId, r, r.cardNo, caps);
      }
      case 'access': {
        // A passage the device let through for a card of a type it does not serve: kept on the card's
        // access history as it happened, and an exception NOT_PERMITTED for the administrators.
        const notPermitted = r.decision === 'accepted' && r.cardNo !== null && !(await allows(r.cardNo));
        await this.access.record({
          deviceId,
          sequence: r.sequence,
          cardNo: r.cardNo,
          direction: 'none',
          decision: r.decision === 'accepted' ? 'allow' : 'deny',
          reason: r.decision === 'accepted' ? null : (r.codeRefusal ?? 'NOT_PERMITTED'),
          source: 'offline',
          occurredAtMs: r.takenAtMs,
        });
        return notPermitted ? refused('NOT_PERMITTED') : { status: 'accepted', reason: 'NONE' };
      }
      case 'attendance': {
        if (r.decision === 'refused') return { status: 'accepted', reason: 'NONE' };
        if (r.cardNo === null || r.sessionId === null) return refused(r.codeRefusal ?? 'CODE_INVALID');
        // Not signed in: a card of a type the reader does not serve is no attendance of this session.
        if (!(await allows(r.cardNo))) return refused('NOT_PERMITTED');
        const signed = await this.attendance.signIn({
          sessionId: r.sessionId,
          cardNo: r.cardNo,
          deviceId,
          sequence: r.sequence,
          atMs: r.takenAtMs,
          source: 'offline',
        });
        if (signed.status === 'recorded' || signed.status === 'already_recorded') {
          return { status: 'accepted', reason: 'NONE' };
        }
        return refused(signed.status === 'not_on_roster' ? 'NOT_PERMITTED' : 'OUTSIDE_WINDOW');
      }
      case 'bus_ride':
        return this.busRide(deviceId, merchantId, r, caps);
    }
  }

  /**
   * A ride a bus reader let on offline (the run id in `sessionId`, the fare in `amount`, 0 for a booked
   * seat or a free ride). The bus domain judges it first: a definite online refusal under the same
   * sequence stays a refusal (nothing charged), and the card's offline rides on the run are capped. A fare
   * is then charged on the offline payment path like any offline payment, and the ride stored.
   */
  private async busRide(
    deviceId: string,
    merchantId: string | null,
    r: OfflineRecordInput,
    caps: OfflineCaps | undefined,
  ): Promise<Outcome> {
    if (r.decision === 'refused') return { status: 'accepted', reason: 'NONE' };
    const exception = (why: string): Outcome => ({
      status: 'exception',
      reason: why,
      exception: { amount: r.amount, receivable: 0 },
    });
    if (r.cardNo === null || r.sessionId === null) return exception(r.codeRefusal ?? 'CODE_INVALID');
    // A fare the device's own offline policy forbids (offline use off, above its offline maximum), as the
    // gateway judged it: an exception with that reason, nothing charged or boarded.
    if (r.onlineDecline && r.amount > 0)
      return r.onlineDecline.sameRequest
        ? exception(r.onlineDecline.reason)
        : { status: 'rejected', reason: 'SEQUENCE_CONFLICT' };
    const ride = {
      deviceId,
      sequence: r.sequence,
      runId: r.sessionId,
      cardNo: r.cardNo,
      amountFen: r.amount,
      takenAtMs: r.takenAtMs,
    };
    const verdict = await this.bus.offlineRide(ride);
    if (verdict.verdict === 'duplicate') return { status: 'duplicate', reason: 'NONE' };
    if (verdict.verdict === 'refused') return exception(verdict.reason);
    if (verdict.verdict === 'boarded') return { status: 'accepted', reason: 'NONE' };
    if (merchantId === null) return exception('MERCHANT_DISABLED');
    const charged = await this.charge(deviceId, merchantId, r, r.cardNo, caps);
    if (charged.status !== 'rejected')
      await this.bus.recordOfflineFare({ ...ride, operationId: charged.operationId ?? null });
    return charged;
  }

  /**
   * Another centre's card, taken offline: under the id an online attempt of the same sequence used. Asked
   * online already, that answer stands (its centre's refusal stays a refusal); otherwise the payment is
   * taken under its centre's offline policy and forwarded to it, or is an exception for the policy's
   * reason. Our device's own per-card totals do not count it (the number is that centre's); its cap does.
   */
  private async forward(
    deviceId: string,
    merchantId: string,
    r: OfflineRecordInput,
    centreId: string,
    cardNo: string,
  ): Promise<Outcome> {
    const operationId = `dev:${deviceId}:${r.sequence}`;
    const online = await this.ledger.operation(operationId).catch((error: unknown) => {
      if (error instanceof CoreError && error.code === 'OPERATION_NOT_FOUND') return undefined;
      throw error;
    });
    if (online !== undefined) {
      if (online.kind !== 'foreign_sale' || online.amount !== r.amount)
        return { status: 'rejected', reason: 'SEQUENCE_CONFLICT' };
      if (online.result.status === 'ok') return { status: 'duplicate', reason: 'NONE', operationId };
      return {
        status: 'exception',
        reason: reasonOf(online.result.code),
        operationId,
        exception: { amount: r.amount, receivable: 0 },
      };
    }
    const taken = await this.foreign.takeOffline(
      {
        id: operationId,
        centreId,
        cardNo,
        merchantId,
        deviceId,
        amount: r.amount,
        ...(r.cardVersion === null ? {} : { cardVersion: r.cardVersion }),
        ...(r.codeId ? { codeId: r.codeId } : {}),
      },
      r.takenAtMs,
    );
    if (typeof taken === 'string' || taken.status === 'rejected')
      return {
        status: 'exception',
        reason: typeof taken === 'string' ? taken : reasonOf(taken.code),
        operationId,
        exception: { amount: r.amount, receivable: 0 },
      };
    return { status: 'accepted', reason: 'NONE', operationId };
  }

  /** Charges an offline payment under the id an online attempt of the same sequence would have used. */
  private async charge(
    deviceId: string,
    merchantId: string,
    r: OfflineRecordInput,
    cardNo: string,
    caps: OfflineCaps | undefined,
  ): Promise<Outcome> {
    const operationId = `dev:${deviceId}:${r.sequence}`;
    const online = await this.ledger.operation(operationId).catch((error: unknown) => {
      if (error instanceof CoreError && error.code === 'OPERATION_NOT_FOUND') return undefined;
      throw error;
    });
    let declinedFor: string | undefined;
    if (online !== undefined) {
      const sameRequest = online.kind === 'payment' && online.cardNo === cardNo && online.amount === r.amount;
      // Our own offline charge of this record, made before a crash kept the record from being stored.
      if (sameRequest && online.result.status === 'ok' && online.result.receivableAmount !== undefined) {
        return this.outcomeOf(online.result, undefined, operationId, r.amount);
      }
      // The device timed out online and fell back to offline; the server had answered.
      if (sameRequest && online.outcome === 'ok') return { status: 'duplicate', reason: 'NONE', operationId };
      if (!sameRequest || online.result.status !== 'rejected') {
        return { status: 'rejected', reason: 'SEQUENCE_CONFLICT' };
      }
      // Declined online, accepted offline: the goods were handed over; charge it as an offline payment.
      declinedFor = reasonOf(online.result.code);
      // Unless the ledger's refusal was final for the code or the device: a code another payment already
      // consumed, or a disabled device. Charging the record would pay the code twice or take a disabled
      // device's sale; it is an exception with that reason and nothing is booked.
      if (online.result.code === 'CODE_REPLAYED' || online.result.code === 'DEVICE_DISABLED') {
        return {
          status: 'exception',
          reason: declinedFor,
          operationId,
          exception: { amount: r.amount, receivable: 0 },
        };
      }
    }
    const id = declinedFor === undefined ? operationId : `${operationId}:offline`;
    // The device's offline totals are taken before the ledger is asked and given back if it took nothing.
    const taken = caps ? await this.reserveTotals(deviceId, cardNo, r, caps) : [];
    if (taken === undefined)
      return {
        status: 'exception',
        reason: 'LIMIT_EXCEEDED',
        exception: { amount: r.amount, receivable: 0 },
      };
    // An unknown outcome (the ledger unreachable) keeps the amount counted: a retry may find it charged.
    const answer: Answer = await this.ledger.pay({
      id,
      cardNo,
      merchantId,
      deviceId,
      amount: r.amount,
      offline: true,
      takenAtMs: r.takenAtMs,
      ...(r.cardVersion === null ? {} : { cardVersion: r.cardVersion }),
      ...(r.codeId ? { codeId: r.codeId } : {}),
    });
    if (answer.status === 'rejected') await this.giveBack(deviceId, taken, r.amount);
    return this.outcomeOf(answer, declinedFor, id, r.amount);
  }

  /**
   * Takes the payment's amount from the card's total for the record's Asia/Shanghai day at this device
   * and from the device's total of payments stored since its last upload, each with one conditional
   * UPDATE (total + amount <= cap), so uploads racing from several gateway instances are counted one
   * after the other. Answers the scopes taken, or undefined (nothing kept) when either cap is passed.
   * "Since its last upload": the device deletes what it uploaded (protocol § 12.3), so what it held when
   * it took this record is what it took after the last upload the server received before that moment.
   */
  private async reserveTotals(
    deviceId: string,
    cardNo: string,
    r: OfflineRecordInput,
    caps: OfflineCaps,
  ): Promise<string[] | undefined> {
    if (r.amount === 0) return [];
    const last = await this.db.select<{ at: number | null }>(
      'SELECT MAX(received_at_ms) AS at FROM offline_records WHERE device_id = ? AND received_at_ms < ?',
      [deviceId, r.takenAtMs],
    );
    const scopes: [string, number][] = [
      [`card:${cardNo}:${formatDay(shanghaiDay(r.takenAtMs))}`, caps.perCardDailyMaxFen],
      [`stored:${Number(last[0]?.at ?? 0)}`, caps.deviceTotalMaxFen],
    ];
    const ignore = this.db.dialect === 'mysql' ? 'INSERT IGNORE' : 'INSERT OR IGNORE';
    const taken: string[] = [];
    for (const [scope, cap] of scopes) {
      await this.db.execute(`${ignore} INTO offline_totals (device_id, scope, total_fen) VALUES (?, ?, 0)`, [
        deviceId,
        scope,
      ]);
      const changed = await this.db.execute(
        'UPDATE offline_totals SET total_fen = total_fen + ? WHERE device_id = ? AND scope = ? AND total_fen + ? <= ?',
        [r.amount, deviceId, scope, r.amount, cap],
      );
      if (changed !== 1) {
        await this.giveBack(deviceId, taken, r.amount);
        return undefined;
      }
      taken.push(scope);
    }
    return taken;
  }

  private async giveBack(deviceId: string, scopes: readonly string[], amount: number): Promise<void> {
    for (const scope of scopes) {
      await this.db.execute(
        'UPDATE offline_totals SET total_fen = total_fen - ? WHERE device_id = ? AND scope = ? AND total_fen >= ?',
        [amount, deviceId, scope, amount],
      );
    }
  }

  private outcomeOf(
    answer: Answer | Accepted,
    declinedFor: string | undefined,
    operationId: string,
    amount: number,
  ): Outcome {
    if (answer.status === 'rejected') {
      return {
        status: 'exception',
        reason: reasonOf(answer.code),
        operationId,
        exception: { amount, receivable: 0 },
      };
    }
    const receivable = answer.receivableAmount ?? 0;
    if (receivable === 0 && declinedFor === undefined)
      return { status: 'accepted', reason: 'NONE', operationId };
    return {
      status: 'exception',
      reason: declinedFor ?? reasonOf(answer.shortfall ?? 'INSUFFICIENT_FUNDS'),
      operationId,
      exception: { amount, receivable },
    };
  }

  /** Missing record numbers below the highest received, lowest first, at most 32 ranges. */
  private async gaps(deviceId: string): Promise<OfflineUploadResult['gaps']> {
    const gaps: OfflineUploadResult['gaps'] = [];
    const lowest = await this.db.select<{ n: number | null }>(
      'SELECT MIN(offline_no) AS n FROM offline_records WHERE device_id = ?',
      [deviceId],
    );
    const min = lowest[0]?.n;
    if (min === null || min === undefined) return gaps;
    if (Number(min) > 1) gaps.push({ fromOfflineNo: 1, toOfflineNo: Number(min) - 1 });
    const rows = await this.db.select<{ from_no: number; to_no: number }>(
      `SELECT a.offline_no + 1 AS from_no,
              (SELECT MIN(b.offline_no) FROM offline_records b WHERE b.device_id = a.device_id AND b.offline_no > a.offline_no) - 1 AS to_no
         FROM offline_records a
        WHERE a.device_id = ?
          AND NOT EXISTS (SELECT 1 FROM offline_records c WHERE c.device_id = a.device_id AND c.offline_no = a.offline_no + 1)
          AND a.offline_no < (SELECT MAX(d.offline_no) FROM offline_records d WHERE d.device_id = a.device_id)
        ORDER BY a.offline_no LIMIT ?`,
      [deviceId, gapRangesMax],
    );
    for (const row of rows) gaps.push({ fromOfflineNo: Number(row.from_no), toOfflineNo: Number(row.to_no) });
    return gaps.slice(0, gapRangesMax);
  }
}
