import type { BindingRepository } from '../bindings/binding-repository.ts';
import type { GuardianLink } from '../contract/guardians.ts';
import {
  guardianChannel,
  guardianRecipientId,
  isSmsOptOut,
  parentMaySee,
  smsGuardianDefaults,
  smsGuardianRecipientId,
} from './guardian-recipients.ts';
import type { MessageRepository } from './message-repository.ts';
import {
  type DeliveryFailure,
  defaultPreferences,
  type MessageChannel,
  type MessageDailyCount,
  type MessageEvent,
  type MessageKind,
  type MessagePreferences,
  messageKinds,
  type OutboxRow,
} from './message-types.ts';

/** A child's guardian on record (sql/150) as delivery needs them: the phone opened, its keyed digest. */
export interface GuardianOnRecord {
  phone: string;
  phoneDigest: string;
}

export interface SendResult {
  /** Channels a new outbox row was made for (pending, or skipped with the reason on the row). */
  queued: MessageChannel[];
  /** Channels where this event had already been queued for the person: nothing added. */
  already: MessageChannel[];
}

/**
 * Messages outside the app: `send(personNo, event)` is the one entry point for every domain. It writes
 * one outbox row per channel the person is bound on (WeChat, Alipay; SMS as the fallback the event
 * asks for), keyed by (event key, person, channel) so a repeated call adds nothing. Opt-outs, and
 * receipts nobody asked for, are written as skipped rows (the backoffice counts them); quiet hours and
 * consents are applied when the row is delivered (MessageDelivery).
 */
export class MessageService {
  constructor(
    private readonly repo: MessageRepository,
    private readonly bindings: Pick<BindingRepository, 'personByNo' | 'byPerson'>,
    private readonly options: {
      smsPhoneOf?: (personId: string) => Promise<string | undefined>;
      /** A guardian link as it stands now (a parent's message is checked against it at delivery). */
      guardianLink?: (id: string) => Promise<GuardianLink | undefined>;
      /** A child's guardian on record as it stands now (an SMS to them is checked against it at delivery). */
      guardianOnRecord?: (childPersonId: string) => Promise<GuardianOnRecord | undefined>;
      /** The keyed digest of a phone, as guardian_contacts.phone_digest holds it (for SMS replies). */
      phoneDigest?: (phone: string) => string;
      now?: () => number;
    } = {},
  ) {}

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  async send(personNo: string, event: MessageEvent): Promise<SendResult> {
    const person = await this.bindings.personByNo(personNo);
    if (person === undefined) return { queued: [], already: [] };
    return this.sendTo(person.personId, event);
  }

  /** `send` for a domain inside the core that knows the person id (what follows card activity). */
  async sendTo(personId: string, event: MessageEvent): Promise<SendResult> {
    const person = { personId };
    const result: SendResult = { queued: [], already: [] };
    const channels: MessageChannel[] = [];
    if (await this.bindings.byPerson(person.personId, 'wechat')) channels.push('wechat');
    if (await this.bindings.byPerson(person.personId, 'alipay')) channels.push('alipay');
    if (channels.length === 0 && event.smsFallback && this.options.smsPhoneOf) {
      if (await this.options.smsPhoneOf(person.personId)) channels.push('sms');
    }
    const prefs = await this.repo.preferences(person.personId);
    const skip = prefs.optedOut.includes(event.kind)
      ? 'opted_out'
      : event.kind === 'receipt' && !prefs.receipts
        ? 'not_opted_in'
        : null;
    const payload =
      event.page === undefined ? { fields: event.fields } : { fields: event.fields, page: event.page };
    for (const channel of channels) {
      const added = await this.repo.enqueue({
        eventKey: event.key,
        personId: person.personId,
        channel,
        kind: event.kind,
        payload,
        status: skip === null ? 'pending' : 'skipped',
        lastError: skip,
        nowMs: this.now(),
      });
      (added ? result.queued : result.already).push(channel);
    }
    return result;
  }

  /**
   * A message to a parent about the child of `link` (docs/messages.md § Parents): one outbox row on the
   * app the parent's account is in, under the parent's recipient id, naming the link. The caller has
   * checked what the child lets this parent see; delivery checks it again. Receipts are not opt-in
   * here: a parent is only sent the receipt of a top-up they made themselves.
   */
  async sendToGuardian(
    link: Pick<GuardianLink, 'id' | 'parentOpenid'>,
    event: MessageEvent,
  ): Promise<SendResult> {
    const channel = guardianChannel(link.parentOpenid);
    if (channel === undefined) return { queued: [], already: [] };
    const recipient = guardianRecipientId(link.parentOpenid);
    const prefs = await this.repo.preferences(recipient);
    const payload =
      event.page === undefined ? { fields: event.fields } : { fields: event.fields, page: event.page };
    const added = await this.repo.enqueue({
      eventKey: event.key,
      personId: recipient,
      channel,
      kind: event.kind,
      payload,
      status: prefs.optedOut.includes(event.kind) ? 'skipped' : 'pending',
      lastError: prefs.optedOut.includes(event.kind) ? 'opted_out' : null,
      nowMs: this.now(),
      guardianLinkId: link.id,
    });
    return added ? { queued: [channel], already: [] } : { queued: [], already: [channel] };
  }

  /**
   * An SMS to the guardian on record of a child with no parent account linked in the app (docs/messages.md
   * § Guardians without the app), under the guardian's own recipient id (`s:` + their phone's digest),
   * naming the child; the phone is read again at delivery and is never in the row. A guardian who sent
   * 退订 gets a skipped row. The caller has checked that no parent account is linked and what the kind is.
   */
  async sendToGuardianOnRecord(childPersonId: string, event: MessageEvent): Promise<SendResult> {
    const contact = await this.options.guardianOnRecord?.(childPersonId);
    if (contact === undefined) return { queued: [], already: [] };
    const recipient = smsGuardianRecipientId(contact.phoneDigest);
    const optedOut = (await this.preferences(recipient)).optedOut.includes(event.kind);
    const added = await this.repo.enqueue({
      eventKey: event.key,
      personId: recipient,
      channel: 'sms',
      kind: event.kind,
      payload: { fields: event.fields },
      status: optedOut ? 'skipped' : 'pending',
      lastError: optedOut ? 'opted_out' : null,
      nowMs: this.now(),
      guardianOf: childPersonId,
    });
    return added ? { queued: ['sms'], already: [] } : { queued: [], already: ['sms'] };
  }

  /**
   * A text a guardian sent back (the provider's uplink report): 退订/TD/STOP opts their number out of
   * every kind; anything else changes nothing. Answers whether it was an opt-out.
   */
  async smsReply(phone: string, content: string): Promise<{ optedOut: boolean }> {
    if (!isSmsOptOut(content) || this.options.phoneDigest === undefined) return { optedOut: false };
    const recipient = smsGuardianRecipientId(this.options.phoneDigest(phone));
    const prefs = await this.preferences(recipient);
    await this.setPreferences(recipient, { ...prefs, optedOut: [...messageKinds] });
    return { optedOut: true };
  }

  /**
   * The SMS provider's delivery report of the message it was given with this OutId: one the carrier
   * did not deliver turns its `sent` row `failed` (counted and listed in the backoffice); a delivered
   * one changes nothing. Answers whether a row changed.
   */
  async smsReport(outId: string, delivered: boolean, errCode: string): Promise<{ undelivered: boolean }> {
    if (delivered) return { undelivered: false };
    return { undelivered: await this.repo.smsUndelivered(outId, errCode, this.now()) };
  }

  /** A parent's own settings (their recipient id): the kinds turned off and quiet hours. */
  async guardianPreferences(
    parentOpenid: string,
  ): Promise<Pick<MessagePreferences, 'quietStartMin' | 'quietEndMin' | 'optedOut'>> {
    const { quietStartMin, quietEndMin, optedOut } = await this.preferences(
      guardianRecipientId(parentOpenid),
    );
    return { quietStartMin, quietEndMin, optedOut };
  }

  /** Saves a parent's kinds and quiet hours; the rest of their row stays as it was. */
  async setGuardianPreferences(
    parentOpenid: string,
    change: Pick<MessagePreferences, 'quietStartMin' | 'quietEndMin' | 'optedOut'>,
  ) {
    const recipient = guardianRecipientId(parentOpenid);
    await this.setPreferences(recipient, { ...(await this.preferences(recipient)), ...change });
    return this.guardianPreferences(parentOpenid);
  }

  /** Records one-time consents a parent's account accepted in the app (their recipient id, their app). */
  async guardianConsent(parentOpenid: string, kinds: readonly MessageKind[]): Promise<boolean> {
    const channel = guardianChannel(parentOpenid);
    if (channel === undefined) return false;
    await this.consent(guardianRecipientId(parentOpenid), channel, kinds);
    return true;
  }

  /**
   * Target of an outbox row at delivery time: the person's binding on the channel, or, for a parent's
   * message, the parent's account while the link still stands and the child still lets them see it.
   */
  async targetOfRow(
    row: Pick<OutboxRow, 'personId' | 'channel' | 'kind' | 'guardianLinkId'> &
      Partial<Pick<OutboxRow, 'guardianOf'>>,
  ) {
    if (row.guardianOf != null) {
      // The child's guardian on record now: gone, or another number since, means nobody to text.
      const contact = await this.options.guardianOnRecord?.(row.guardianOf);
      if (contact === undefined || smsGuardianRecipientId(contact.phoneDigest) !== row.personId)
        return undefined;
      return contact.phone;
    }
    if (row.guardianLinkId === null) return this.targetOf(row.personId, row.channel);
    const link = await this.options.guardianLink?.(row.guardianLinkId);
    if (link === undefined || guardianRecipientId(link.parentOpenid) !== row.personId) return undefined;
    if (guardianChannel(link.parentOpenid) !== row.channel || !parentMaySee(link, row.kind)) return undefined;
    return row.channel === 'alipay' ? link.parentOpenid.replace(/^ali-/, '') : link.parentOpenid;
  }

  /** Target of a channel for a person at delivery time (a binding removed since means no target). */
  async targetOf(personId: string, channel: MessageChannel): Promise<string | undefined> {
    if (channel === 'sms') return this.options.smsPhoneOf?.(personId);
    const binding = await this.bindings.byPerson(personId, channel);
    if (binding === undefined) return undefined;
    return channel === 'alipay' ? binding.openid.replace(/^ali-/, '') : binding.openid;
  }

  /** A person's (or a parent's, or a guardian on record's) settings; a guardian on record's default has quiet nights. */
  preferences(personId: string): Promise<MessagePreferences> {
    return this.repo.preferences(
      personId,
      personId.startsWith('s:') ? smsGuardianDefaults : defaultPreferences,
    );
  }

  setPreferences(personId: string, prefs: MessagePreferences): Promise<void> {
    return this.repo.savePreferences(personId, prefs, this.now());
  }

  /** Records the one-time consents the person just accepted in the app (one message each). */
  async consent(personId: string, channel: MessageChannel, kinds: readonly MessageKind[]): Promise<void> {
    for (const kind of kinds) await this.repo.addConsent(personId, channel, kind, this.now());
  }

  /** Queued messages per Asia/Shanghai day, channel, kind and status, since sinceMs. */
  dailyCounts(sinceMs: number): Promise<MessageDailyCount[]> {
    return this.repo.dailyCounts(sinceMs);
  }

  failures(limit = 50): Promise<DeliveryFailure[]> {
    return this.repo.failures(limit);
  }
}
