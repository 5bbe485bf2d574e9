import { createHash, randomBytes } from 'node:crypto';
import { CoreError } from '@campus-card/core/client';
import { personNo as personNoRule } from '@campus-card/core/contract';
import type { Logger } from '@campus-card/core/log';
import { XMLParser } from 'fast-xml-parser';
import * as oidc from 'openid-client';
import { BffError } from '../errors.ts';
import type { Kv } from '../kv/index.ts';
import type { BindingService } from './bindings.ts';
import type { SessionAnswer, SessionService } from './sessions.ts';

/**
 * Campus single sign-on (docs/sso.md) for the H5 build in a browser. OIDC through `openid-client`
 * (authorization code + PKCE S256 + state + nonce, the id_token's signature checked against the
 * provider's JWKS); CAS 3.0 by its documented service-ticket validation (/p3/serviceValidate), by
 * hand: the CAS clients on npm are unmaintained and pull a vulnerable xml2js. The provider proves the
 * person, so the account `sso-<digest of the person number>` is bound to the card of the person
 * number the provider names, without the ID-tail question.
 */
export const SSO_SUBJECT_PREFIX = 'sso-';

export interface SsoProviderConfig {
  /** [a-z0-9]{1,16}: in the URL paths and the account subject. */
  id: string;
  kind: 'cas' | 'oidc';
  /** Shown on the login button (统一身份认证 unless set). */
  label: string;
  /** CAS: the server base (…/cas); OIDC: the issuer. */
  url: string;
  /** The claim (OIDC) or attribute (CAS; `user` for the CAS user id) holding the person number. */
  personClaim: string;
  clientId?: string | undefined;
  clientSecret?: string | undefined;
  scope?: string | undefined;
}

export interface SsoConfig {
  /** The BFF's public origin the identity provider sends the browser back to (https in production). */
  publicUrl: string;
  /** The H5 app's address, where the browser lands after the callback with ?sso_code= or ?sso_error=. */
  appUrl: string;
  /** The backoffice's address, where a staff sign-in lands the same way (SSO_ADMIN_URL). */
  adminUrl: string;
  providers: readonly SsoProviderConfig[];
  /** http issuers (the local stand-ins); never in production. */
  allowHttp: boolean;
  timeoutMs: number;
  /** Sign-ins started per client address per minute (each keeps a flow in the kv for 10 minutes). */
  startsPerMinuteMax: number;
}

/** Who a sign-in is for: a student in the H5 app, or staff in the backoffice (docs/sso.md). */
export type SsoAudience = 'app' | 'admin';

interface Flow {
  provider: string;
  audience: SsoAudience;
  state: string;
  verifier: string;
  nonce: string;
  service: string;
}

/** The failures the H5 login page explains (?sso_error=…). */
export type SsoFailure =
  | 'LOGIN_FAILED'
  | 'PERSON_NOT_FOUND'
  | 'CARD_CANCELLED'
  | 'ALREADY_BOUND'
  | 'UNAVAILABLE'
  /** Backoffice: no active admin account has the identity's staff number as its username. */
  | 'ADMIN_NOT_FOUND'
  /** Backoffice: the account is locked after failed sign-ins. */
  | 'LOCKED_OUT';

export class SsoLoginError extends Error {
  constructor(
    readonly failure: SsoFailure,
    message: string,
  ) {
    super(message);
    this.name = 'SsoLoginError';
  }
}

const flowTtlMs = 10 * 60_000;
const handoffTtlMs = 60_000;
export const SSO_STATE_COOKIE = 'cc_sso_state';

const xml = new XMLParser({
  removeNSPrefix: true,
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false, // a user "0098765" stays text
  isArray: (_name, jpath) => String(jpath).startsWith('serviceResponse.authenticationSuccess.attributes.'),
});

export class SsoService {
  readonly #oidc = new Map<string, Promise<oidc.Configuration>>();

  constructor(
    private readonly config: SsoConfig,
    private readonly kv: Kv,
    private readonly sessions: SessionService,
    private readonly bindings: BindingService,
    private readonly log: Logger,
  ) {}

  providers(): { id: string; kind: string; label: string }[] {
    return this.config.providers.map((p) => ({ id: p.id, kind: p.kind, label: p.label }));
  }

  /** Where to send the browser to sign in, and the state its cookie must carry back. */
  async start(
    providerId: string,
    audience: SsoAudience = 'app',
  ): Promise<{ location: string; state: string }> {
    const provider = this.provider(providerId);
    const state = oidc.randomState();
    const callback = this.callbackUrl(provider, audience);
    const flow: Flow = { provider: provider.id, audience, state, verifier: '', nonce: '', service: '' };
    let location: string;
    if (provider.kind === 'cas') {
      // The service URL is sent to /login and again, byte for byte, to validation.
      const service = new URL(callback);
      service.searchParams.set('state', state);
      flow.service = service.toString();
      const login = new URL(`${provider.url.replace(/\/$/, '')}/login`);
      login.searchParams.set('service', flow.service);
      location = login.toString();
    } else {
      const config = await this.discovered(provider);
      flow.verifier = oidc.randomPKCECodeVerifier();
      flow.nonce = oidc.randomNonce();
      location = oidc
        .buildAuthorizationUrl(config, {
          redirect_uri: callback,
          scope: provider.scope ?? 'openid profile',
          state,
          nonce: flow.nonce,
          code_challenge: await oidc.calculatePKCECodeChallenge(flow.verifier),
          code_challenge_method: 'S256',
        })
        .toString();
    }
    await this.kv.set(flowKey(state), JSON.stringify(flow), flowTtlMs);
    return { location, state };
  }

  /**
   * Checks the identity provider's answer (the browser's state cookie must match the state it
   * carries; the flow is spent), binds the person's account and leaves a one-minute, one-use code
   * the H5 app trades for its session: no token ever travels in a URL.
   */
  async callback(
    providerId: string,
    query: URLSearchParams,
    cookieState: string | undefined,
  ): Promise<string> {
    const personNo = await this.identify(providerId, 'app', query, cookieState);
    return this.handOff('app', await this.signIn(personNo));
  }

  /**
   * The identity provider's answer checked (the browser's state cookie must match the state it
   * carries; the flow, started for this audience, is spent): the person number it proves.
   */
  async identify(
    providerId: string,
    audience: SsoAudience,
    query: URLSearchParams,
    cookieState: string | undefined,
  ): Promise<string> {
    const provider = this.provider(providerId);
    const state = query.get('state');
    if (!state || !cookieState || state !== cookieState)
      throw new SsoLoginError('LOGIN_FAILED', 'the sign-in was not started in this browser (state mismatch)');
    const raw = await this.kv.take(flowKey(state));
    const flow = raw === null ? null : (JSON.parse(raw) as Flow);
    if (!flow || flow.provider !== provider.id || (flow.audience ?? 'app') !== audience)
      throw new SsoLoginError('LOGIN_FAILED', 'the sign-in expired or was already used; start again');
    const { personNo } =
      provider.kind === 'cas'
        ? await this.casIdentity(provider, flow, query)
        : await this.oidcIdentity(provider, flow, query);
    return personNo;
  }

  /** Keeps a sign-in's answer for a minute under a one-use code: no token ever travels in a URL. */
  async handOff(audience: SsoAudience, answer: unknown): Promise<string> {
    const code = randomBytes(24).toString('base64url');
    await this.kv.set(handoffKey(audience, code), JSON.stringify(answer), handoffTtlMs);
    return code;
  }

  /** Trades a callback's one-use code for the answer it left (the session, or the next step). */
  async takeHandoff<T>(audience: SsoAudience, code: string): Promise<T> {
    const raw = await this.kv.take(handoffKey(audience, code));
    if (raw === null) throw new BffError('LOGIN_FAILED', 'this sign-in code is unknown, expired or used');
    return JSON.parse(raw) as T;
  }

  /** Trades the callback's one-use code for the session it opened. */
  exchange(code: string): Promise<SessionAnswer> {
    return this.takeHandoff<SessionAnswer>('app', code);
  }

  /** Where the browser lands after the callback. */
  landing(result: { code: string } | { failure: SsoFailure }, audience: SsoAudience = 'app'): string {
    const url = new URL(audience === 'admin' ? this.config.adminUrl : this.config.appUrl);
    if ('code' in result) url.searchParams.set('sso_code', result.code);
    else url.searchParams.set('sso_error', result.failure);
    return url.toString();
  }

  private async signIn(personNo: string): Promise<SessionAnswer> {
    if (!personNoRule.safeParse(personNo).success)
      throw new SsoLoginError('PERSON_NOT_FOUND', 'the identity provider named no valid person number');
    const subject = subjectOf(personNo);
    try {
      await this.bindings.bindProven(subject, personNo);
    } catch (error) {
      if (error instanceof CoreError || error instanceof BffError) {
        if (error.code === 'NOT_FOUND')
          throw new SsoLoginError('PERSON_NOT_FOUND', 'this person is not on this campus card system');
        if (error.code === 'CARD_CANCELLED')
          throw new SsoLoginError('CARD_CANCELLED', 'this card has been cancelled');
        if (error.code === 'ALREADY_BOUND')
          throw new SsoLoginError('ALREADY_BOUND', 'this sign-in account is bound to another person');
      }
      throw error;
    }
    return this.sessions.open(subject);
  }

  private async casIdentity(provider: SsoProviderConfig, flow: Flow, query: URLSearchParams) {
    const ticket = query.get('ticket') ?? '';
    if (!/^ST-[\w.-]{1,253}$/.test(ticket))
      throw new SsoLoginError('LOGIN_FAILED', 'no valid service ticket');
    // Validated once: CAS spends the ticket on the first attempt, so a failure restarts the login.
    const url = new URL(`${provider.url.replace(/\/$/, '')}/p3/serviceValidate`);
    url.searchParams.set('service', flow.service);
    url.searchParams.set('ticket', ticket);
    let body: string;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(this.config.timeoutMs), redirect: 'error' });
      body = await res.text();
    } catch (error) {
      this.log.warn({ provider: provider.id, err: (error as Error).name }, 'CAS validation unreachable');
      throw new SsoLoginError('UNAVAILABLE', 'the identity provider did not answer');
    }
    const answer = parseCasResponse(body);
    if ('failure' in answer) {
      this.log.info({ provider: provider.id, code: answer.failure }, 'CAS ticket refused');
      throw new SsoLoginError('LOGIN_FAILED', `the identity provider refused the ticket (${answer.failure})`);
    }
    const personNo =
      provider.personClaim === 'user' ? answer.user : answer.attributes[provider.personClaim]?.[0];
    return { personNo: personNo ?? '' };
  }

  private async oidcIdentity(provider: SsoProviderConfig, flow: Flow, query: URLSearchParams) {
    const config = await this.discovered(provider);
    const callback = new URL(this.callbackUrl(provider, flow.audience ?? 'app'));
    callback.search = query.toString();
    let claims: oidc.IDToken | undefined;
    try {
      const tokens = await oidc.authorizationCodeGrant(
        config,
        callback,
        {
          pkceCodeVerifier: flow.verifier,
          expectedState: flow.state,
          expectedNonce: flow.nonce,
          idTokenExpected: true,
        },
        { redirect_uri: callback.origin + callback.pathname },
      );
      claims = tokens.claims();
    } catch (error) {
      const e = error as { name?: string; code?: string; error?: string };
      this.log.info(
        { provider: provider.id, err: e.name, code: e.code, oauth: e.error },
        'OIDC sign-in refused',
      );
      throw new SsoLoginError('LOGIN_FAILED', 'the identity provider answer did not check out');
    }
    if (!claims?.sub) throw new SsoLoginError('LOGIN_FAILED', 'no id_token subject');
    const value = claims[provider.personClaim];
    return { personNo: typeof value === 'string' ? value : '' };
  }

  private discovered(provider: SsoProviderConfig): Promise<oidc.Configuration> {
    let config = this.#oidc.get(provider.id);
    if (!config) {
      const secret = provider.clientSecret ?? '';
      config = oidc
        .discovery(
          new URL(provider.url),
          provider.clientId ?? '',
          { token_endpoint_auth_method: 'client_secret_basic' },
          oidc.ClientSecretBasic(secret),
          {
            ...(this.config.allowHttp ? { execute: [oidc.allowInsecureRequests] } : {}),
            timeout: Math.ceil(this.config.timeoutMs / 1000),
          },
        )
        .then((c) => {
          // id_tokens from the token endpoint: verify their signature too (JWKS), not only the claims.
          oidc.enableNonRepudiationChecks(c);
          return c;
        });
      config.catch(() => this.#oidc.delete(provider.id));
      this.#oidc.set(provider.id, config);
    }
    return config.catch((error: Error) => {
      this.log.warn({ provider: provider.id, err: error.name }, 'OIDC discovery failed');
      throw new BffError('UNAVAILABLE', 'the campus identity provider is not reachable');
    });
  }

  private provider(id: string): SsoProviderConfig {
    const provider = this.config.providers.find((p) => p.id === id);
    if (!provider) throw new BffError('NOT_FOUND', 'no such sign-on provider');
    return provider;
  }

  private callbackUrl(provider: SsoProviderConfig, audience: SsoAudience): string {
    const prefix = audience === 'admin' ? '/api/admin/v1' : '/api/v1';
    return `${this.config.publicUrl.replace(/\/$/, '')}${prefix}/sso/${provider.id}/callback`;
  }
}

/**
 * The person's one single sign-on account, whichever configured provider proved them (a campus may run
 * CAS and OIDC side by side): the binding channel allows one `sso` account per person. The person
 * number is not kept in the subject as it is.
 */
export function subjectOf(personNo: string): string {
  const digest = createHash('sha256')
    .update(`campus-card sso\n${personNo.toUpperCase()}`)
    .digest('base64url')
    .slice(0, 22);
  return `${SSO_SUBJECT_PREFIX}${digest}`;
}

/** A CAS 3.0 validation answer, XML or JSON (format=JSON), as the user and attributes or the failure code. */
export function parseCasResponse(
  body: string,
): { user: string; attributes: Record<string, string[]> } | { failure: string } {
  let response: Record<string, unknown> | undefined;
  try {
    const parsed = body.trimStart().startsWith('{') ? JSON.parse(body) : xml.parse(body);
    response = parsed?.serviceResponse;
  } catch {
    return { failure: 'BAD_RESPONSE' };
  }
  const failure = response?.authenticationFailure as Record<string, unknown> | undefined;
  if (failure) return { failure: String(failure['@code'] ?? failure.code ?? 'UNKNOWN') };
  const success = response?.authenticationSuccess as Record<string, unknown> | undefined;
  if (!success || typeof success.user !== 'string' || success.user === '') return { failure: 'BAD_RESPONSE' };
  // fromEntries defines own properties: an attribute named __proto__ cannot reach a prototype.
  const attributes = Object.fromEntries(
    Object.entries((success.attributes as Record<string, unknown>) ?? {}).map(([key, value]) => [
      key,
      ([] as unknown[]).concat(value).map(String),
    ]),
  );
  return { user: success.user, attributes };
}

const flowKey = (state: string) => `sso-flow:${createHash('sha256').update(state).digest('base64url')}`;
const handoffKey = (audience: SsoAudience, code: string) =>
  `sso-handoff:${audience === 'admin' ? 'admin:' : ''}${createHash('sha256').update(code).digest('base64url')}`;
