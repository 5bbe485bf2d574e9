import { createHmac } from 'node:crypto';
import { newCardNo } from '../cards/card-service.ts';
import { isDuplicateKey } from '../db/database.ts';
import { guardianPhoneDigester, type SealedGuardianContact } from '../guardians/guardian-contacts.ts';
import type { Pii } from '../pii.ts';
import { endsCard, type InvalidRow, isInvalid, judgeRow, type ValidPerson } from './person-rows.ts';
import { type Cursor, type PersonStream, type SourceReader, sourceOf } from './source-reader.ts';
import { type CloseOuts, syncActorId } from './sync-close-outs.ts';
import type { NewSyncedPerson, PersonState, SyncRepository } from './sync-repository.ts';
import type { RunHooks, RunState } from './sync-run-state.ts';

export interface PeopleSyncOptions {
  /** Source rows read and applied per page (one progress update each). */
  pageRowsMax: number;
  /** People opened per database transaction. */
  openChunkMax: number;
  dailyLimit: number;
  pinFreeLimit: number;
  piiKeyHex: string;
}

/**
 * The people story of an identity-sync run (docs/sync.md): a person stream of the academic-affairs or
 * HR database is read page by page; new people get cards and wallets, changed ones are updated (moving
 * between admin scopes with their department), leavers are closed out, and invalid rows are reported
 * with a reason and not applied.
 */
export class PeopleSync {
  private readonly digestKey: Buffer;
  private readonly guardianDigest: (phone: string) => string;

  constructor(
    private readonly repo: SyncRepository,
    private readonly reader: SourceReader,
    private readonly closeOuts: CloseOuts,
    private readonly pii: Pii,
    private readonly options: PeopleSyncOptions,
  ) {
    this.digestKey = createHmac('sha256', Buffer.from(options.piiKeyHex, 'hex'))
      .update('identity-sync digest')
      .digest();
    this.guardianDigest = guardianPhoneDigester(options.piiKeyHex);
  }

  /** The guardian on record sealed for storage (sql/150), or null. */
  private sealGuardian(person: ValidPerson): SealedGuardianContact | null {
    const g = person.guardian;
    if (g === null) return null;
    return {
      nameEnc: g.name === null ? null : this.pii.encrypt(g.name),
      phoneEnc: this.pii.encrypt(g.phone),
      phoneDigest: this.guardianDigest(g.phone),
    };
  }

  /** Applies the stream's rows after `since`, then (full runs) closes out the people no longer in it. */
  async sync(state: RunState, stream: PersonStream, since: Cursor, hooks: RunHooks): Promise<void> {
    const seen = state.run.kind === 'full' ? new Set<string>() : undefined;
    let cursor = since;
    let advanced = false;
    for (;;) {
      const page = await this.reader.pagePeople(stream, cursor, this.options.pageRowsMax);
      if (page.length === 0) break;
      for (const row of page) if (row.personNo) seen?.add(row.personNo);
      await this.applyPage(
        state,
        stream,
        page.map((row) => judgeRow(row, this.digestKey)),
        hooks,
      );
      state.rowsRead += page.length;
      const last = page[page.length - 1] as (typeof page)[number];
      cursor = { afterMs: last.updatedAtMs, afterId: Number(last.rowId) };
      advanced = true;
      await hooks.progress(stream);
      if (page.length < this.options.pageRowsMax) break;
    }
    if (seen) await this.closeOuts.cancelVanished(state, stream, seen, hooks);
    // Only after the whole stream is applied: a run that fails part-way re-reads from the old mark.
    if (advanced) await this.repo.advanceWatermark(stream, cursor);
  }

  private async applyPage(
    state: RunState,
    stream: PersonStream,
    judged: (ValidPerson | InvalidRow)[],
    hooks: RunHooks,
  ): Promise<void> {
    const invalid: InvalidRow[] = judged.filter(isInvalid);
    let valid = judged.filter((j): j is ValidPerson => !isInvalid(j));
    // A number on two source rows is ambiguous: neither row is applied until the source is fixed.
    const duplicates = await this.reader.duplicateNumbers(stream, [...new Set(valid.map((p) => p.personNo))]);
    const bad = (p: ValidPerson, code: InvalidRow['code'], reason: string) =>
      invalid.push({ stream, rowId: p.rowId, personNo: p.personNo, code, reason });
    valid = valid.filter((p) => {
      if (!duplicates.has(p.personNo)) return true;
      bad(p, 'DUPLICATE_NUMBER', 'the number is on more than one source row');
      return false;
    });
    const people = await this.repo.people(valid.map((p) => p.personNo));
    const toOpen: ValidPerson[] = [];
    const toUpdate: { state: PersonState; person: ValidPerson }[] = [];
    const toCancel: { state: PersonState; person: ValidPerson }[] = [];
    for (const p of valid) {
      const s = people.get(p.personNo);
      if (!s) {
        // Someone who already graduated or left before the card system knew them gets no card.
        if (!endsCard(p.status)) toOpen.push(p);
        continue;
      }
      if (s.source !== null && s.source !== sourceOf(stream)) {
        bad(p, 'NUMBER_IN_OTHER_SOURCE', `the number belongs to a person from the ${s.source} database`);
        continue;
      }
      if (s.digest === p.digest) continue;
      if (endsCard(p.status)) {
        // A card already cancelled still goes through cancel(): it finds the refund a crashed run left.
        if (endsCard(s.personStatus)) toUpdate.push({ state: s, person: p });
        else toCancel.push({ state: s, person: p });
      } else if (endsCard(s.personStatus) || s.cardStatus === 'cancelled') {
        bad(
          p,
          'CARD_ENDED',
          'the source shows this person active again but their card was cancelled; the card centre opens a new one',
        );
      } else {
        toUpdate.push({ state: s, person: p });
      }
    }
    await this.open(state, toOpen);
    if (toUpdate.length > 0) {
      await this.repo.updatePeople(
        toUpdate.map(({ state: s, person }) => ({
          state: s,
          person,
          idNumberEnc: person.idNumber ? this.pii.encrypt(person.idNumber) : null,
          phoneEnc: person.phone ? this.pii.encrypt(person.phone) : null,
          guardian: this.sealGuardian(person),
          // A person whose card had already ended keeps their ended status.
          personStatus: endsCard(s.personStatus) && !endsCard(person.status) ? s.personStatus : person.status,
        })),
      );
      state.counts.updated += toUpdate.length;
    }
    await this.closeOuts.cancel(
      state,
      stream,
      toCancel.map(({ state: s, person }) => ({ state: s, person, status: person.status })),
      hooks,
    );
    await hooks.report(invalid);
  }

  private async open(state: RunState, people: readonly ValidPerson[]): Promise<void> {
    for (let i = 0; i < people.length; i += this.options.openChunkMax) {
      const chunk = people.slice(i, i + this.options.openChunkMax);
      const sealed = chunk.map((person) => ({
        person,
        idNumberEnc: person.idNumber ? this.pii.encrypt(person.idNumber) : null,
        phoneEnc: person.phone ? this.pii.encrypt(person.phone) : null,
        guardian: this.sealGuardian(person),
      }));
      // Card numbers are random: a collision with an existing card rolls the chunk back, and it is
      // retried whole with new numbers.
      for (let attempt = 1; ; attempt++) {
        const items: NewSyncedPerson[] = sealed.map((s) => ({ ...s, cardNo: newCardNo() }));
        try {
          await this.repo.openPeople(
            items,
            { dailyLimit: this.options.dailyLimit, pinFreeLimit: this.options.pinFreeLimit },
            syncActorId,
          );
          break;
        } catch (error) {
          if (!isDuplicateKey(error) || attempt >= 3) throw error;
        }
      }
      state.counts.created += chunk.length;
    }
  }
}
