import { createHash, randomInt } from 'node:crypto';
import type { CoreClient, GuardianLink } from '@campus-card/core/client';
import type { GuardianPreferencesWire, messageKindNames } from '@campus-card/core/contract';
import type { Sessions } from '../auth/sessions.ts';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';
import type { Bills, TransactionFilterName } from './bills.ts';
import type { BindingService } from './bindings.ts';

type MessageKindName = (typeof messageKindNames)[number];

/** Crockford base32 without I, L, O, U: nothing a parent can misread off the child's screen. */
const codeAlphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const codeLength = 8;

/**
 * How long the parent who reported the card lost may take it back (a mistaken tap, or the card found
 * at home within the half hour). Later, or after anyone else changed the card, cancelling a loss is
 * the child's (PIN and identity on their phone) or the card centre's, as before.
 */
export const lossUndoMs = 30 * 60_000;

export interface ParentOptions {
  /** How long an invitation code can be redeemed. */
  invitationTtlMs: number;
  /** Wrong codes one account may try before redeeming is locked, and for how long. */
  failuresMax: number;
  /** Wrong codes from one client address before redeeming from it is locked. */
  addressFailuresMax: number;
  lockoutMs: number;
}

/** A child as a linked parent sees it: the balance only when the child allows it. */
export interface ChildView {
  cardNo: string;
  name: string;
  status: string;
  linkId: string;
  showBalance: boolean;
  showSpending: boolean;
  balance?: { main: number; subsidy: number; pending: number };
  lowBalanceAlert?: number;
  /** True when an alert is set, the balance may be seen and it is below the alert. */
  lowBalance?: boolean;
  /**
   * When the card is not active: the change that made it so, who made it (self, parent, admin …),
   * whether it was this parent, and when. The parent who reported the loss may undo it until
   * undoUntilMs (lossUndoMs after the report, while it is still the card's latest change); otherwise
   * cancelling a loss needs the child's PIN and identity on the child's own phone, or the card centre.
   */
  statusChange?: { kind: string; by: string; byYou: boolean; atMs: number; undoUntilMs?: number };
  linkedAtMs: number;
}

/** A low-balance alert as a line of the parent's message list, naming the child's card. */
export interface LowBalanceNotice {
  type: 'notice';
  id: string;
  kind: 'low_balance';
  cardNo: string;
  title: string;
  body: string;
  balance: number;
  threshold: number;
  atMs: number;
}

/**
 * Parents. A bound student makes a one-time invitation code (kept in the kv, only its digest as the
 * key); a signed-in parent redeems it and the core stores the link. The child chooses per parent
 * whether the balance and the spending are shown; the parent sets a low-balance alert, can report
 * the card lost, and can unlink.
 */
export class Parents {
  constructor(
    private readonly core: CoreClient,
    private readonly kv: Kv,
    private readonly bindings: BindingService,
    private readonly sessions: Sessions,
    private readonly bills: Bills,
    private readonly options: ParentOptions,
  ) {}

  // The child's side.

  async invite(openid: string): Promise<{ invitationCode: string; expiresInMs: number }> {
    const binding = await this.bindings.require(openid);
    let code = '';
    for (let i = 0; i < codeLength; i++) code += codeAlphabet[randomInt(codeAlphabet.length)];
    const invitation: Invitation = { personNo: binding.personNo, childOpenid: openid };
    await this.kv.set(invitationKey(code), JSON.stringify(invitation), this.options.invitationTtlMs);
    return { invitationCode: code, expiresInMs: this.options.invitationTtlMs };
  }

  async parentsOf(openid: string) {
    const binding = await this.bindings.require(openid);
    const { items } = await this.core.guardianLinks({ personNo: binding.personNo });
    return { parents: items.map(parentView) };
  }

  async setVisibility(
    openid: string,
    linkId: string,
    visibility: { showBalance?: boolean; showSpending?: boolean },
  ) {
    const link = await this.childLink(openid, linkId);
    return parentView(await this.core.updateGuardianLink(link.id, visibility));
  }

  async removeParent(openid: string, linkId: string): Promise<{ removed: boolean }> {
    const link = await this.childLink(openid, linkId);
    return this.core.unlinkGuardian(link.id);
  }

  // The parent's side.

  /**
   * Redeems a child's invitation. Wrong codes are counted per account and per client address; the
   * attempt is reserved on both before the code is looked up (so a burst of guesses in flight at once
   * gets no more tries than the limit), kept when the code was wrong, and given back otherwise.
   */
  async redeem(
    openid: string,
    invitationCode: string,
    address: string,
  ): Promise<ChildView & { created: boolean }> {
    const counters = [
      { key: `invite-failures:${digest(openid)}`, max: this.options.failuresMax },
      {
        key: `invite-failures:address:${digest(address || 'unknown')}`,
        max: this.options.addressFailuresMax,
      },
    ];
    const reserved = await this.kv.reserveAttempt(counters, this.options.lockoutMs);
    if (!reserved.allowed) throw this.lockedOut();
    const release = () => this.kv.releaseAttempt(counters.map((c) => c.key));
    const key = invitationKey(invitationCode);
    const offered = await this.kv.get(key);
    // The child trying their own code is told so and the code stays good for the parent.
    if (offered !== null && (JSON.parse(offered) as Invitation).childOpenid === openid) {
      await release();
      throw new BffError('FORBIDDEN', 'a student cannot link to their own card as a parent');
    }
    // Taken atomically: of two parents racing with one code, one gets it.
    const raw = await this.kv.take(key);
    if (raw === null) {
      const failed = await this.kv.failAttempt(counters);
      if (failed.locked) throw this.lockedOut();
      const left = Math.min(...counters.map((c, i) => c.max - (failed.counts[i] as number)));
      throw new BffError('INVITATION_INVALID', 'this invitation code is wrong, used or expired', {
        attemptsLeft: left,
      });
    }
    await release();
    const invitation = JSON.parse(raw) as Invitation;
    const link = await this.core.linkGuardian({ parentOpenid: openid, personNo: invitation.personNo });
    return { ...(await this.childView(link)), created: link.created };
  }

  async children(openid: string): Promise<{ children: ChildView[] }> {
    const { items } = await this.core.guardianLinks({ parentOpenid: openid });
    return { children: await Promise.all(items.map((link) => this.childView(link))) };
  }

  async child(openid: string, cardNo: string): Promise<ChildView> {
    return this.childView(await this.parentLink(openid, cardNo));
  }

  /** The child's bill, when the child lets this parent see spending. */
  async childTransactions(
    openid: string,
    cardNo: string,
    query: { month?: string; kind?: TransactionFilterName; cursor?: string; limit: number },
  ) {
    const link = await this.parentLink(openid, cardNo);
    if (!link.showSpending) throw new BffError('FORBIDDEN', 'your child does not share their spending');
    return this.bills.list({ cardNo: link.cardNo }, query);
  }

  async setAlert(openid: string, cardNo: string, threshold: number | null): Promise<ChildView> {
    const link = await this.parentLink(openid, cardNo);
    return this.childView(await this.core.updateGuardianLink(link.id, { lowBalanceAlert: threshold }));
  }

  /**
   * Reports the child's card lost from the parent's phone. The child's sessions end too: the lost
   * phone may be signed in; the child signs in again on a new one. The phone is told why
   * (SESSION_REVOKED with details.reason parent_report_loss), not signed out silently.
   */
  async reportLoss(openid: string, cardNo: string) {
    const link = await this.parentLink(openid, cardNo);
    const change = await this.core.changeCard(link.cardNo, 'report_loss', { type: 'parent', id: link.id });
    for (const childOpenid of link.childOpenids)
      await this.sessions.revokeAll(childOpenid, undefined, 'parent_report_loss');
    return { changed: change.changed, status: change.status, version: change.version };
  }

  /**
   * Takes back this parent's own loss report within lossUndoMs, while it is still the card's latest
   * change (nobody has frozen, reissued or cancelled it since). The child signs in again as after any
   * loss; the payment codes made before the report stay refused (the card's version moved on twice).
   */
  async undoLoss(openid: string, cardNo: string) {
    const link = await this.parentLink(openid, cardNo);
    const card = await this.core.getCard(link.cardNo);
    // The change that made the card's current version (history is in time order, not version order).
    const latest = (await this.core.cardHistory(link.cardNo)).find((e) => e.version === card.version);
    const own =
      card.status === 'lost' &&
      latest !== undefined &&
      latest.kind === 'report_loss' &&
      latest.actorType === 'parent' &&
      latest.actorId === link.id;
    if (!own)
      throw new BffError('INVALID_TRANSITION', 'only your own loss report, while it is the latest change', {
        status: card.status,
      });
    if (Date.now() >= latest.createdAtMs + lossUndoMs)
      throw new BffError('INVALID_TRANSITION', 'a loss report can be taken back for 30 minutes only', {
        status: card.status,
        undoExpired: true,
      });
    const change = await this.core.changeCard(link.cardNo, 'cancel_loss', { type: 'parent', id: link.id });
    return { changed: change.changed, status: change.status, version: change.version };
  }

  async unlinkChild(openid: string, cardNo: string): Promise<{ removed: boolean }> {
    const link = await this.parentLink(openid, cardNo);
    return this.core.unlinkGuardian(link.id);
  }

  /**
   * The children a parent's live view may watch: only those who share both balance and spending,
   * because every push carries the amount and the balance after it; with the alerts set on them,
   * which the live view turns into low_balance messages within the push's second.
   */
  async watchable(openid: string): Promise<{ cardNos: string[]; alerts: Record<string, number> }> {
    const { items } = await this.core.guardianLinks({ parentOpenid: openid });
    const shared = items.filter((l) => l.showBalance && l.showSpending);
    const alerts: Record<string, number> = {};
    for (const link of shared) if (link.lowBalanceAlert !== null) alerts[link.cardNo] = link.lowBalanceAlert;
    return { cardNos: shared.map((l) => l.cardNo), alerts };
  }

  /**
   * The alerts a parent set that the balance is under now, as message lines: dated at the card's latest
   * movement (the one that left it under), so the line stays read once read and comes back after the
   * next movement. Only for children who show their balance to this parent.
   */
  async lowBalanceNotices(openid: string): Promise<LowBalanceNotice[]> {
    const { children } = await this.children(openid);
    const low = children.filter((c) => c.lowBalance && c.balance && c.lowBalanceAlert !== undefined);
    return Promise.all(
      low.map(async (child): Promise<LowBalanceNotice> => {
        const latest = (await this.core.cardOperations(child.cardNo, { limit: 1 })).items[0];
        const atMs = latest?.createdAtMs ?? child.linkedAtMs;
        const balance = (child.balance?.main ?? 0) + (child.balance?.subsidy ?? 0);
        const threshold = child.lowBalanceAlert ?? 0;
        return {
          type: 'notice',
          id: `low-balance-${child.cardNo}-${atMs}`,
          kind: 'low_balance',
          cardNo: child.cardNo,
          title: '余额不足提醒',
          body: `${child.name}的校园卡余额 ${yuan(balance)}，低于你设置的提醒金额 ${yuan(threshold)}`,
          balance,
          threshold,
          atMs,
        };
      }),
    );
  }

  /**
   * One-time message consents a parent's account just accepted in the app (docs/messages.md § Parents),
   * for the messages about their children: kept for the account, whichever child a message is about.
   */
  async messageConsent(openid: string, kinds: MessageKindName[]): Promise<{ recorded: number }> {
    await this.requireParent(openid);
    return this.core.guardianMessageConsent(openid, kinds);
  }

  /**
   * The parent's own message settings (docs/messages.md § Parents): the kinds about their children
   * they turned off and their quiet hours, kept by the core as a student's are; the low-balance alert
   * is per child (setAlert). Only for an account linked to a child.
   */
  async messagePreferences(openid: string): Promise<GuardianPreferencesWire> {
    await this.requireParent(openid);
    return this.core.guardianMessagePreferences(openid);
  }

  async setMessagePreferences(
    openid: string,
    prefs: GuardianPreferencesWire,
  ): Promise<GuardianPreferencesWire> {
    await this.requireParent(openid);
    return this.core.setGuardianMessagePreferences(openid, prefs);
  }

  private async requireParent(openid: string): Promise<void> {
    const { items } = await this.core.guardianLinks({ parentOpenid: openid });
    if (items.length === 0) throw new BffError('CHILD_NOT_FOUND', 'you are not linked to any child');
  }

  /** Every linked child's card: their status changes (a loss reported or cancelled) reach the parent. */
  async linkedCardNos(openid: string): Promise<string[]> {
    return (await this.core.guardianLinks({ parentOpenid: openid })).items.map((link) => link.cardNo);
  }

  private async parentLink(openid: string, cardNo: string): Promise<GuardianLink> {
    const { items } = await this.core.guardianLinks({ parentOpenid: openid });
    const link = items.find((l) => l.cardNo === cardNo);
    if (!link) throw new BffError('CHILD_NOT_FOUND', 'you are not linked to this card');
    return link;
  }

  private async childLink(openid: string, linkId: string): Promise<GuardianLink> {
    const binding = await this.bindings.require(openid);
    const { items } = await this.core.guardianLinks({ personNo: binding.personNo });
    const link = items.find((l) => l.id === linkId);
    if (!link) throw new BffError('NOT_FOUND', 'no such parent is linked to you');
    return link;
  }

  private async childView(link: GuardianLink): Promise<ChildView> {
    const card = await this.core.getCard(link.cardNo);
    const statusChange =
      card.status === 'active' ? undefined : await this.statusChange(link, card.status, card.version);
    const balance = link.showBalance
      ? {
          main: card.balance.main,
          subsidy: card.balance.subsidy,
          pending: card.balance.mainPending + card.balance.subsidyPending,
        }
      : undefined;
    return {
      cardNo: link.cardNo,
      name: link.name,
      status: card.status,
      linkId: link.id,
      showBalance: link.showBalance,
      showSpending: link.showSpending,
      ...(balance ? { balance } : {}),
      ...(link.lowBalanceAlert === null ? {} : { lowBalanceAlert: link.lowBalanceAlert }),
      ...(balance && link.lowBalanceAlert !== null
        ? { lowBalance: balance.main + balance.subsidy < link.lowBalanceAlert }
        : {}),
      ...(statusChange ? { statusChange } : {}),
      linkedAtMs: link.createdAtMs,
    };
  }

  /** The latest change that left the card in its status now (a parent's is made under its link id). */
  private async statusChange(
    link: GuardianLink,
    status: string,
    version: number,
  ): Promise<ChildView['statusChange']> {
    const history = await this.core.cardHistory(link.cardNo);
    const change = history.findLast((e) => e.toStatus === status && e.fromStatus !== e.toStatus);
    if (!change) return undefined;
    const byYou = change.actorType === 'parent' && change.actorId === link.id;
    const undoUntilMs = change.createdAtMs + lossUndoMs;
    const undoable =
      byYou && change.kind === 'report_loss' && change.version === version && Date.now() < undoUntilMs;
    return {
      kind: change.kind,
      by: change.actorType,
      byYou,
      atMs: change.createdAtMs,
      ...(undoable ? { undoUntilMs } : {}),
    };
  }

  private lockedOut(): BffError {
    const minutes = Math.ceil(this.options.lockoutMs / 60_000);
    return new BffError(
      'LOCKED_OUT',
      `too many wrong invitation codes; try again in up to ${minutes} minutes`,
    );
  }
}

interface Invitation {
  personNo: string;
  childOpenid: string;
}

/** A parent as the child sees the link: never the parent's openid. */
function parentView(link: GuardianLink) {
  return {
    id: link.id,
    showBalance: link.showBalance,
    showSpending: link.showSpending,
    linkedAtMs: link.createdAtMs,
  };
}

/** Fen as the app writes it: ¥12.30 (integers only). */
function yuan(fen: number): string {
  const sign = fen < 0 ? '-' : '';
  const abs = Math.abs(fen);
  return `${sign}¥${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, '0')}`;
}

function digest(value: string): string {
  return createHash('sha256').update(value).digest('base64url').slice(0, 22);
}
const invitationKey = (code: string) => `guardian-invitation:${digest(code)}`;
