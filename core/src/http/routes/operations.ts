import Router from 'koa-router';
import {
  adjustmentRequest,
  batchBody,
  batchedOperation,
  type CloseOutRequest,
  holdPath,
  holdQuery,
  holdRequest,
  holdUsageBody,
  operationPath,
  paymentRequest,
  postHoldBody,
  refundRequest,
  subsidyRequest,
  topUpRequest,
  voidHoldBody,
} from '../../contract/ledger.ts';
import { CoreError } from '../../errors.ts';
import type { LedgerService } from '../../ledger/ledger-service.ts';
import type { Logger } from '../../log.ts';
import type { RefundService } from '../../refunds/refund-service.ts';
import { answer } from '../answer.ts';
import { loggable } from '../edge.ts';
import { parseBody, parseValue } from '../middleware.ts';

export function operationRoutes(ledger: LedgerService, refunds: RefundService, log: Logger): Router {
  const router = new Router({ prefix: '/v1' });
  router.post('/payments', async (ctx) => answer(ctx, await ledger.pay(parseBody(ctx, paymentRequest))));
  router.post('/top-ups', async (ctx) => answer(ctx, await ledger.topUp(parseBody(ctx, topUpRequest))));
  router.post('/subsidies', async (ctx) =>
    answer(ctx, await ledger.subsidize(parseBody(ctx, subsidyRequest))),
  );
  router.post('/refunds', async (ctx) => answer(ctx, await ledger.refund(parseBody(ctx, refundRequest))));
  router.post('/adjustments', async (ctx) =>
    answer(ctx, await ledger.adjust(parseBody(ctx, adjustmentRequest))),
  );
  router.post('/holds', async (ctx) => answer(ctx, await ledger.hold(parseBody(ctx, holdRequest))));
  router.post('/holds/:holdId/post', async (ctx) => {
    const { holdId } = parseValue(ctx.params, holdPath);
    const body = parseBody(ctx, postHoldBody);
    answer(ctx, await ledger.post({ ...body, holdId }));
  });
  router.post('/holds/:holdId/void', async (ctx) => {
    const { holdId } = parseValue(ctx.params, holdPath);
    const body = parseBody(ctx, voidHoldBody);
    answer(ctx, await ledger.void({ ...body, holdId }));
  });
  router.post('/holds/:holdId/usage', async (ctx) => {
    const { holdId } = parseValue(ctx.params, holdPath);
    const { usageAmount, deviceId } = parseBody(ctx, holdUsageBody);
    ctx.body = await ledger.reportUsage(holdId, usageAmount, deviceId);
  });
  // With ?deviceId=, only that device's hold: another device's answers HOLD_NOT_FOUND like an unknown one.
  router.get('/holds/:holdId', async (ctx) => {
    const { deviceId } = parseValue(ctx.query, holdQuery);
    ctx.body = await ledger.holdById(parseValue(ctx.params, holdPath).holdId, deviceId);
  });
  // Many operations in one request, each answered in order: the HTTP status is 200 and every
  // answer carries its own status and code. Invalid items are refused alone, never stored. An item that
  // fails unexpectedly is answered INTERNAL_ERROR alone, as its single route would answer 500: the
  // request's other items may already be committed, so failing the whole request would tell their
  // callers nothing was done when it was (issue #20).
  router.post('/operations/batch', async (ctx) => {
    const { operations } = parseBody(ctx, batchBody);
    ctx.body = {
      answers: await Promise.all(
        operations.map(async (item) => {
          try {
            const op = parseValue(item, batchedOperation);
            // A close-out puts its main balance on the refund list, whichever route it came by.
            if (op.kind === 'close_out') {
              const { kind: _, ...request } = op;
              return await refunds.closeOutCard(request as CloseOutRequest);
            }
            return await ledger.submit(op);
          } catch (error) {
            const raw = item as { id?: unknown; kind?: unknown };
            if (!(error instanceof CoreError))
              log.error({ err: loggable(error), id: raw?.id, kind: raw?.kind }, 'batch item failed');
            return {
              status: 'rejected',
              id: typeof raw?.id === 'string' ? raw.id : null,
              kind: typeof raw?.kind === 'string' ? raw.kind : null,
              code: error instanceof CoreError ? error.code : 'INTERNAL_ERROR',
              message: error instanceof CoreError ? error.message : 'internal error',
              replayed: false,
            };
          }
        }),
      ),
    };
  });
  router.get('/operations/:id', async (ctx) => {
    ctx.body = await ledger.operation(parseValue(ctx.params, operationPath).id);
  });
  return router;
}
