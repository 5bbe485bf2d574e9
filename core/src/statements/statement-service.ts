import type { CardService } from '../cards/card-service.ts';
import type {
  CardTransaction,
  MeterSession,
  MonthFigures,
  MonthlyStatement,
} from '../contract/statements.ts';
import { CoreError } from '../errors.ts';
import { addMonthsToKey, monthKeyRangeMs } from '../time.ts';
import type { StatementRepository, TransactionFilter } from './statement-repository.ts';

export type { CardTransaction, MeterSession, MonthFigures, MonthlyStatement };

/** The UTC instants [fromMs, toMs) of a 'YYYY-MM' month in Asia/Shanghai, or undefined if it is not one. */
export const monthBoundsMs = monthKeyRangeMs;

/** The 'YYYY-MM' month before a month. */
export function previousMonthOf(month: string): string {
  return addMonthsToKey(month, -1);
}

/** Bills and monthly statements of a card, read from the operations the ledger stored. */
export class StatementService {
  constructor(
    private readonly statements: StatementRepository,
    private readonly cards: CardService,
  ) {}

  async transactions(
    cardNo: string,
    query: Omit<TransactionFilter, 'fromMs' | 'toMs'> & { month?: string },
  ): Promise<CardTransaction[]> {
    await this.cards.get(cardNo);
    const bounds = query.month === undefined ? undefined : monthBounds(query.month);
    return this.statements.transactions(cardNo, {
      ...(bounds ? { fromMs: bounds.fromMs, toMs: bounds.toMs } : {}),
      ...(query.kinds ? { kinds: query.kinds } : {}),
      ...(query.before ? { before: query.before } : {}),
      limit: query.limit,
    });
  }

  /** The card's showers and laundry runs (its holds), newest first. */
  async meterSessions(
    cardNo: string,
    page: { limit: number; before?: { atMs: number; id: string } },
  ): Promise<MeterSession[]> {
    await this.cards.get(cardNo);
    return this.statements.meterSessions(cardNo, page);
  }

  async transaction(cardNo: string, id: string): Promise<CardTransaction> {
    const found = await this.statements.transaction(cardNo, id);
    if (!found) throw new CoreError('OPERATION_NOT_FOUND', 'no such transaction on this card');
    return found;
  }

  async monthly(cardNo: string, month: string): Promise<MonthlyStatement> {
    await this.cards.get(cardNo);
    const bounds = monthBounds(month);
    const previousMonth = previousMonthOf(month);
    const previous = monthBounds(previousMonth);
    const [figures, before] = await Promise.all([
      this.statements.month(cardNo, bounds.fromMs, bounds.toMs),
      this.statements.month(cardNo, previous.fromMs, previous.toMs),
    ]);
    return {
      cardNo,
      month,
      fromMs: bounds.fromMs,
      toMs: bounds.toMs,
      ...figures,
      previousMonth,
      previousSpent: before.spent,
      spentChange: figures.spent - before.spent,
    };
  }
}

function monthBounds(month: string): { fromMs: number; toMs: number } {
  const bounds = monthBoundsMs(month);
  if (!bounds) throw new CoreError('VALIDATION_FAILED', 'month must be YYYY-MM');
  return bounds;
}
