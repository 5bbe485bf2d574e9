import Router from 'koa-router';
import type { CoreConfig } from '../../config.ts';
import {
  guardianConsentBody,
  guardianPreferencesBody,
  guardianPreferencesQuery,
  messageConsentBody,
  messageCountsQuery,
  messagePersonPath,
  messagePreferences,
  smsReplyBody,
  smsReportBody,
} from '../../contract/messages.ts';
import { CoreError } from '../../errors.ts';
import type { MessageService } from '../../messages/message-service.ts';
import { dayBoundsMs, shanghaiDay } from '../../time.ts';
import { parseBody, parseValue } from '../middleware.ts';

/**
 * Messages outside the app (docs/messages.md): a person's preferences and the one-time consents they
 * accepted in the app (the BFF names the person from the session); the backoffice's delivery counts
 * per day and its list of deliveries that did not arrive.
 */
export function messageRoutes(messages: MessageService, config: CoreConfig): Router {
  const router = new Router({ prefix: '/v1' });
  // The template ids the apps ask one-time consent for (wx.requestSubscribeMessage, Alipay's
  // equivalent), per kind, for the channels switched on: the app never holds its own copy.
  router.get('/messages/templates', (ctx) => {
    const on = (channel: 'wechat' | 'alipay') =>
      config.messagesChannels.includes(channel)
        ? Object.fromEntries(
            Object.entries(config.messageTemplates[channel]).map(([kind, t]) => [kind, t.id]),
          )
        : {};
    ctx.body = { wechat: on('wechat'), alipay: on('alipay') };
  });
  router.get('/persons/:personId/message-preferences', async (ctx) => {
    ctx.body = await messages.preferences(parseValue(ctx.params, messagePersonPath).personId);
  });
  router.put('/persons/:personId/message-preferences', async (ctx) => {
    const { personId } = parseValue(ctx.params, messagePersonPath);
    await messages.setPreferences(personId, parseBody(ctx, messagePreferences));
    ctx.body = await messages.preferences(personId);
  });
  router.post('/persons/:personId/message-consents', async (ctx) => {
    const { personId } = parseValue(ctx.params, messagePersonPath);
    const { channel, kinds } = parseBody(ctx, messageConsentBody);
    await messages.consent(personId, channel, kinds);
    ctx.body = { recorded: kinds.length };
  });
  // A parent's account (docs/messages.md § Parents): the consents are theirs, whichever child a message is about.
  router.post('/guardian-message-consents', async (ctx) => {
    const { parentOpenid, kinds } = parseBody(ctx, guardianConsentBody);
    if (!(await messages.guardianConsent(parentOpenid, kinds)))
      throw new CoreError('VALIDATION_FAILED', 'only WeChat and Alipay accounts give message consent');
    ctx.body = { recorded: kinds.length };
  });
  // A parent's own settings: the kinds and quiet hours of their recipient id (the BFF names the account).
  router.get('/guardian-message-preferences', async (ctx) => {
    const { parentOpenid } = parseValue(ctx.query, guardianPreferencesQuery);
    ctx.body = await messages.guardianPreferences(parentOpenid);
  });
  router.put('/guardian-message-preferences', async (ctx) => {
    const { parentOpenid, ...prefs } = parseBody(ctx, guardianPreferencesBody);
    ctx.body = await messages.setGuardianPreferences(parentOpenid, prefs);
  });
  router.post('/sms-replies', async (ctx) => {
    const { phone, content } = parseBody(ctx, smsReplyBody);
    ctx.body = await messages.smsReply(phone, content);
  });
  router.post('/sms-reports', async (ctx) => {
    const { outId, delivered, errCode } = parseBody(ctx, smsReportBody);
    ctx.body = await messages.smsReport(outId, delivered, errCode);
  });
  router.get('/messages/daily-counts', async (ctx) => {
    const { days } = parseValue(ctx.query, messageCountsQuery);
    // From the start of the Asia/Shanghai day `days - 1` days ago.
    const { startMs } = dayBoundsMs(shanghaiDay(Date.now()) - days + 1);
    ctx.body = { items: await messages.dailyCounts(startMs) };
  });
  router.get('/messages/failures', async (ctx) => {
    ctx.body = { items: await messages.failures(50) };
  });
  return router;
}
