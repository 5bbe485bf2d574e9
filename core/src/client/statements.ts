import type { CardTransaction, MeterSession, MonthlyStatement } from '../contract/statements.ts';
import { DomainClient, query } from './transport.ts';

/** A card's transactions, meter sessions and monthly statements, as its holder reads them. */
export class StatementsClient extends DomainClient {
  /** A card's accepted operations as its holder reads them, newest first, filtered and paged. */
  cardTransactions(
    cardNo: string,
    query: {
      month?: string;
      kinds?: readonly string[];
      limit?: number;
      beforeAtMs?: number;
      beforeId?: string;
    } = {},
  ): Promise<{ items: CardTransaction[]; next: { beforeAtMs: number; beforeId: string } | null }> {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined) continue;
      params.set(key, Array.isArray(value) ? value.join(',') : String(value));
    }
    return this.transport.call('GET', `/v1/cards/${cardNo}/transactions${params.size ? `?${params}` : ''}`);
  }
  /** The card's holds as showers and laundry runs, newest first; `next` is the cursor. */
  meterSessions(
    cardNo: string,
    page: { limit?: number; beforeAtMs?: number; beforeId?: string } = {},
  ): Promise<{ items: MeterSession[]; next: { beforeAtMs: number; beforeId: string } | null }> {
    return this.transport.call('GET', `/v1/cards/${cardNo}/meter-sessions${query(page)}`);
  }
  cardTransaction(cardNo: string, id: string): Promise<CardTransaction> {
    return this.transport.call('GET', `/v1/cards/${cardNo}/transactions/${encodeURIComponent(id)}`);
  }
  /** The card's statement for a 'YYYY-MM' month in Asia/Shanghai, with last month's spending. */
  monthlyStatement(cardNo: string, month: string): Promise<MonthlyStatement> {
    return this.transport.call('GET', `/v1/cards/${cardNo}/statements/${month}`);
  }
}
