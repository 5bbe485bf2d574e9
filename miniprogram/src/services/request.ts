// The one way to the BFF. Pages never call Taro.request: they call services/<domain>.ts, which call this.
// It adds the session token, refreshes it once on 401 (one refresh in flight for all callers), and turns
// every failure into an ApiError whose message is a sentence from the strings module.
import { userMessageFor } from '../lib/errors.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface HttpRequest {
  readonly method: HttpMethod;
  readonly url: string;
  readonly body?: unknown;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeoutMs: number;
}

export interface HttpResponse {
  readonly status: number;
  readonly body: unknown;
}

/** Sends one request; rejects only when no HTTP answer came back (no network, timeout). */
export type Transport = (request: HttpRequest) => Promise<HttpResponse>;

export class ApiError extends Error {
  constructor(
    /** The BFF's code, or NETWORK / TIMEOUT / SESSION_EXPIRED from here. For logic, never for display. */
    readonly code: string,
    /** 0 when no answer came back. */
    readonly status: number,
    /** What to show. */
    readonly userMessage: string,
    readonly details?: unknown,
  ) {
    super(`${code} (${status})`);
    this.name = 'ApiError';
  }

  /** True when the call never reached the BFF: pages fall back to cached data and say "offline". */
  get offline(): boolean {
    return this.status === 0;
  }
}

export interface SessionTokens {
  readonly accessToken: string;
  readonly refreshToken: string;
}

export interface TokenStore {
  get(): SessionTokens | undefined;
  set(tokens: SessionTokens | undefined): void;
}

export interface ApiClientOptions {
  /** '' for same-origin H5, the BFF's https origin in mini-programs. */
  readonly baseUrl: string;
  readonly transport: Transport;
  readonly tokens: TokenStore;
  /**
   * Called once when the session is gone for good (refresh refused): the app goes to the login page,
   * saying why when the BFF said (SESSION_REVOKED's details.reason, e.g. parent_report_loss).
   */
  readonly onSessionLost?: (reason?: string) => void;
  readonly timeoutMs?: number;
}

export interface RequestOptions {
  /** false for the calls that make a session (login, refresh). */
  readonly auth?: boolean;
  readonly query?: Readonly<Record<string, string | number | undefined>>;
  /** Extra headers, e.g. Idempotency-Key on a top-up. */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface ApiClient {
  request<T>(method: HttpMethod, path: string, body?: unknown, options?: RequestOptions): Promise<T>;
}

export const apiPrefix = '/api/v1';
const timeoutMsDefault = 10_000;

export function queryString(query: RequestOptions['query']): string {
  if (query === undefined) return '';
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === '') continue;
    parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function errorFrom(response: HttpResponse): ApiError {
  const body = (response.body ?? {}) as { code?: unknown; details?: unknown };
  const code = typeof body.code === 'string' ? body.code : `HTTP_${response.status}`;
  return new ApiError(
    code,
    response.status,
    userMessageFor(code, response.status, body.details),
    body.details,
  );
}

/**
 * Why the BFF ended the session, when it said: SESSION_REVOKED with details.reason (a loss report,
 * unbinding, a PIN reset, a reused refresh token), or REFRESH_REUSED on a refresh.
 */
function revokedReason(body: unknown): string | undefined {
  const error = body as { code?: unknown; details?: { reason?: unknown } } | null | undefined;
  if (error?.code === 'REFRESH_REUSED') return 'refresh_reused';
  return error?.code === 'SESSION_REVOKED' && typeof error.details?.reason === 'string'
    ? error.details.reason
    : undefined;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const timeoutMs = options.timeoutMs ?? timeoutMsDefault;
  let refreshing: Promise<boolean> | undefined;

  async function send(
    method: HttpMethod,
    url: string,
    body: unknown,
    token?: string,
    extra: Readonly<Record<string, string>> = {},
  ): Promise<HttpResponse> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token !== undefined) headers.authorization = `Bearer ${token}`;
    try {
      return await options.transport({ method, url, body, headers, timeoutMs });
    } catch (error) {
      const timedOut = error instanceof Error && /timeout/i.test(error.message);
      const code = timedOut ? 'TIMEOUT' : 'NETWORK';
      throw new ApiError(code, 0, userMessageFor(code, 0));
    }
  }

  /** Why the last refused refresh was refused, when the BFF said (see revokedReason). */
  let refusedBecause: string | undefined;

  /** Trades the refresh token for new tokens; false when the BFF refuses it. Network failures throw. */
  async function refresh(): Promise<boolean> {
    refusedBecause = undefined;
    const current = options.tokens.get();
    if (current === undefined) return false;
    const response = await send('POST', `${options.baseUrl}${apiPrefix}/session/refresh`, {
      refreshToken: current.refreshToken,
    });
    if (response.status >= 200 && response.status < 300) {
      const next = response.body as Partial<SessionTokens>;
      if (typeof next.accessToken === 'string' && typeof next.refreshToken === 'string') {
        options.tokens.set({ accessToken: next.accessToken, refreshToken: next.refreshToken });
        return true;
      }
    }
    refusedBecause = revokedReason(response.body);
    return false;
  }

  function sessionLost(reason?: string): ApiError {
    options.tokens.set(undefined);
    options.onSessionLost?.(reason);
    return new ApiError('SESSION_EXPIRED', 401, userMessageFor('SESSION_EXPIRED', 401));
  }

  return {
    async request<T>(method: HttpMethod, path: string, body?: unknown, requestOptions: RequestOptions = {}) {
      const auth = requestOptions.auth ?? true;
      const url = `${options.baseUrl}${apiPrefix}${path}${queryString(requestOptions.query)}`;
      const extra = requestOptions.headers;
      let response = await send(
        method,
        url,
        body,
        auth ? options.tokens.get()?.accessToken : undefined,
        extra,
      );
      if (auth && response.status === 401) {
        const reason = revokedReason(response.body);
        if (options.tokens.get() === undefined) throw sessionLost(reason);
        refreshing ??= refresh().finally(() => {
          refreshing = undefined;
        });
        // An access token that merely expired says nothing; the refused refresh may say why (#19).
        if (!(await refreshing)) throw sessionLost(reason ?? refusedBecause);
        response = await send(method, url, body, options.tokens.get()?.accessToken, extra);
        if (response.status === 401) throw sessionLost(revokedReason(response.body) ?? reason);
      }
      if (response.status < 200 || response.status >= 300) throw errorFrom(response);
      return (response.status === 204 ? undefined : response.body) as T;
    },
  };
}
