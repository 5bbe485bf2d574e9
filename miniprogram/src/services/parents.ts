// Parents and the student's linked parents (docs/api.md): a parent's children, each child's card status
// and spending as the child allows, the low-balance alert and its messages; the student's own list of
// linked parents, what each may see, removing one, and the one-time invitation code.
import type { ApiClient } from './request.ts';
import type { Balance, CardStatus, Page, Transaction } from './types.ts';

/** A linked child as the parent sees them; the balance only when the child shows it. */
export interface ChildView {
  readonly cardNo: string;
  readonly name: string;
  readonly status: CardStatus;
  readonly linkId: string;
  readonly showBalance: boolean;
  readonly showSpending: boolean;
  readonly balance?: Balance;
  readonly lowBalanceAlert?: number;
  /** Set by the BFF when an alert is set and main + subsidy is below it. */
  readonly lowBalance?: boolean;
  /** A card that is not active: what made it so (report_loss, freeze …), by whom, and when. */
  readonly statusChange?: {
    readonly kind: string;
    readonly by: string;
    /** This parent made it. */
    readonly byYou: boolean;
    readonly atMs: number;
    /** This parent's own loss report may be taken back until then (30 minutes after it). */
    readonly undoUntilMs?: number;
  };
  readonly linkedAtMs: number;
}

/** A line of the parent's messages: a child's movement, a card change (with who made it), or an alert. */
export interface ParentMessage {
  readonly type: 'operation' | 'card' | 'notice';
  readonly id: string;
  readonly cardNo?: string;
  /** An operation's kind, a card change's kind (report_loss …), a notice's kind (low_balance …). */
  readonly kind?: string;
  readonly amount?: number;
  /** Where a child's payment was made. */
  readonly merchantName?: string | null;
  readonly status?: CardStatus;
  readonly by?: string;
  readonly title?: string;
  readonly body?: string;
  readonly atMs: number;
}

export interface ParentMessages {
  readonly items: readonly ParentMessage[];
  readonly unread: number;
  readonly seenUpToMs: number;
}

/** A linked parent as the student sees the link: never the parent's account. */
export interface LinkedParent {
  readonly id: string;
  readonly showBalance: boolean;
  readonly showSpending: boolean;
  readonly linkedAtMs: number;
}

// The parent's side.

export function listChildren(api: ApiClient): Promise<{ children: readonly ChildView[] }> {
  return api.request('GET', '/children');
}

export function linkChild(api: ApiClient, invitationCode: string): Promise<ChildView> {
  return api.request('POST', '/children', { invitationCode: invitationCode.trim() });
}

/** The child's bill, when the child shows spending to this parent (FORBIDDEN otherwise). */
export function listChildSpending(
  api: ApiClient,
  cardNo: string,
  cursor?: string,
): Promise<Page<Transaction>> {
  return api.request('GET', `/children/${encodeURIComponent(cardNo)}/transactions`, undefined, {
    query: { cursor, limit: '20' },
  });
}

export function setLowBalanceAlert(
  api: ApiClient,
  cardNo: string,
  threshold: number | null,
): Promise<ChildView> {
  return api.request('PUT', `/children/${encodeURIComponent(cardNo)}/alert`, { threshold });
}

export function reportChildLost(api: ApiClient, cardNo: string): Promise<{ status: CardStatus }> {
  return api.request('POST', `/children/${encodeURIComponent(cardNo)}/actions`, { action: 'report_loss' });
}

/** Takes back this parent's own loss report, within the half hour the child view offers it. */
export function undoChildLoss(api: ApiClient, cardNo: string): Promise<{ status: CardStatus }> {
  return api.request('POST', `/children/${encodeURIComponent(cardNo)}/actions`, { action: 'cancel_loss' });
}

export function unlinkChild(api: ApiClient, cardNo: string): Promise<{ removed: boolean }> {
  return api.request('DELETE', `/children/${encodeURIComponent(cardNo)}`);
}

/** The children's movements and card changes, and the low-balance alerts that hold now. */
export function listParentMessages(api: ApiClient): Promise<ParentMessages> {
  return api.request('GET', '/children/notifications');
}

// The student's side.

export function listMyParents(api: ApiClient): Promise<{ parents: readonly LinkedParent[] }> {
  return api.request('GET', '/parents');
}

export function removeParent(api: ApiClient, linkId: string): Promise<{ removed: boolean }> {
  return api.request('DELETE', `/parents/${encodeURIComponent(linkId)}`);
}

export function setParentVisibility(
  api: ApiClient,
  linkId: string,
  visibility: { showBalance?: boolean; showSpending?: boolean },
): Promise<LinkedParent> {
  return api.request('PUT', `/parents/${encodeURIComponent(linkId)}/visibility`, visibility);
}

/** A one-time code for a parent to type in their own app, good for expiresInMs. */
export function createParentInvitation(
  api: ApiClient,
): Promise<{ invitationCode: string; expiresInMs: number }> {
  return api.request('POST', '/parents/invitations');
}

/** "09:58": minutes and seconds left until an invitation made at madeAtMs expires; "00:00" after. */
export function invitationTimeLeft(expiresAtMs: number, nowMs: number): string {
  const seconds = Math.max(0, Math.ceil((expiresAtMs - nowMs) / 1_000));
  return `${String(Math.floor(seconds / 60)).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}`;
}
