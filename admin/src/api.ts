// The one request wrapper: every call to the admin API goes through here, with the session token.
import type { CardView, CashReceipt } from '@campus-card/core/contract';
import { formatDateTime } from '@campus-card/core/time';

export const apiBase = '/api/admin/v1';
const tokenKey = 'cc-admin-token';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The BFF ends a session after this long unused (ADMIN_SESSION_IDLE_MS, 30 min by default); the
 * browser drops its copy on the same clock so a token left in storage is not kept past it.
 */
export const sessionIdleMs = 30 * 60_000;
const usedKey = 'cc-admin-token-used';

/**
 * The session token, shared by every tab of this browser (localStorage, so a new tab stays signed
 * in); each use starts its idle time again. Never put into a URL. Signing out clears it, and the
 * other tabs hear of it through the storage event (whenSignedOut).
 */
export const session = {
  get: (): string | null => {
    const token = localStorage.getItem(tokenKey);
    if (!token) return null;
    const usedAtMs = Number(localStorage.getItem(usedKey));
    if (!(Date.now() - usedAtMs < sessionIdleMs)) {
      session.clear();
      return null;
    }
    return token;
  },
  set: (token: string) => {
    localStorage.setItem(usedKey, String(Date.now()));
    localStorage.setItem(tokenKey, token);
  },
  used: () => {
    if (localStorage.getItem(tokenKey)) localStorage.setItem(usedKey, String(Date.now()));
  },
  clear: () => {
    localStorage.removeItem(tokenKey);
    localStorage.removeItem(usedKey);
  },
};

let onSignedOut: () => void = () => {};
/** Called when this tab's session ends: a 401, or another tab signing out (or in as someone else). */
export function whenSignedOut(listener: () => void): void {
  onSignedOut = listener;
}
window.addEventListener('storage', (event) => {
  if (event.key === tokenKey || event.key === null) onSignedOut();
});

let onForbidden: (() => void) | null = null;
/** Called when a page's read (a GET) is answered 403: the page shows 无权访问 instead of an error. */
export function whenForbidden(listener: (() => void) | null): void {
  onForbidden = listener;
}

export async function api<T>(
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
  path: string,
  body?: unknown,
): Promise<T> {
  const headers: Record<string, string> = {};
  const token = session.get();
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${apiBase}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  const json = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  if (!response.ok) {
    // Signed out: the session ended at the BFF, or this browser's copy expired before it was sent.
    if (response.status === 401) {
      session.clear();
      onSignedOut();
    }
    if (response.status === 403 && method === 'GET') onForbidden?.();
    throw new ApiError(
      response.status,
      String(json.code ?? 'ERROR'),
      String(json.message ?? response.statusText),
    );
  }
  if (token) session.used();
  return json as T;
}

/** A fresh idempotency key for one money action; a retry of the same click reuses it. */
export function newRequestId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
/** An instant as every page shows one: 'YYYY-MM-DD HH:mm:ss' in Beijing time, as the date pickers read. */
export const when = (ms: number) => formatDateTime(ms);

export interface Me {
  adminId: string;
  username: string;
  displayName: string;
  role: string;
  roleName: string;
  department: string | null;
  /** The campus the account is scoped to (docs/campuses.md); null or absent: the whole centre. */
  campusId?: string | null;
  rights: string[];
}

/** A card as the core answers it (its wire type lives in the contract). */
export type Card = CardView;

/** A cash-desk top-up as the printed receipt shows it (the contract's CashReceipt). */
export type Receipt = CashReceipt;
