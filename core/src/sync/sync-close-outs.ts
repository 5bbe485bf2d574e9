import type { LedgerService } from '../ledger/ledger-service.ts';
import type { InvalidRow, PersonStatus, ValidPerson } from './person-rows.ts';
import { type PersonStream, sourceOf } from './source-reader.ts';
import type { PersonState, SyncRepository } from './sync-repository.ts';
import type { RunHooks, RunState } from './sync-run-state.ts';

/** Hard deletes a full reconcile applies at once: this share of the managed people, or this many. */
const vanishedShareMax = 0.05;
const vanishedCountFree = 10;

/** Who the sync acts as in the ledger and the card events. */
export const syncActorId = 'identity-sync';

export interface CloseOut {
  state: PersonState;
  /** The source row, or null for a person whose row is gone. */
  person: ValidPerson | null;
  status: PersonStatus;
}

/**
 * The leavers' story of an identity-sync run (docs/sync.md): graduates and leavers have their cards
 * closed out through the ledger with the balance put on the refund list, and a full reconcile closes
 * out the people whose source row is gone.
 */
export class CloseOuts {
  constructor(
    private readonly repo: SyncRepository,
    private readonly ledger: LedgerService,
    private readonly pageRowsMax: number,
  ) {}

  /**
   * Cancels cards through the ledger's close_out (the card and its balance refund in one
   * transaction); the operations of a page share the ledger's batches. The operation id is
   * sync:<run>:<card>: a refusal (a shower still running) is stored by the ledger under that id, so
   * the next run must ask afresh under its own; a card a crashed run already closed out is found
   * cancelled, and its refund is read back from that run's accepted operation.
   */
  async cancel(
    state: RunState,
    stream: PersonStream,
    items: readonly CloseOut[],
    hooks: RunHooks,
  ): Promise<void> {
    const failures: InvalidRow[] = [];
    await Promise.all(
      items.map(async (item) => {
        const cardNo = item.state.cardNo;
        if (!cardNo || item.state.cardStatus === 'cancelled') {
          const earlier = cardNo ? await this.repo.syncCloseOut(cardNo) : undefined;
          await this.repo.recordCancelled({
            state: item.state,
            person: item.person,
            status: item.status,
            refund: earlier && cardNo ? { ...earlier, cardNo, reason: refundReason(item.status) } : null,
          });
          state.counts.updated += 1;
          return;
        }
        const operationId = `sync:${state.run.id}:${cardNo}`;
        const answer = await this.ledger.closeOut({
          id: operationId,
          cardNo,
          reason: `identity sync: ${item.status}`,
          actor: { type: 'system', id: syncActorId },
        });
        if (answer.status === 'ok') {
          await this.repo.recordCancelled({
            state: item.state,
            person: item.person,
            status: item.status,
            refund: {
              operationId,
              cardNo,
              mainAmount: answer.mainAmount,
              subsidyAmount: answer.subsidyAmount,
              reason: refundReason(item.status),
            },
          });
          state.counts.cancelled += 1;
        } else if (answer.code === 'CARD_CANCELLED') {
          // Cancelled by the card centre between our read and the close-out: their refund, not ours.
          await this.repo.recordCancelled({
            state: item.state,
            person: item.person,
            status: item.status,
            refund: null,
          });
          state.counts.updated += 1;
        } else {
          // Not applied at all; the person stays as they were and the next full reconcile retries.
          failures.push({
            stream,
            rowId: item.person?.rowId ?? '',
            personNo: item.state.personNo,
            code: answer.code,
            reason: `the card could not be closed out: ${answer.message}`,
          });
        }
      }),
    );
    await hooks.report(failures);
  }

  /** Full reconcile: people the sync manages whose source row is gone (hard-deleted) leave. */
  async cancelVanished(
    state: RunState,
    stream: PersonStream,
    seen: ReadonlySet<string>,
    hooks: RunHooks,
  ): Promise<void> {
    const managed = await this.repo.managedNumbers(sourceOf(stream));
    const gone = managed.filter((n) => !seen.has(n));
    // An emptied or half-restored source table must not cancel a campus's cards: past the limit the
    // run stops before cancelling anyone, and the source is fixed (or rows marked left) instead.
    const allowed = Math.max(vanishedCountFree, Math.floor(managed.length * vanishedShareMax));
    if (gone.length > allowed) {
      throw new Error(
        `refused to cancel ${gone.length} of ${managed.length} ${stream} people missing from the source (at most ${allowed} at once); check the source, or mark leavers with a status instead of deleting them`,
      );
    }
    for (let i = 0; i < gone.length; i += this.pageRowsMax) {
      const people = await this.repo.people(gone.slice(i, i + this.pageRowsMax));
      await this.cancel(
        state,
        stream,
        [...people.values()].map((s) => ({ state: s, person: null, status: 'left' as const })),
        hooks,
      );
    }
  }
}

/** The refund list's reason for a person the sync closed out: graduated, or left (withdrawn, retired, gone). */
function refundReason(status: PersonStatus): 'graduated' | 'left' {
  return status === 'graduated' ? 'graduated' : 'left';
}
