import { timingSafeEqual } from 'node:crypto';
import type { CoreClient } from '@campus-card/core/client';
import { mobilePhone, smsReportBody } from '@campus-card/core/contract';
import type { Context } from 'koa';
import Router from 'koa-router';
import { z } from 'zod';

/** One text sent back to the campus's SMS number, as the provider's SmsUp report carries it. */
const smsUpReports = z.array(
  z.object({ phone_number: z.string().max(32), content: z.string().max(500) }).passthrough(),
);

/** One message's delivery report, as the provider's SmsReport push carries it (out_id: our OutId). */
const smsDeliveryReports = z.array(
  z
    .object({
      success: z.boolean(),
      err_code: z.string().max(64),
      out_id: z.string().max(64).optional(),
    })
    .passthrough(),
);

/**
 * What Alibaba Cloud SMS pushes to the campus (docs/messages.md § Guardians without the app, § SMS),
 * as JSON arrays, unsigned, so each address carries SMS_REPLY_TOKEN and any other is answered 404; off
 * while the token is unset:
 * - `/sms/replies/<token>`: SmsUp reports, texts guardians send back; 退订/TD/STOP opts the number out.
 * - `/sms/reports/<token>`: SmsReport, each message's delivery report; one the carrier did not deliver
 *   turns its outbox row failed (found by the OutId we sent; a report without ours is skipped).
 * The answer is the provider's protocol: {code: 0} taken, anything else pushed again later. Nothing of
 * a report is logged.
 */
export function smsReplyRoutes(core: CoreClient, token: string | undefined): Router {
  const router = new Router();
  const expected = token === undefined ? undefined : Buffer.from(token);
  /** The pushed array when the token is right and the body parses; else answered here, undefined. */
  const pushed = <T>(
    ctx: Context & { params: Record<string, string> },
    schema: z.ZodType<T>,
  ): T | undefined => {
    const given = Buffer.from(String(ctx.params.token ?? ''));
    if (expected === undefined || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      ctx.status = 404;
      ctx.body = { code: 'NOT_FOUND', message: 'not found' };
      return undefined;
    }
    try {
      return schema.parse(JSON.parse((ctx.state.rawBody as Buffer).toString('utf8')));
    } catch {
      ctx.status = 400;
      ctx.body = { code: 1, msg: '报文格式错误' };
      return undefined;
    }
  };
  router.post('/sms/replies/:token', async (ctx) => {
    const reports = pushed(ctx, smsUpReports);
    if (reports === undefined) return;
    for (const report of reports) {
      // A number that is no mobile number is nobody the campus texts: nothing to opt out.
      if (!mobilePhone.safeParse(report.phone_number).success) continue;
      await core.smsReply(report.phone_number, report.content);
    }
    ctx.body = { code: 0, msg: '成功' };
  });
  router.post('/sms/reports/:token', async (ctx) => {
    const reports = pushed(ctx, smsDeliveryReports);
    if (reports === undefined) return;
    for (const report of reports) {
      const wire = smsReportBody.safeParse({
        outId: report.out_id ?? '',
        delivered: report.success,
        errCode: report.err_code,
      });
      // A message sent without our OutId, or a code outside the contract: nothing of ours to mark.
      if (!wire.success) continue;
      await core.smsReport(wire.data.outId, wire.data.delivered, wire.data.errCode);
    }
    ctx.body = { code: 0, msg: '成功' };
  });
  return router;
}
