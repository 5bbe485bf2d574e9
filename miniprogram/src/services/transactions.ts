import { type Month, monthKey } from '../lib/month.ts';
import type { ApiClient } from './request.ts';
import type { Page, Statement, Transaction } from './types.ts';

export type TransactionFilter = 'all' | 'payment' | 'top_up' | 'subsidy' | 'refund';
export const transactionFilters: readonly TransactionFilter[] = [
  'all',
  'payment',
  'top_up',
  'subsidy',
  'refund',
];

export function listTransactions(
  api: ApiClient,
  month: Month,
  filter: TransactionFilter,
  cursor?: string,
  limit?: number,
): Promise<Page<Transaction>> {
  return api.request('GET', '/transactions', undefined, {
    query: { month: monthKey(month), kind: filter === 'all' ? undefined : filter, cursor, limit },
  });
}

/** The most lines a search reads of one month (the BFF's largest page, 50, times 40). */
export const searchPagesMax = 40;

export function getTransaction(api: ApiClient, id: string): Promise<Transaction> {
  return api.request('GET', `/transactions/${encodeURIComponent(id)}`);
}

export function getStatement(api: ApiClient, month: Month): Promise<Statement> {
  return api.request('GET', `/statements/${monthKey(month)}`);
}
