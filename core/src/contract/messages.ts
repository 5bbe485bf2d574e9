/** Messages outside the app on the wire (docs/messages.md): preferences, one-time consents, delivery counts. */
import { z } from 'zod';
import { openid } from './bindings.ts';
import { mobilePhone } from './fields.ts';

export const messageKindNames = [
  'receipt',
  'low_balance',
  'card_status',
  'statement',
  'news',
  'hold_released',
  'attendance_week',
  'spending_alert',
  'theft_alert',
] as const;
export const messageChannelNames = ['wechat', 'alipay', 'sms'] as const;
export const messageStatusNames = [
  'pending',
  'claimed',
  'sending',
  'sent',
  'refused',
  'failed',
  'skipped',
  'unknown',
] as const;

const minuteOfDay = z.number().int().min(0).max(1439);

/** GET/PUT /v1/persons/:personId/message-preferences. */
export const messagePreferences = z.strictObject({
  /** Minutes of the Asia/Shanghai day; equal: no quiet hours; start after end wraps midnight. */
  quietStartMin: minuteOfDay,
  quietEndMin: minuteOfDay,
  optedOut: z.array(z.enum(messageKindNames)).max(messageKindNames.length),
  /** Payment and top-up receipts, opt-in. */
  receipts: z.boolean(),
  /** The person's own low-balance alert, fen; null: none. */
  lowBalanceFen: z.number().int().min(0).max(100_000_000).nullable(),
});
export type MessagePreferencesWire = z.infer<typeof messagePreferences>;

export const messagePersonPath = z.object({ personId: z.string().min(1).max(26) });

/** POST /v1/persons/:personId/message-consents: one-time consents the person just accepted in the app. */
export const messageConsentBody = z.strictObject({
  channel: z.enum(['wechat', 'alipay']),
  kinds: z.array(z.enum(messageKindNames)).min(1).max(messageKindNames.length),
});

/**
 * POST /v1/guardian-message-consents: one-time consents a parent's account accepted in the app (the
 * BFF names the account from the session; the app is the account's own: WeChat, or Alipay for `ali-…`).
 */
export const guardianConsentBody = z.strictObject({
  parentOpenid: openid,
  kinds: z.array(z.enum(messageKindNames)).min(1).max(messageKindNames.length),
});

/**
 * A parent's own settings (docs/messages.md § Parents), kept like a student's under the parent's
 * recipient id: the kinds about their children they turned off and their quiet hours. Their low-balance
 * alert is per child, on the link (PATCH /v1/guardian-links/:id). GET ?parentOpenid=, PUT this body.
 */
export const guardianPreferencesQuery = z.strictObject({ parentOpenid: openid });
export const guardianPreferences = messagePreferences.pick({
  quietStartMin: true,
  quietEndMin: true,
  optedOut: true,
});
export type GuardianPreferencesWire = z.infer<typeof guardianPreferences>;
export const guardianPreferencesBody = guardianPreferences.extend({ parentOpenid: openid });

/**
 * POST /v1/sms-replies: a text a guardian sent back to the campus's SMS number (the BFF relays the
 * provider's uplink report): 退订/TD/STOP opts that number out of every SMS.
 */
export const smsReplyBody = z.strictObject({ phone: mobilePhone, content: z.string().max(500) });

/**
 * POST /v1/sms-reports: the SMS provider's delivery report of one message (the BFF relays its SmsReport
 * push): `outId` the outbox row's id sent as OutId, `delivered` the report's success, `errCode` the
 * carrier's code (DELIVERED, UNDELIV, MK:0001, …).
 */
export const smsReportBody = z.strictObject({
  outId: z.string().regex(/^[0-9a-f]{32}$/),
  delivered: z.boolean(),
  errCode: z.string().regex(/^[A-Za-z0-9:._-]{1,40}$/),
});

/** GET /v1/messages/daily-counts?days=: outbox rows per Asia/Shanghai day, channel, kind and status. */
export const messageCountsQuery = z.object({ days: z.coerce.number().int().min(1).max(31).default(7) });
export const messageDailyCount = z.object({
  /** 'YYYY-MM-DD' in Asia/Shanghai, of the day the message was queued. */
  day: z.string(),
  channel: z.enum(messageChannelNames),
  kind: z.enum(messageKindNames),
  status: z.enum(messageStatusNames),
  count: z.number().int(),
});
export type MessageDailyCount = z.infer<typeof messageDailyCount>;

/** A delivery that did not arrive, as the backoffice lists it: no person data. */
export const messageFailure = z.object({
  eventKey: z.string(),
  channel: z.enum(messageChannelNames),
  kind: z.enum(messageKindNames),
  status: z.enum(messageStatusNames),
  lastError: z.string().nullable(),
  attempts: z.number().int(),
  atMs: z.number().int(),
});
export type MessageFailure = z.infer<typeof messageFailure>;
