import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { CoreError } from '@campus-card/core/client';
import { type CasStandIn, type CasUser, startCasStandIn } from '../../mock/sso/cas.ts';
import { type OidcStandIn, type OidcUser, startOidcStandIn } from '../../mock/sso/oidc.ts';
import { demoTotpSecret } from '../src/admin/seed.ts';
import { loadConfig } from '../src/config.ts';
import { parseCasResponse, subjectOf } from '../src/services/sso.ts';
import { nextTotpCode } from './admin-support.ts';
import { logIn, openPerson } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

const appUrl = 'http://127.0.0.1:10086/';
const adminUrl = 'http://127.0.0.1:10087/';
const clientId = 'campus-card-h5';
const clientSecret = randomBytes(24).toString('base64url');

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === 'object' && address ? address.port : 0;
}

interface SessionAnswer {
  accessToken: string;
  bound: boolean;
  identity: { personNo: string; cardNo: string; name: string } | null;
}

describe('campus single sign-on (CAS 3.0 and OIDC stand-ins) signs an H5 user in bound to their card', () => {
  let world: TestWorld;
  let cas: CasStandIn;
  let idp: OidcStandIn;
  const casUsers: CasUser[] = [];
  const oidcUsers: OidcUser[] = [];
  let bffUrl: string;

  before(async () => {
    const port = await freePort();
    bffUrl = `http://127.0.0.1:${port}`;
    cas = await startCasStandIn({
      users: casUsers,
      allowedServices: [`${bffUrl}/`, 'http://127.0.0.1:9/other-app'],
    });
    idp = await startOidcStandIn({
      clientId,
      clientSecret,
      redirectUris: [`${bffUrl}/api/v1/sso/campus/callback`, `${bffUrl}/api/admin/v1/sso/campus/callback`],
      users: oidcUsers,
    });
    world = await startWorld({
      BFF_PORT: String(port),
      SSO_PROVIDERS: JSON.stringify([
        { id: 'ids', kind: 'cas', url: cas.url, personClaim: 'personNo', label: '统一身份认证（CAS）' },
        {
          id: 'campus',
          kind: 'oidc',
          url: idp.issuer,
          personClaim: 'student_id',
          clientId,
          scope: 'openid campus',
        },
      ]),
      SSO_CAMPUS_CLIENT_SECRET: clientSecret,
      SSO_PUBLIC_URL: bffUrl,
      SSO_APP_URL: appUrl,
      SSO_ADMIN_URL: adminUrl,
      SSO_ALLOW_HTTP: 'true',
    });
  });

  after(async () => {
    await world?.stop();
    await cas?.close();
    await idp?.close();
  });

  /** The browser's first hop: the BFF's start route, answering the IdP address and the state cookie. */
  async function start(provider: string): Promise<{ location: string; cookie: string }> {
    const res = await fetch(`${bffUrl}/api/v1/sso/${provider}/start`, { redirect: 'manual' });
    assert.equal(res.status, 302);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('cc_sso_state='));
    assert.ok(cookie?.includes('HttpOnly'), 'the state cookie is HttpOnly');
    return {
      location: res.headers.get('location') as string,
      cookie: (cookie as string).split(';')[0] as string,
    };
  }

  /** The identity provider's login (test shortcut: the user named in the query) → the callback URL. */
  async function signInAt(location: string, params: Record<string, string>): Promise<string> {
    const url = new URL(location);
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    assert.equal(res.status, 302, await res.text());
    return res.headers.get('location') as string;
  }

  /** The callback with the browser's cookie → where the app lands (?sso_code= or ?sso_error=). */
  async function callback(url: string, cookie: string | undefined): Promise<URL> {
    const res = await fetch(url, { redirect: 'manual', headers: cookie ? { cookie } : {} });
    assert.equal(res.status, 302);
    const landing = new URL(res.headers.get('location') as string);
    assert.equal(`${landing.origin}/`, appUrl);
    return landing;
  }

  async function exchange(landing: URL) {
    const code = landing.searchParams.get('sso_code');
    assert.ok(code, `signed in, not ${landing.searchParams.get('sso_error')}`);
    return world.request<SessionAnswer>('POST', '/api/v1/sso/exchange', { body: { code } });
  }

  test('the providers list names both, and the H5 button can show them', async () => {
    const reply = await world.request<{
      providers: { id: string; kind: string; label: string }[];
      demoSignIn?: boolean;
    }>('GET', '/api/v1/sso/providers');
    // Outside production the H5 app may also offer the demo's one-tap sign-in (production: test below).
    assert.equal(reply.body.demoSignIn, true);
    assert.deepEqual(
      reply.body.providers.map((p) => [p.id, p.kind]),
      [
        ['ids', 'cas'],
        ['campus', 'oidc'],
      ],
    );
    assert.equal(reply.body.providers[1]?.label, '统一身份认证');
  });

  test('CAS: the ticket is validated once, the person lands bound to their own card, a replay is refused', async () => {
    const person = await openPerson(world, { name: '王小明' });
    casUsers.push({
      user: `0${person.personNo}`,
      attributes: { personNo: [person.personNo], cn: ['王小明'] },
    });
    const { location, cookie } = await start('ids');
    assert.ok(location.startsWith(`${cas.url}/login?service=`));
    const back = await signInAt(location, {
      username: `0${person.personNo}`,
      password: `0${person.personNo}`,
    });
    assert.match(new URL(back).searchParams.get('ticket') ?? '', /^ST-/);
    const landing = await callback(back, cookie);
    const session = await exchange(landing);
    assert.equal(session.status, 200);
    assert.equal(session.body.bound, true, 'no ID-tail question: bound at once');
    assert.equal(session.body.identity?.cardNo, person.cardNo);
    const card = await world.request<{ cardNo: string }>('GET', '/api/v1/card', {
      token: session.body.accessToken,
    });
    assert.equal(card.status, 200);
    assert.equal(card.body.cardNo, person.cardNo);
    // The handoff code is single use too.
    assert.equal((await exchange(landing)).status, 401);
    // The same callback again (ticket and state spent) signs nobody in.
    const replay = await callback(back, cookie);
    assert.equal(replay.searchParams.get('sso_error'), 'LOGIN_FAILED');
  });

  test('CAS: a ticket issued for another service, or a replayed ticket in a fresh flow, is refused', async () => {
    const person = await openPerson(world);
    casUsers.push({ user: person.personNo, attributes: { personNo: [person.personNo] } });
    const login = (service: string) =>
      signInAt(`${cas.url}/login?service=${encodeURIComponent(service)}`, {
        username: person.personNo,
        password: person.personNo,
      });
    const foreign = new URL(await login('http://127.0.0.1:9/other-app')).searchParams.get('ticket') as string;
    const flow = await start('ids');
    const service = new URL(flow.location).searchParams.get('service') as string;
    const withTicket = (ticket: string) => {
      const u = new URL(service);
      u.searchParams.set('ticket', ticket);
      return u.toString();
    };
    const refused = await callback(withTicket(foreign), flow.cookie);
    assert.equal(refused.searchParams.get('sso_error'), 'LOGIN_FAILED');
    // A ticket CAS issued for this flow's service, spent once, then offered again in a new flow.
    const flow2 = await start('ids');
    const ticket = new URL(
      await signInAt(flow2.location, { username: person.personNo, password: person.personNo }),
    ).searchParams.get('ticket') as string;
    const ok = await callback(withTicketFor(flow2.location, ticket), flow2.cookie);
    assert.ok(ok.searchParams.get('sso_code'));
    const flow3 = await start('ids');
    const replayed = await callback(withTicketFor(flow3.location, ticket), flow3.cookie);
    assert.equal(replayed.searchParams.get('sso_error'), 'LOGIN_FAILED');
  });

  test('OIDC: code + PKCE + state + nonce, the person lands bound to their card without the ID tail', async () => {
    // Bound in WeChat already: single sign-on is a channel of its own, so both work.
    const person = await openPerson(world, { name: '李同学' });
    const wechat = await logIn(world);
    const bound = await world.request('POST', '/api/v1/binding', {
      token: wechat.accessToken,
      body: { personNo: person.personNo, name: person.name, secret: person.secret },
    });
    assert.equal(bound.status, 201);
    oidcUsers.push({ sub: `u-${person.personNo}`, claims: { student_id: person.personNo, name: '李同学' } });
    const { location, cookie } = await start('campus');
    const auth = new URL(location);
    assert.equal(auth.searchParams.get('code_challenge_method'), 'S256');
    assert.ok(auth.searchParams.get('nonce') && auth.searchParams.get('state'));
    const back = await signInAt(location, { login_hint: `u-${person.personNo}` });
    const session = await exchange(await callback(back, cookie));
    assert.equal(session.status, 200);
    assert.equal(session.body.bound, true);
    assert.equal(session.body.identity?.personNo, person.personNo);
    assert.equal(session.body.identity?.cardNo, person.cardNo);
    // Signing in again finds the same binding.
    const again = await startAndSignIn(`u-${person.personNo}`);
    assert.equal((await exchange(again)).body.identity?.cardNo, person.cardNo);
  });

  test('a campus running CAS and OIDC side by side: either provider signs the person into the same account', async () => {
    const person = await openPerson(world);
    casUsers.push({ user: `c-${person.personNo}`, attributes: { personNo: [person.personNo] } });
    oidcUsers.push({ sub: `o-${person.personNo}`, claims: { student_id: person.personNo } });
    const viaCas = await start('ids');
    const casBack = await signInAt(viaCas.location, {
      username: `c-${person.personNo}`,
      password: `c-${person.personNo}`,
    });
    const first = await exchange(await callback(casBack, viaCas.cookie));
    const second = await exchange(await startAndSignIn(`o-${person.personNo}`));
    for (const session of [first, second]) {
      assert.equal(session.status, 200);
      assert.equal(session.body.identity?.cardNo, person.cardNo);
    }
    const who = (token: string) =>
      world.request<{ openid: string }>('GET', '/api/v1/session', { token }).then((r) => r.body.openid);
    assert.equal(await who(first.body.accessToken), await who(second.body.accessToken));
    assert.equal(await who(first.body.accessToken), subjectOf(person.personNo));
  });

  test('OIDC: a callback whose state is not the browser cookie is refused', async () => {
    const person = await openPerson(world);
    oidcUsers.push({ sub: `u-${person.personNo}`, claims: { student_id: person.personNo } });
    const victim = await start('campus');
    const attacker = await start('campus');
    const back = await signInAt(attacker.location, { login_hint: `u-${person.personNo}` });
    // The attacker's callback URL planted in the victim's browser (login CSRF).
    assert.equal((await callback(back, victim.cookie)).searchParams.get('sso_error'), 'LOGIN_FAILED');
    assert.equal((await callback(back, undefined)).searchParams.get('sso_error'), 'LOGIN_FAILED');
  });

  test('OIDC: an id_token with another nonce, or changed after signing, is refused', async () => {
    const person = await openPerson(world);
    const victim = await openPerson(world);
    oidcUsers.push({ sub: `u-${person.personNo}`, claims: { student_id: person.personNo } });
    try {
      idp.faults.wrongNonce = true;
      assert.equal(
        (await startAndSignIn(`u-${person.personNo}`)).searchParams.get('sso_error'),
        'LOGIN_FAILED',
      );
      idp.faults.wrongNonce = false;
      // The student's own sign-in, with the person number changed to someone else's after signing.
      idp.faults.tamperIdToken = { student_id: victim.personNo };
      assert.equal(
        (await startAndSignIn(`u-${person.personNo}`)).searchParams.get('sso_error'),
        'LOGIN_FAILED',
      );
    } finally {
      idp.faults.wrongNonce = false;
      delete idp.faults.tamperIdToken;
    }
    // Nobody got the victim's card.
    const forged = await world.core.client
      .binding(subjectOf(victim.personNo))
      .catch((e: CoreError) => e.code);
    assert.equal(forged, 'BINDING_NOT_FOUND');
  });

  test('a person the identity provider knows but the card system does not: a clear error, no session', async () => {
    oidcUsers.push({ sub: 'u-stranger', claims: { student_id: 'X9999999' } });
    const landing = await startAndSignIn('u-stranger');
    assert.equal(landing.searchParams.get('sso_error'), 'PERSON_NOT_FOUND');
    assert.equal(landing.searchParams.get('sso_code'), null);
  });

  describe('staff sign in to the backoffice through the same provider', () => {
    /** Start at the admin route, sign in at the IdP, call back: where the backoffice lands. */
    async function adminSignIn(sub: string): Promise<URL> {
      const res = await fetch(`${bffUrl}/api/admin/v1/sso/campus/start`, { redirect: 'manual' });
      assert.equal(res.status, 302);
      const cookie = (res.headers.getSetCookie().find((c) => c.startsWith('cc_sso_state=')) as string).split(
        ';',
      )[0] as string;
      const back = await signInAt(res.headers.get('location') as string, { login_hint: sub });
      assert.ok(back.startsWith(`${bffUrl}/api/admin/v1/sso/campus/callback?`));
      const done = await fetch(back, { redirect: 'manual', headers: { cookie } });
      assert.equal(done.status, 302);
      const landing = new URL(done.headers.get('location') as string);
      assert.equal(`${landing.origin}/`, adminUrl);
      return landing;
    }
    const exchangeAdmin = (code: string | null) =>
      world.request<{ status: string; token?: string; challenge?: string }>(
        'POST',
        '/api/admin/v1/sso/exchange',
        {
          body: { code },
        },
      );
    const staffNo = (prefix: string) => `${prefix}${process.pid}${Date.now().toString(36)}`;

    test('the backoffice lists the providers; a mapped admin lands with a one-use code for a session', async () => {
      const providers = await world.request<{ providers: { id: string }[] }>(
        'GET',
        '/api/admin/v1/sso/providers',
      );
      assert.deepEqual(
        providers.body.providers.map((p) => p.id),
        ['ids', 'campus'],
      );
      assert.equal('demoSignIn' in providers.body, false, 'the backoffice has no demo sign-in');
      const username = staffNo('t');
      const account = await world.core.client.createAdmin({
        username,
        displayName: '单点登录管理员',
        role: 'content_editor',
        department: null,
        password: randomBytes(12).toString('base64url'),
        totp: false,
      });
      oidcUsers.push({ sub: `staff-${username}`, claims: { student_id: username } });
      const landing = await adminSignIn(`staff-${username}`);
      const code = landing.searchParams.get('sso_code');
      assert.ok(code, `signed in, not ${landing.searchParams.get('sso_error')}`);
      assert.equal(landing.searchParams.get('token'), null);
      // A student's exchange does not take a backoffice code.
      assert.equal((await world.request('POST', '/api/v1/sso/exchange', { body: { code } })).status, 401);
      const step = await exchangeAdmin(code);
      assert.equal(step.status, 200, JSON.stringify(step.body));
      assert.equal(step.body.status, 'signed_in');
      const me = await world.request<{ username: string }>('GET', '/api/admin/v1/me', {
        token: step.body.token as string,
      });
      assert.equal(me.status, 200);
      assert.equal(me.body.username, username);
      assert.equal((await exchangeAdmin(code)).status, 401, 'the code is single use');
      const audit = await world.core.client.searchAudit({ action: 'session.login', targetId: account.id });
      assert.equal(audit.items[0]?.detail?.method, 'sso');
    });

    test('an identity with no admin account is refused and nothing is created; a finance admin gets the TOTP challenge', async () => {
      const stranger = staffNo('nobody');
      oidcUsers.push({ sub: `staff-${stranger}`, claims: { student_id: stranger } });
      const refused = await adminSignIn(`staff-${stranger}`);
      assert.equal(refused.searchParams.get('sso_error'), 'ADMIN_NOT_FOUND');
      assert.equal(refused.searchParams.get('sso_code'), null);
      const admins = await world.core.client.admins();
      assert.equal(admins.items.filter((a) => a.username === stranger).length, 0);

      const username = staffNo('f');
      await world.core.client.createAdmin({
        username,
        displayName: '财务',
        role: 'finance',
        department: null,
        password: randomBytes(12).toString('base64url'),
        totp: true,
        totpSecret: demoTotpSecret,
      });
      oidcUsers.push({ sub: `staff-${username}`, claims: { student_id: username } });
      const landing = await adminSignIn(`staff-${username}`);
      const step = await exchangeAdmin(landing.searchParams.get('sso_code'));
      assert.equal(step.status, 200);
      assert.equal(step.body.status, 'totp_required');
      assert.equal(step.body.token, undefined, 'no session before the second factor');
      const done = await world.request<{ status: string }>('POST', '/api/admin/v1/session/totp', {
        body: { challenge: step.body.challenge, code: await nextTotpCode(`sso|${username}`, demoTotpSecret) },
      });
      assert.equal(done.status, 200);
      assert.equal(done.body.status, 'signed_in');
    });
  });

  test('only single sign-on accounts may bind without a proof (the core refuses a WeChat openid)', async () => {
    const person = await openPerson(world);
    await assert.rejects(
      world.core.client.bind({ openid: 'oWechatUser1234', personNo: person.personNo, provenBy: 'sso' }),
      (e: CoreError) => e.code === 'IDENTITY_REQUIRED',
    );
  });

  test('CAS answers parse as XML and JSON, with a leading-zero user kept as text and repeated attributes', () => {
    const ns = 'xmlns:cas="http://www.yale.edu/tp/cas"';
    assert.deepEqual(
      parseCasResponse(
        `<cas:serviceResponse ${ns}><cas:authenticationSuccess><cas:user>0098765</cas:user><cas:attributes><cas:memberOf>a</cas:memberOf><cas:memberOf>b</cas:memberOf><cas:cn>王小明</cas:cn></cas:attributes></cas:authenticationSuccess></cas:serviceResponse>`,
      ),
      { user: '0098765', attributes: { memberOf: ['a', 'b'], cn: ['王小明'] } },
    );
    assert.deepEqual(
      parseCasResponse(
        `<cas:serviceResponse ${ns}><cas:authenticationFailure code="INVALID_TICKET">no</cas:authenticationFailure></cas:serviceResponse>`,
      ),
      { failure: 'INVALID_TICKET' },
    );
    assert.deepEqual(
      parseCasResponse(
        '{"serviceResponse":{"authenticationFailure":{"code":"INVALID_SERVICE","description":"x"}}}',
      ),
      { failure: 'INVALID_SERVICE' },
    );
  });

  test('production refuses plain http identity providers, SSO_ALLOW_HTTP and weak client secrets', () => {
    const base = {
      NODE_ENV: 'production',
      CORE_KEY_ID: 'bff',
      CORE_KEY_SECRET: randomBytes(32).toString('hex'),
      JWT_SECRET: randomBytes(32).toString('hex'),
      VIDEO_LINK_SECRET: randomBytes(32).toString('hex'),
      CAMPUS_SIGNING_KEY: `1:${randomBytes(32).toString('hex')}`,
      WECHAT_APPID: 'wx0123456789abcdef',
      WECHAT_APP_SECRET: randomBytes(16).toString('hex'),
      SSO_PUBLIC_URL: 'https://card.example.edu',
      SSO_APP_URL: 'https://card.example.edu/h5/',
    };
    const providers = (url: string) =>
      JSON.stringify([{ id: 'campus', kind: 'oidc', url, personClaim: 'student_id', clientId }]);
    assert.throws(
      () =>
        loadConfig({
          ...base,
          SSO_PROVIDERS: providers('http://ids.example.edu'),
          SSO_CAMPUS_CLIENT_SECRET: randomBytes(24).toString('base64url'),
        }),
      /url must be https/,
    );
    assert.throws(
      () =>
        loadConfig({
          ...base,
          SSO_PROVIDERS: providers('https://ids.example.edu'),
          SSO_CAMPUS_CLIENT_SECRET: 'secret',
        }),
      /SSO_CAMPUS_CLIENT_SECRET is too short/,
    );
    const good = loadConfig({
      ...base,
      SSO_PROVIDERS: providers('https://ids.example.edu'),
      SSO_CAMPUS_CLIENT_SECRET: randomBytes(24).toString('base64url'),
    });
    assert.equal(good.sso?.providers[0]?.kind, 'oidc');
    assert.equal(loadConfig({ ...base }).sso, undefined, 'off when unset');
  });

  async function startAndSignIn(sub: string): Promise<URL> {
    const { location, cookie } = await start('campus');
    return callback(await signInAt(location, { login_hint: sub }), cookie);
  }

  function withTicketFor(location: string, ticket: string): string {
    const u = new URL(new URL(location).searchParams.get('service') as string);
    u.searchParams.set('ticket', ticket);
    return u.toString();
  }
});

describe('campus single sign-on: starts are counted per address before they keep a flow', () => {
  let world: TestWorld;
  let idp: OidcStandIn;
  before(async () => {
    const port = await freePort();
    idp = await startOidcStandIn({
      clientId,
      clientSecret,
      redirectUris: [`http://127.0.0.1:${port}/api/v1/sso/campus/callback`],
      users: [],
    });
    world = await startWorld({
      BFF_PORT: String(port),
      SSO_PROVIDERS: JSON.stringify([
        { id: 'campus', kind: 'oidc', url: idp.issuer, personClaim: 'student_id', clientId },
      ]),
      SSO_CAMPUS_CLIENT_SECRET: clientSecret,
      SSO_PUBLIC_URL: `http://127.0.0.1:${port}`,
      SSO_APP_URL: appUrl,
      SSO_ALLOW_HTTP: 'true',
      SSO_STARTS_PER_MIN: '20',
    });
  });
  after(async () => {
    await world?.stop();
    await idp?.close();
  });

  test('a burst of 60 starts from one address at once: 20 redirect, the rest are RATE_LIMITED', async () => {
    for (let attempt = 0; attempt < 3; attempt++) {
      const minute = Math.floor(Date.now() / 60_000);
      const answers = await Promise.all(
        Array.from({ length: 60 }, () =>
          fetch(`${world.bff.url}/api/v1/sso/campus/start`, { redirect: 'manual' }).then((r) => r.status),
        ),
      );
      // A burst that straddled a minute boundary counts in two windows: wait for the next one and retry.
      if (Math.floor(Date.now() / 60_000) !== minute) {
        await new Promise((resolve) => setTimeout(resolve, 61_000 - (Date.now() % 60_000)));
        continue;
      }
      assert.equal(answers.filter((s) => s === 302).length, 20);
      assert.equal(answers.filter((s) => s === 429).length, 40);
      return;
    }
    assert.fail('no burst fitted in one minute');
  });
});
