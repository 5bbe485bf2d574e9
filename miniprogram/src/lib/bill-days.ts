// The bills list as Alipay's reads: one group per Asia/Shanghai day with what went out and came in
// that day, and a search over what the holder sees on each line (the title and the amount).

import { formatDateTime, shanghaiDay, shanghaiParts } from '@campus-card/core/time';
import type { Transaction } from '../services/types.ts';
import { isPendingHold, signedAmount, transactionTitle } from './transactions.ts';

const weekdays = ['周一', '周二', '周三', '周四', '周五', '周六', '周日'];

export interface BillDay {
  /** Shanghai day number (core/src/time.ts). */
  readonly day: number;
  /** "12月8日 周二", or 今天 / 昨天. */
  readonly label: string;
  readonly rows: readonly Transaction[];
  /** Spent that day, fen (positive); a pending hold is held aside, not spent. */
  readonly outFen: number;
  /** Money in that day, fen. */
  readonly inFen: number;
  /**
   * Whether every line of the day is loaded: false for the last day of a page with more to come, whose
   * totals would read short.
   */
  readonly complete: boolean;
}

/** 'HH:mm' in Shanghai: a line's time under its day's heading. */
export function timeOfDay(atMs: number): string {
  return formatDateTime(atMs).slice(11, 16);
}

export function dayLabel(atMs: number, nowMs: number): string {
  const day = shanghaiDay(atMs);
  const today = shanghaiDay(nowMs);
  if (day === today) return '今天';
  if (day === today - 1) return '昨天';
  const parts = shanghaiParts(atMs);
  return `${parts.month}月${parts.day}日 ${weekdays[parts.weekday]}`;
}

/** Rows (newest first, as the BFF pages them) grouped by day; `more` says further pages exist. */
export function groupByDay(rows: readonly Transaction[], more: boolean, nowMs: number): BillDay[] {
  const days: { day: number; label: string; rows: Transaction[]; outFen: number; inFen: number }[] = [];
  for (const row of rows) {
    const day = shanghaiDay(row.createdAtMs);
    let group = days[days.length - 1];
    if (group?.day !== day) {
      group = { day, label: dayLabel(row.createdAtMs, nowMs), rows: [], outFen: 0, inFen: 0 };
      days.push(group);
    }
    group.rows.push(row);
    if (isPendingHold(row)) continue;
    if (row.amount < 0) group.outFen -= row.amount;
    else group.inFen += row.amount;
  }
  return days.map((group, index) => ({ ...group, complete: !more || index < days.length - 1 }));
}

/**
 * Whether a line matches what the holder typed: words of its title (商户, 充值 · 微信支付 …), or an
 * amount as they would type it ("8.26", "¥8.26", "8").
 */
export function matchesSearch(row: Transaction, query: string): boolean {
  const words = query.trim().toLowerCase();
  if (words === '') return true;
  if (transactionTitle(row).toLowerCase().includes(words)) return true;
  const typed = words.replace(/^[-+]?¥?/, '');
  if (!/^\d+(\.\d{0,2})?$/.test(typed)) return false;
  const amount = signedAmount(row).text.replace(/^[-+]?¥/, '');
  // "8" is ¥8.xx, not ¥80.00; "8.2" is ¥8.20–¥8.29.
  return typed.includes('.') ? amount.startsWith(typed) : amount.split('.')[0] === typed;
}
