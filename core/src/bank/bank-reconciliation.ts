// Settling what requests left behind (docs/funds.md § Bank): the resolve job moves transfers a crash
// or a lost answer left unsettled by the bank's own record, and the end-of-day file is checked
// against ours, each difference recorded once for finance.

import type { BankMismatchView, BankTransferView } from '../contract/bank.ts';
import { askBank } from './bank-binding.ts';
import type { BankGateway } from './bank-gateway.ts';
import type { BankRepository } from './bank-repository.ts';
import type { BankTransfers } from './bank-transfers.ts';

export class BankReconciliation {
  constructor(
    private readonly repo: BankRepository,
    private readonly transfers: BankTransfers,
    private readonly gateway: BankGateway | undefined,
    private readonly bank: () => BankGateway,
    private readonly options: { resolveAfterMs: number; resolveBatchMax: number },
  ) {}

  /**
   * Settles what requests left behind: confirmed transfers are credited; pending ones (the asker
   * died, or its answer never came) are queried and follow the bank's record, an unknown one being
   * reversed; uncertain ones get their reversal again until the bank answers it.
   */
  async resolve(): Promise<{ settled: number; left: number }> {
    if (!this.gateway) return { settled: 0, left: 0 };
    const due = await this.repo.unsettled(
      Date.now() - this.options.resolveAfterMs,
      this.options.resolveBatchMax,
    );
    let settled = 0;
    for (const t of due) {
      let after: BankTransferView;
      if (t.status === 'confirmed') after = await this.transfers.credit(t);
      else if (t.status === 'uncertain') after = await this.transfers.reverse(t);
      else after = await this.transfers.apply(t, await this.gateway.query(t.id), 'queried');
      if (!['pending', 'uncertain', 'confirmed'].includes(after.status)) settled++;
    }
    return { settled, left: due.length - settled };
  }

  /**
   * The end-of-day check of one Shanghai day ('YYYY-MM-DD') against the bank's file. A transfer the
   * bank booked that we still have pending is confirmed and credited (the file is the bank's word);
   * every other difference is recorded once for finance.
   */
  async reconcile(date: string): Promise<{ checked: number; mismatches: number; confirmed: number }> {
    const text = await askBank(() => this.bank().reconciliationFile(date));
    const theirs = new Map<string, { kind: string; amount: number; status: string; serial: string }>();
    for (const line of text.split('\n').slice(1)) {
      const [id, kind, amount, status, serial] = line.trim().split(',');
      if (!id || !kind || amount === undefined || !status) continue;
      theirs.set(id, { kind, amount: Number(amount), status, serial: serial ?? '' });
    }
    const dayNo = Date.parse(`${date}T00:00:00Z`) / 86_400_000;
    const ours = new Map((await this.repo.forDay(dayNo)).map((t) => [t.id, t]));
    const nowMs = Date.now();
    let mismatches = 0;
    let confirmed = 0;
    const found = async (m: Omit<BankMismatchView, 'foundAtMs' | 'billDate'>) => {
      mismatches++;
      await this.repo.recordMismatch({ billDate: date, ...m }, nowMs);
    };
    for (const [id, bank] of theirs) {
      const t = ours.get(id);
      if (!t) {
        await found({
          transferId: id,
          kind: 'missing_ours',
          ours: null,
          theirs: `${bank.status} ${bank.amount}`,
        });
        continue;
      }
      if (bank.amount !== t.amount) {
        await found({
          transferId: id,
          kind: 'amount_differs',
          ours: `${t.status} ${t.amount}`,
          theirs: `${bank.status} ${bank.amount}`,
        });
        continue;
      }
      if (bank.status === 'succeeded' && t.status === 'pending') {
        await this.repo.move(id, ['pending'], 'confirmed', nowMs, { serial: bank.serial });
        const after = await this.transfers.credit(await this.transfers.reread(id));
        if (after.status === 'credited') confirmed++;
        continue;
      }
      const agree =
        (bank.status === 'succeeded' && ['confirmed', 'credited', 'unapplied'].includes(t.status)) ||
        (bank.status === 'reversed' && ['reversed', 'uncertain', 'failed'].includes(t.status));
      if (!agree) await found({ transferId: id, kind: 'state_differs', ours: t.status, theirs: bank.status });
    }
    for (const t of ours.values())
      if (!theirs.has(t.id) && ['confirmed', 'credited', 'unapplied'].includes(t.status))
        await found({
          transferId: t.id,
          kind: 'missing_theirs',
          ours: `${t.status} ${t.amount}`,
          theirs: null,
        });
    return { checked: theirs.size, mismatches, confirmed };
  }

  mismatches(limit: number): Promise<BankMismatchView[]> {
    return this.repo.mismatches(limit);
  }
}
