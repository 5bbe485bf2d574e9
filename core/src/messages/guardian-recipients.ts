import { createHash } from 'node:crypto';
import type { GuardianLink } from '../contract/guardians.ts';
import {
  defaultPreferences,
  type MessageChannel,
  type MessageKind,
  type MessagePreferences,
} from './message-types.ts';

/**
 * Parents as message recipients (sql/082, docs/messages.md § Parents). A parent is an app account
 * linked to a child's card, not a person, so the outbox addresses them by a recipient id of their own:
 * `g:` and 24 hex digits of the account's SHA-256 (26 characters, the width of a person id, and never
 * one: person ids have no colon). The same for every child the account is linked to, so a parent's
 * one-time consents and settings are theirs, whichever child a message is about.
 */
export function guardianRecipientId(parentOpenid: string): string {
  return `g:${createHash('sha256').update(parentOpenid).digest('hex').slice(0, 24)}`;
}

/**
 * A guardian on record (sql/150) without a parent account in the app, as an SMS recipient: `s:` and
 * the first 24 hex digits of the keyed digest of their phone, so siblings' guardian is one recipient
 * (one opt-out) and no phone number is in the outbox.
 */
export function smsGuardianRecipientId(phoneDigest: string): string {
  return `s:${phoneDigest.slice(0, 24)}`;
}

/**
 * Settings of a guardian on record until they store any (they have no app to set them in): no text
 * between 22:00 and 07:00 Shanghai time; a message due then waits for the morning.
 */
export const smsGuardianDefaults: MessagePreferences = {
  ...defaultPreferences,
  quietStartMin: 22 * 60,
  quietEndMin: 7 * 60,
};

/** What a guardian texts back to stop every SMS (退订, TD, T, STOP, N, as Chinese SMS providers take them). */
export function isSmsOptOut(content: string): boolean {
  return /^(退订|取消|TD|T|N|STOP|UNSUBSCRIBE)$/i.test(content.trim().replace(/[\s。.!！]+$/u, ''));
}

/** The app a parent's account is in: Alipay subjects are `ali-…`; a browser (campus SSO) has none. */
export function guardianChannel(
  parentOpenid: string,
): Extract<MessageChannel, 'wechat' | 'alipay'> | undefined {
  if (parentOpenid.startsWith('ali-')) return 'alipay';
  if (parentOpenid.startsWith('sso-')) return undefined;
  return 'wechat';
}

/**
 * Whether the child lets the parent of `link` be told a message of this kind: the balance (low
 * balance) only when the child shows it, spending (an abnormal-spending alert) only when the child
 * shows their spending. A card's status (lost, frozen) is on the parent's page whatever the child
 * chose, and a receipt is of the parent's own top-up. Anything else is never sent to a parent.
 */
export function parentMaySee(
  link: Pick<GuardianLink, 'showBalance' | 'showSpending'>,
  kind: MessageKind,
): boolean {
  if (kind === 'low_balance') return link.showBalance;
  if (kind === 'spending_alert') return link.showSpending;
  return kind === 'card_status' || kind === 'receipt';
}
