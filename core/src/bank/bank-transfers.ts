// Bank transfers (docs/funds.md § Bank): the transfer row is written (pending) before the bank is
// asked, the bank debits once per transfer id, and only a transfer the bank has booked is credited
// to the card, by a ledger top_up with the deterministic id bk:<transfer id>. A transfer whose answer
// was lost is never guessed at: the asker sends a reversal (冲正). Each move is a conditional UPDATE,
// so a resolver racing the asker moves a transfer once.

import type { Logger } from 'pino';
import type { CardService } from '../cards/card-service.ts';
import type { BankTransferStatus, BankTransferView } from '../contract/bank.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { NoticeRepository } from '../notices/notice-repository.ts';
import type { RefundService } from '../refunds/refund-service.ts';
import { monthOf, shanghaiDay } from '../time.ts';
import type { BankGateway, BankTransferAnswer } from './bank-gateway.ts';
import type { BankRepository, BankTransfer } from './bank-repository.ts';

/** The ledger operation of a load: one per transfer, so a retry or a second resolver never credits twice. */
export const loadOperationId = (transferId: string): string => `bk:${transferId}`;

export const monthNumber = (atMs: number): number => {
  const { year, month } = monthOf(atMs);
  return year * 100 + month;
};

const yuan = (fen: number): string => `¥${(fen / 100).toFixed(2)}`;

export class BankTransfers {
  constructor(
    private readonly repo: BankRepository,
    private readonly cards: CardService,
    private readonly ledger: LedgerService,
    private readonly refunds: RefundService,
    private readonly notices: NoticeRepository,
    private readonly bank: () => BankGateway,
    private readonly log: Logger,
    private readonly loadAmountMax: number,
  ) {}

  /**
   * 圈存 on request. A retry with the same idempotency key finds its transfer (and finishes it if a
   * crash left it half-way); a new key is a new transfer.
   */
  async load(
    input: { cardNo: string; amount: number; idempotencyKey: string },
    origin: 'app' | 'auto' | 'kiosk' = 'app',
  ): Promise<BankTransferView> {
    if (input.amount < 1 || input.amount > this.loadAmountMax)
      throw new CoreError('AMOUNT_OUT_OF_RANGE', 'the amount is outside the allowed range', {
        max: this.loadAmountMax,
      });
    const seen = await this.repo.transferByKey(input.cardNo, input.idempotencyKey);
    if (seen) return this.finish(seen);
    const card = await this.cards.get(input.cardNo);
    if (card.status !== 'active')
      throw new CoreError(
        card.status === 'lost' ? 'CARD_LOST' : card.status === 'frozen' ? 'CARD_FROZEN' : 'CARD_CANCELLED',
        'the card cannot take a load now',
      );
    const binding = await this.repo.activeBinding(input.cardNo);
    if (!binding?.token) throw new CoreError('BANK_NOT_BOUND', 'no bank card is bound to this card');
    this.bank();
    const nowMs = Date.now();
    const inserted = await this.repo.insertTransfer({
      id: `bk${newId(nowMs)}`,
      cardNo: input.cardNo,
      bindingId: binding.id,
      direction: 'load',
      origin,
      idempotencyKey: input.idempotencyKey,
      amount: input.amount,
      day: shanghaiDay(nowMs),
      nowMs,
    });
    // A racing request with the same key inserted first: answer its transfer.
    const transfer = inserted ?? (await this.repo.transferByKey(input.cardNo, input.idempotencyKey));
    if (!transfer) throw new Error('a transfer vanished after its insert');
    if (!inserted) return this.finish(transfer);
    const answer = await this.bank().transfer({
      transferId: transfer.id,
      token: binding.token,
      amount: transfer.amount,
      kind: 'debit',
    });
    return this.apply(transfer, answer, 'asked');
  }

  /** A transfer found by its key: a pending one older than the resolve bound, or a confirmed one, is moved on. */
  private async finish(transfer: BankTransfer): Promise<BankTransferView> {
    if (transfer.status === 'confirmed') return this.credit(transfer);
    return strip(transfer);
  }

  /**
   * What the bank's answer to the transfer itself (or, from the resolve job, to a query) makes of
   * a transfer. Each arrow is a conditional move, so a resolver racing the asker moves it once.
   */
  async apply(
    transfer: BankTransfer,
    answer: BankTransferAnswer,
    source: 'asked' | 'queried',
  ): Promise<BankTransferView> {
    const nowMs = Date.now();
    if (answer.kind === 'no_answer') {
      if (source === 'queried') return strip(transfer);
      // The bank may have booked it: from here on only a reversal or the bank's record settles it.
      await this.repo.move(transfer.id, ['pending'], 'uncertain', nowMs);
      return this.reverse(await this.reread(transfer.id));
    }
    switch (answer.status) {
      case 'succeeded':
        // Only from pending: once a reversal may be on its way, the transfer is never credited.
        await this.repo.move(transfer.id, ['pending'], 'confirmed', nowMs, { serial: answer.serial });
        return this.credit(await this.reread(transfer.id));
      case 'failed':
        await this.repo.move(transfer.id, ['pending', 'uncertain'], 'failed', nowMs, {
          serial: answer.serial,
          code: answer.code ?? 'BANK_REFUSED',
        });
        await this.afterFailure(await this.reread(transfer.id));
        return strip(await this.reread(transfer.id));
      case 'reversed':
        await this.repo.move(transfer.id, ['pending', 'uncertain'], 'reversed', nowMs, {
          serial: answer.serial,
        });
        await this.afterFailure(await this.reread(transfer.id));
        return strip(await this.reread(transfer.id));
      case 'unknown':
        // The bank never saw it (asked: impossible; queried: the request never arrived). Reverse, so
        // the original, should it still arrive, is refused.
        await this.repo.move(transfer.id, ['pending'], 'uncertain', nowMs);
        return this.reverse(await this.reread(transfer.id));
    }
  }

  /** 冲正 of an uncertain transfer; without an answer it stays uncertain for the next run of the job. */
  async reverse(transfer: BankTransfer): Promise<BankTransferView> {
    if (transfer.status !== 'uncertain')
      return transfer.status === 'confirmed' ? this.credit(transfer) : strip(transfer);
    const answer = await this.bank().reverse(transfer.id);
    if (answer.kind === 'no_answer') return strip(transfer);
    const nowMs = Date.now();
    // A reversal of a transfer the bank had refused answers its refusal: the transfer failed.
    const to: BankTransferStatus = answer.status === 'failed' ? 'failed' : 'reversed';
    if (answer.status === 'succeeded') {
      // The bank could not undo it: it keeps uncertain and shows up in the day file's check.
      this.log.warn({ transferId: transfer.id }, 'bank answered a reversal with a booked transfer');
      return strip(transfer);
    }
    await this.repo.move(transfer.id, ['uncertain'], to, nowMs, { code: answer.code });
    const after = await this.reread(transfer.id);
    await this.afterFailure(after);
    return strip(after);
  }

  /** confirmed -> credited through the ledger; a refusal stored by the ledger makes it unapplied. */
  async credit(transfer: BankTransfer): Promise<BankTransferView> {
    if (transfer.status !== 'confirmed') return strip(transfer);
    if (transfer.direction === 'payout') return this.completePayout(transfer);
    const answer = await this.ledger.topUp({
      id: loadOperationId(transfer.id),
      cardNo: transfer.cardNo,
      amount: transfer.amount,
      channel: 'bank',
    });
    const nowMs = Date.now();
    if (answer.status === 'ok') await this.repo.move(transfer.id, ['confirmed'], 'credited', nowMs);
    else if (answer.code !== 'OVERLOADED')
      await this.repo.move(transfer.id, ['confirmed'], 'unapplied', nowMs, { code: answer.code });
    const after = await this.reread(transfer.id);
    if (after.origin === 'auto' && after.status === 'credited') await this.tell(after);
    return strip(after);
  }

  private async afterFailure(transfer: BankTransfer): Promise<void> {
    if (transfer.origin !== 'auto' || (transfer.status !== 'failed' && transfer.status !== 'reversed'))
      return;
    await this.repo.releaseAutoLoad(transfer.cardNo, monthNumber(transfer.createdAtMs), transfer.amount);
    await this.tell(transfer);
  }

  /** The in-app notice of an automatic load, once per transfer and outcome. */
  private async tell(transfer: BankTransfer): Promise<void> {
    const card = await this.cards.get(transfer.cardNo);
    const binding = await this.repo.binding(transfer.bindingId);
    const tail = binding?.masked.slice(-4) ?? '';
    const ok = transfer.status === 'credited';
    await this.notices.insertMissing([
      {
        id: `bank-auto:${transfer.id}:${ok ? 'ok' : 'no'}`.slice(0, 64),
        personId: card.personId,
        kind: 'bank_auto_top_up',
        title: ok ? '自动圈存已到账' : '自动圈存未成功',
        body: ok
          ? `校园卡余额低于您设置的金额，已从尾号 ${tail} 的银行卡圈存 ${yuan(transfer.amount)}。`
          : `校园卡余额低于您设置的金额，从尾号 ${tail} 的银行卡圈存 ${yuan(transfer.amount)} 未成功，未扣款。`,
        data: { transferId: transfer.id, amount: transfer.amount, status: transfer.status },
        createdAtMs: Date.now(),
      },
    ]);
  }

  async transfer(id: string): Promise<BankTransferView> {
    const t = await this.repo.transfer(id);
    if (!t) throw new CoreError('BANK_TRANSFER_NOT_FOUND', 'no such bank transfer');
    return strip(t);
  }

  async transfers(filter: {
    cardNo?: string;
    status?: BankTransferStatus;
    limit: number;
    beforeId?: string;
  }): Promise<BankTransferView[]> {
    return (await this.repo.list(filter)).map(strip);
  }

  private async completePayout(transfer: BankTransfer): Promise<BankTransferView> {
    const closeOutId = transfer.idempotencyKey.replace(/^refund-/, '');
    try {
      await this.refunds.payout(closeOutId, {
        channel: 'bank',
        actorId: 'bank',
        note: `bank ${transfer.id}`,
      });
      await this.repo.move(transfer.id, ['confirmed'], 'credited', Date.now());
    } catch (error) {
      if (!(error instanceof CoreError) || error.code === 'OVERLOADED') throw error;
      // Paid by hand meanwhile: the bank credit is a second payment, for finance to recover.
      await this.repo.move(transfer.id, ['confirmed'], 'unapplied', Date.now(), { code: error.code });
    }
    return strip(await this.reread(transfer.id));
  }

  async reread(id: string): Promise<BankTransfer> {
    const t = await this.repo.transfer(id);
    if (!t) throw new Error(`bank transfer ${id} vanished`);
    return t;
  }
}

export function strip(t: BankTransfer): BankTransferView {
  return {
    id: t.id,
    cardNo: t.cardNo,
    direction: t.direction,
    origin: t.origin,
    amount: t.amount,
    status: t.status,
    bankSerial: t.bankSerial,
    failureCode: t.failureCode,
    createdAtMs: t.createdAtMs,
    updatedAtMs: t.updatedAtMs,
  };
}
