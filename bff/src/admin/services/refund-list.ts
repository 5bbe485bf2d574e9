import type { CoreClient } from '@campus-card/core/client';
import type { RefundEntry } from '@campus-card/core/contract';
import { formatDateTime } from '@campus-card/core/time';
import { csv, Download } from '../../http/download.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// The refund list (退款清单): the main balance of every closed-out card, owed to its person until the card
// centre pays it out in cash or by bank transfer. The core moves the money out of refund payable through
// the ledger and marks the entry paid once (docs/ledger.md); a retry answers changed = false and is not
// audited again, the other channel REFUND_ALREADY_PAID.

const pageSize = 50;
/** The due list exported at most this many rows (one core page each 1,000). */
const exportRowsMax = 20_000;

const yuan = (fen: number) => (fen / 100).toFixed(2);
const reasonText: Record<string, string> = { graduated: '毕业', left: '离职/离校', card_closed: '销户' };

function dueCsv(items: readonly RefundEntry[]): Buffer {
  return csv(
    ['学工号', '卡号', '退款金额(元)', '原因', '销户时间', '销户操作号'],
    items.map((e) => [
      e.personNo,
      e.cardNo,
      yuan(e.mainAmount),
      reasonText[e.reason] ?? e.reason,
      formatDateTime(e.createdAtMs),
      e.operationId,
    ]),
  );
}

/** Who paid each entry out, by display name (the core keeps the admin's id). */
async function withNames<T extends RefundEntry>(
  core: CoreClient,
  items: readonly T[],
): Promise<(T & { paidByName: string | null })[]> {
  const names = new Map<string, string>();
  if (items.some((e) => e.paidBy !== null))
    for (const a of (await core.admins()).items) names.set(a.id, a.displayName);
  return items.map((e) => ({
    ...e,
    paidByName: e.paidBy === null ? null : (names.get(e.paidBy) ?? e.paidBy),
  }));
}

/** The refund list as finance and the auditor read it, and its payout by finance. */
export class RefundListAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  /** One page of due or paid entries, each with who paid it out by name. */
  async page(q: { status: 'due' | 'paid'; beforeAtMs?: number | undefined; beforeId?: string | undefined }) {
    const before =
      q.beforeAtMs !== undefined && q.beforeId !== undefined
        ? { beforeAtMs: q.beforeAtMs, beforeId: q.beforeId }
        : {};
    const page = await this.core.refundList({ status: q.status, limit: pageSize, ...before });
    return { ...page, items: await withNames(this.core, page.items) };
  }

  /** Every due entry (up to exportRowsMax) as CSV; the export is audited. */
  async exportDue(admin: AdminSession): Promise<Download> {
    const items: RefundEntry[] = [];
    let page = await this.core.refundList({ status: 'due', limit: 1000 });
    items.push(...page.items);
    while (page.next && items.length < exportRowsMax) {
      page = await this.core.refundList({ status: 'due', limit: 1000, ...page.next });
      items.push(...page.items);
    }
    await this.audit.record(admin, 'refund.export', 'refund_list', null, {
      format: 'csv',
      rows: items.length,
    });
    return new Download('refunds-due.csv', 'csv', dueCsv(items));
  }

  /** Pays an entry out; audited only when this call changed it. */
  async payout(
    admin: AdminSession,
    id: string,
    body: { channel: 'cash' | 'bank'; requestId?: string | undefined; note?: string | undefined },
  ) {
    const paid = await this.core.payOutRefund(id, {
      channel: body.channel,
      actorId: admin.adminId,
      ...(body.note ? { note: body.note } : {}),
    });
    if (paid.changed) {
      await this.audit.record(admin, 'refund.payout', 'refund', id, {
        cardNo: paid.cardNo,
        amount: paid.mainAmount,
        channel: paid.channel,
        operationId: paid.payoutOperationId,
        ...(body.requestId ? { requestId: body.requestId } : {}),
      });
    }
    return (await withNames(this.core, [paid]))[0];
  }
}
