import type {
  GuardianPreferencesWire,
  MessageDailyCount,
  MessageFailure,
  MessagePreferencesWire,
  messageKindNames,
} from '../contract/messages.ts';
import { DomainClient, query } from './transport.ts';

type MessageKindName = (typeof messageKindNames)[number];

/** Messages outside the app: a person's preferences and consents; the backoffice's counts and failures. */
export class MessagesClient extends DomainClient {
  messagePreferences(personId: string): Promise<MessagePreferencesWire> {
    return this.transport.call('GET', `/v1/persons/${encodeURIComponent(personId)}/message-preferences`);
  }
  setMessagePreferences(personId: string, prefs: MessagePreferencesWire): Promise<MessagePreferencesWire> {
    return this.transport.call(
      'PUT',
      `/v1/persons/${encodeURIComponent(personId)}/message-preferences`,
      prefs,
    );
  }
  /** Records one-time subscription consents the person accepted in the app (one message each). */
  messageConsent(
    personId: string,
    channel: 'wechat' | 'alipay',
    kinds: MessageKindName[],
  ): Promise<{ recorded: number }> {
    return this.transport.call('POST', `/v1/persons/${encodeURIComponent(personId)}/message-consents`, {
      channel,
      kinds,
    });
  }
  /** Records one-time consents a parent's account accepted in the app, for messages about their children. */
  guardianMessageConsent(parentOpenid: string, kinds: MessageKindName[]): Promise<{ recorded: number }> {
    return this.transport.call('POST', '/v1/guardian-message-consents', { parentOpenid, kinds });
  }
  /** A parent's own settings: the kinds about their children they turned off, their quiet hours. */
  guardianMessagePreferences(parentOpenid: string): Promise<GuardianPreferencesWire> {
    return this.transport.call('GET', `/v1/guardian-message-preferences${query({ parentOpenid })}`);
  }
  setGuardianMessagePreferences(
    parentOpenid: string,
    prefs: GuardianPreferencesWire,
  ): Promise<GuardianPreferencesWire> {
    return this.transport.call('PUT', '/v1/guardian-message-preferences', { parentOpenid, ...prefs });
  }
  /** A text a guardian sent back to the SMS number (退订 opts the number out); answers whether it did. */
  smsReply(phone: string, content: string): Promise<{ optedOut: boolean }> {
    return this.transport.call('POST', '/v1/sms-replies', { phone, content });
  }
  /** The SMS provider's delivery report of one message; answers whether it turned a sent row failed. */
  smsReport(outId: string, delivered: boolean, errCode: string): Promise<{ undelivered: boolean }> {
    return this.transport.call('POST', '/v1/sms-reports', { outId, delivered, errCode });
  }
  /** Template ids per kind the apps ask one-time consent for, per platform (empty: channel off). */
  messageTemplates(): Promise<{ wechat: Record<string, string>; alipay: Record<string, string> }> {
    return this.transport.call('GET', '/v1/messages/templates');
  }
  messageDailyCounts(days: number): Promise<{ items: MessageDailyCount[] }> {
    return this.transport.call('GET', `/v1/messages/daily-counts${query({ days })}`);
  }
  messageFailures(): Promise<{ items: MessageFailure[] }> {
    return this.transport.call('GET', '/v1/messages/failures');
  }
}
