// Banknotes at self-service kiosks (docs/funds.md § Kiosk cash). The kiosk's acceptor counts the notes
// and the kiosk sends the amount under its frame's sequence; the card is credited by a ledger top_up
// from the cash channel with the operation id dev:<device>:<sequence>, so a retried frame, on any
// gateway instance, credits once. Each accepted top-up is recorded against the kiosk's cash box; a
// collection claims the box's open entries and compares them with what the collector counted.

import type { KioskCashBox, KioskCashEntry, KioskCollection } from '../contract/kiosks.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { Answer } from '../ledger/results.ts';
import type { KioskCashRepository } from './kiosk-cash-repository.ts';

export class KioskCashService {
  constructor(
    private readonly repo: KioskCashRepository,
    private readonly ledger: LedgerService,
  ) {}

  async topUp(input: {
    id: string;
    deviceRef: string;
    cardNo: string;
    amount: number;
    notes: number;
  }): Promise<Answer> {
    const answer = await this.ledger.topUp({
      id: input.id,
      cardNo: input.cardNo,
      amount: input.amount,
      channel: 'cash',
    });
    // Recorded after the ledger accepted it; a crash in between is completed by the kiosk's retry,
    // which replays the ledger's answer and records it then.
    if (answer.status === 'ok')
      await this.repo.record({
        operationId: input.id,
        deviceRef: input.deviceRef,
        cardNo: input.cardNo,
        amount: input.amount,
        notes: input.notes,
        createdAtMs: Date.now(),
      });
    return answer;
  }

  async entry(operationId: string): Promise<KioskCashEntry> {
    const entry = await this.repo.entry(operationId);
    if (!entry) throw new CoreError('NOT_FOUND', 'no such kiosk cash top-up');
    return entry;
  }

  boxes(): Promise<KioskCashBox[]> {
    return this.repo.boxes();
  }

  async collect(input: {
    deviceRef: string;
    requestId: string;
    countedAmount: number;
    collectorId: string;
    note?: string;
  }): Promise<KioskCollection> {
    const done = await this.repo.collectionByRequest(input.requestId);
    if (done) return { ...done, replayed: true };
    const made = await this.repo.collect({
      id: newId(),
      note: input.note ?? null,
      nowMs: Date.now(),
      ...input,
    });
    if (made) return { ...made, replayed: false };
    // A racing request with the same id made it first.
    const raced = await this.repo.collectionByRequest(input.requestId);
    if (!raced) throw new Error('a collection vanished after its insert');
    return { ...raced, replayed: true };
  }

  collections(filter: { status?: KioskCollection['status']; limit: number }): Promise<KioskCollection[]> {
    return this.repo.collections(filter);
  }
}
