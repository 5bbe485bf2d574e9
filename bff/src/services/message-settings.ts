import type { CoreClient } from '@campus-card/core/client';
import type { MessagePreferencesWire, messageKindNames } from '@campus-card/core/contract';
import { BffError } from '../errors.ts';
import { ALIPAY_SUBJECT_PREFIX } from './alipay-login.ts';
import type { BindingService } from './bindings.ts';
import { SSO_SUBJECT_PREFIX } from './sso.ts';

type MessageKindName = (typeof messageKindNames)[number];

/**
 * The student's 消息设置 (docs/messages.md): which kinds reach them outside the app, quiet hours,
 * receipts and their own low-balance alert; and the one-time subscription consents they just
 * accepted in the app. The platform is the one the account signed in with (never what the client
 * says): WeChat openids, Alipay `ali-…`; a browser (H5, campus SSO) has no subscription to consent to.
 */
export class MessageSettings {
  constructor(
    private readonly core: CoreClient,
    private readonly bindings: BindingService,
  ) {}

  /** The template ids per kind this account's app asks consent for; none in a browser. */
  async templates(openid: string): Promise<Record<string, string>> {
    const channel = channelOf(openid);
    if (channel === undefined) return {};
    return (await this.core.messageTemplates())[channel];
  }

  async preferences(openid: string): Promise<MessagePreferencesWire> {
    const { personId } = await this.bindings.require(openid);
    return this.core.messagePreferences(personId);
  }

  async setPreferences(openid: string, prefs: MessagePreferencesWire): Promise<MessagePreferencesWire> {
    const { personId } = await this.bindings.require(openid);
    return this.core.setMessagePreferences(personId, prefs);
  }

  async consent(openid: string, kinds: MessageKindName[]): Promise<{ recorded: number }> {
    const channel = channelOf(openid);
    if (channel === undefined)
      throw new BffError('VALIDATION_FAILED', 'only the WeChat and Alipay apps ask for message consent');
    let personId: string;
    try {
      ({ personId } = await this.bindings.require(openid));
    } catch (error) {
      // A parent's account bound to no card (e.g. asked before topping up a child): the consent is the
      // parent's, for the messages about their children (docs/messages.md § Parents).
      if (!(error instanceof BffError && error.code === 'NOT_BOUND')) throw error;
      if ((await this.core.guardianLinks({ parentOpenid: openid })).items.length === 0) throw error;
      return this.core.guardianMessageConsent(openid, kinds);
    }
    return this.core.messageConsent(personId, channel, kinds);
  }
}

/** The app an account signed in with, for its one-time message consents. */
function channelOf(openid: string): 'wechat' | 'alipay' | undefined {
  if (openid.startsWith(ALIPAY_SUBJECT_PREFIX)) return 'alipay';
  if (openid.startsWith(SSO_SUBJECT_PREFIX)) return undefined;
  return 'wechat';
}
