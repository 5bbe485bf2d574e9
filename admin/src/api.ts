// The one request wrapper: every call to the admin API goes through here, with the session token.

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

export const session = {
  get: () => sessionStorage.getItem(tokenKey),
  set: (token: string) => sessionStorage.setItem(tokenKey, token),
  clear: () => sessionStorage.removeItem(tokenKey),
};

let onSignedOut: () => void = () => {};
export function whenSignedOut(listener: () => void): void {
  onSignedOut = listener;
}

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
    if (response.status === 401 && token) {
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
  return json as T;
}

/** A fresh idempotency key for one money action; a retry of the same click reuses it. */
export function newRequestId(): string {
  return crypto.randomUUID().replaceAll('-', '');
}

export const yuan = (fen: number) => `¥${(fen / 100).toFixed(2)}`;
export const when = (ms: number) =>
  new Date(ms).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false });

export interface Me {
  adminId: string;
  username: string;
  displayName: string;
  role: string;
  roleName: string;
  department: string | null;
  rights: string[];
}

export interface Card {
  cardNo: string;
  personNo: string;
  name: string;
  personType: string;
  department: string | null;
  status: 'active' | 'lost' | 'frozen' | 'cancelled';
  version: number;
  dailyLimit: number;
  spentToday: number;
  balance: { main: number; subsidy: number; mainPending: number; subsidyPending: number };
  reissueCount: number;
}

export interface Receipt {
  operationId: string;
  cardNo: string;
  personNo: string;
  name: string;
  amount: number;
  balanceAfter: number;
  atMs: number;
  operator: string;
  replayed: boolean;
}
