import Router from 'koa-router';
import type { HolderActions } from '../../bindings/holder-actions.ts';
import type { CardService } from '../../cards/card-service.ts';
import {
  cardLimitsBody,
  cardOperationsQuery,
  cardPath,
  changeStatusBody,
  counterPinResetBody,
  dailyLimitBody,
  openCardBody,
  setPinBody,
} from '../../contract/cards.ts';
import { closeOutRequest } from '../../contract/ledger.ts';
import type { LedgerService } from '../../ledger/ledger-service.ts';
import type { RefundService } from '../../refunds/refund-service.ts';
import { answer } from '../answer.ts';
import { parseBody, parseValue } from '../middleware.ts';

export function cardRoutes(
  cards: CardService,
  ledger: LedgerService,
  refunds: RefundService,
  holder: Pick<HolderActions, 'cancelledByCardCentre'>,
): Router {
  const router = new Router({ prefix: '/v1/cards' });
  router.post('/', async (ctx) => {
    const { actor: who, ...input } = parseBody(ctx, openCardBody);
    ctx.status = 201;
    ctx.body = await cards.open(input, who);
  });
  router.get('/:cardNo', async (ctx) => {
    ctx.body = await cards.get(parseValue(ctx.params, cardPath).cardNo);
  });
  router.get('/:cardNo/history', async (ctx) => {
    ctx.body = await cards.history(parseValue(ctx.params, cardPath).cardNo);
  });
  router.get('/:cardNo/operations', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, cardPath);
    const q = parseValue(ctx.query, cardOperationsQuery);
    const before =
      q.beforeAtMs !== undefined && q.beforeId ? { atMs: q.beforeAtMs, id: q.beforeId } : undefined;
    const items = await ledger.cardOperations(no, before, q.limit);
    const last = items.at(-1);
    ctx.body = {
      items,
      next: items.length === q.limit && last ? { beforeAtMs: last.createdAtMs, beforeId: last.id } : null,
    };
  });
  router.post('/:cardNo/status', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, cardPath);
    const body = parseBody(ctx, changeStatusBody);
    const change = await cards.change(no, body.action, body.actor, body.reason);
    // The card centre's 解挂 leaves the student a kept notice, as one from the phone does.
    if (change.changed && body.action === 'cancel_loss' && body.actor.type === 'admin')
      await holder.cancelledByCardCentre(no, change.version);
    ctx.body = change;
  });
  // Cancellation with balance refund is a money operation: it answers like one. Its main balance
  // goes on the refund list, owed to the person until it is paid out.
  router.post('/:cardNo/close-out', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, cardPath);
    const body = parseBody(ctx, closeOutRequest.omit({ cardNo: true }));
    answer(ctx, await refunds.closeOutCard({ ...body, cardNo: no }));
  });
  router.put('/:cardNo/pin', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, cardPath);
    const body = parseBody(ctx, setPinBody);
    await cards.setPin(no, body.pin, body.currentPin, body.actor);
    ctx.status = 204;
  });
  router.post('/:cardNo/pin-reset', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, cardPath);
    const body = parseBody(ctx, counterPinResetBody);
    await cards.resetPinAtCounter(no, body.pin, body.idNumber, body.actor);
    ctx.status = 204;
  });
  router.put('/:cardNo/limits', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, cardPath);
    await cards.setLimits(no, parseBody(ctx, cardLimitsBody));
    ctx.status = 204;
  });
  router.put('/:cardNo/daily-limit', async (ctx) => {
    const { cardNo: no } = parseValue(ctx.params, cardPath);
    await cards.setDailyLimit(no, parseBody(ctx, dailyLimitBody).dailyLimit);
    ctx.status = 204;
  });
  return router;
}
