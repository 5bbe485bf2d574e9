import { timingSafeEqual } from 'node:crypto';
import type { CoreClient } from '@campus-card/core/client';
import { mobilePhone } from '@campus-card/core/contract';
import Router from 'koa-router';
import { z } from 'zod';

/** One text sent back to the campus's SMS number, as the provider's SmsUp report carries it. */
const smsUpReports = z.array(
  z.object({ phone_number: z.string().max(32), content: z.string().max(500) }).passthrough(),
);

/**
 * Texts guardians send back to the campus's SMS number (docs/messages.md § Guardians without the app):
 * Alibaba Cloud SMS pushes its SmsUp reports (上行短信) here as a JSON array, unsigned, so the address
 * carries SMS_REPLY_TOKEN and any other is answered 404; off while the token is unset. Each report
 * goes to the core, where 退订/TD/STOP opts the number out. The answer is the provider's protocol:
 * {code: 0} taken, anything else pushed again later. Nothing of a report is logged.
 */
export function smsReplyRoutes(core: CoreClient, token: string | undefined): Router {
  const router = new Router();
  const expected = token === undefined ? undefined : Buffer.from(token);
  router.post('/sms/replies/:token', async (ctx) => {
    const given = Buffer.from(String(ctx.params.token ?? ''));
    if (expected === undefined || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      ctx.status = 404;
      ctx.body = { code: 'NOT_FOUND', message: 'not found' };
      return;
    }
    let reports: z.infer<typeof smsUpReports>;
    try {
      reports = smsUpReports.parse(JSON.parse((ctx.state.rawBody as Buffer).toString('utf8')));
    } catch {
      ctx.status = 400;
      ctx.body = { code: 1, msg: '报文格式错误' };
      return;
    }
    for (const report of reports) {
      // A number that is no mobile number is nobody the campus texts: nothing to opt out.
      if (!mobilePhone.safeParse(report.phone_number).success) continue;
      await core.smsReply(report.phone_number, report.content);
    }
    ctx.body = { code: 0, msg: '成功' };
  });
  return router;
}
