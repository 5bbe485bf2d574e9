// Visitors (docs/visitors-meetings-bus.md): a host's invitations, and the visitor's pass page, which
// has no account (its link's token is the only right, so the call goes without the session).
import type { VisitView } from '@campus-card/core/contract';
import type { ApiClient } from './request.ts';

export type { VisitView };

export interface Invitation {
  requestId: string;
  visitorName: string;
  visitorPhone: string;
  idTail: string;
  purpose: string;
  validFromMs: number;
  validUntilMs: number;
  places: string[];
}

export function visitorPlaces(api: ApiClient): Promise<{ items: { id: string; name: string }[] }> {
  return api.request('GET', '/visitor-places');
}

export function inviteVisitor(
  api: ApiClient,
  invitation: Invitation,
): Promise<{ visit: VisitView; linkToken: string; created: boolean }> {
  return api.request('POST', '/visits', invitation);
}

export function myVisits(api: ApiClient): Promise<{ items: (VisitView & { linkToken: string })[] }> {
  return api.request('GET', '/visits');
}

export function cancelVisit(api: ApiClient, id: string): Promise<VisitView> {
  return api.request('POST', `/visits/${encodeURIComponent(id)}/cancel`);
}

export function visitorPass(
  api: ApiClient,
  token: string,
): Promise<{ visit: VisitView; passText: string | null; serverTimeMs: number }> {
  return api.request('GET', `/visitor-passes/${encodeURIComponent(token)}`, undefined, { auth: false });
}

/** The page a visitor opens: on H5 the link the host sends (the mini-programs share the path). */
export function visitorPassPath(token: string): string {
  return `/pages/visitor-pass/index?t=${encodeURIComponent(token)}`;
}
