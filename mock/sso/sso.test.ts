import assert from 'node:assert/strict';
import { createHash, createPublicKey, randomBytes, verify } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { type CasStandIn, startCasStandIn } from './cas.ts';
import { type OidcStandIn, startOidcStandIn } from './oidc.ts';

const service = 'http://127.0.0.1:9/app/callback?state=abc';

describe('CAS 3.0 stand-in', () => {
  let cas: CasStandIn;
  before(async () => {
    cas = await startCasStandIn({
      users: [{ user: '0098765', attributes: { cn: ['王小明'], memberOf: ['students', 'cs-2023'] } }],
      allowedServices: ['http://127.0.0.1:9/app/'],
    });
  });
  after(() => cas.close());

  const ticketFor = async (svc: string) => {
    const res = await fetch(
      `${cas.url}/login?service=${encodeURIComponent(svc)}&username=0098765&password=0098765`,
      {
        redirect: 'manual',
      },
    );
    assert.equal(res.status, 302);
    const back = new URL(res.headers.get('location') as string);
    assert.equal(back.searchParams.get('state'), 'abc', 'the service URL comes back whole');
    return back.searchParams.get('ticket') as string;
  };
  const validate = (svc: string, ticket: string, json = false) =>
    fetch(
      `${cas.url}/p3/serviceValidate?service=${encodeURIComponent(svc)}&ticket=${ticket}${json ? '&format=JSON' : ''}`,
    ).then((r) => r.text());

  test('login shows a form, refuses a service outside its registry, issues ST- tickets of 32+ characters', async () => {
    assert.match(
      await (await fetch(`${cas.url}/login?service=${encodeURIComponent(service)}`)).text(),
      /<form/,
    );
    assert.equal(
      (await fetch(`${cas.url}/login?service=http://evil.example/`, { redirect: 'manual' })).status,
      403,
    );
    assert.match(await ticketFor(service), /^ST-[\w-]{32,}$/);
  });

  test('a ticket validates once (XML with attributes), then is INVALID_TICKET', async () => {
    const ticket = await ticketFor(service);
    const first = await validate(service, ticket);
    assert.match(first, /<cas:user>0098765<\/cas:user>/);
    assert.match(first, /<cas:memberOf>students<\/cas:memberOf><cas:memberOf>cs-2023<\/cas:memberOf>/);
    assert.match(await validate(service, ticket), /code="INVALID_TICKET"/);
  });

  test('a ticket for another service is INVALID_SERVICE and spent; JSON answers with format=JSON', async () => {
    const ticket = await ticketFor(service);
    assert.deepEqual(
      JSON.parse(await validate('http://127.0.0.1:9/app/other', ticket, true)).serviceResponse
        .authenticationFailure.code,
      'INVALID_SERVICE',
    );
    assert.match(await validate(service, ticket), /INVALID_TICKET/);
    const ok = JSON.parse(await validate(service, await ticketFor(service), true));
    assert.equal(ok.serviceResponse.authenticationSuccess.user, '0098765');
    assert.deepEqual(ok.serviceResponse.authenticationSuccess.attributes.cn, ['王小明']);
  });
});

describe('OIDC stand-in', () => {
  let idp: OidcStandIn;
  const secret = randomBytes(16).toString('hex');
  const redirectUri = 'http://127.0.0.1:9/cb';
  before(async () => {
    idp = await startOidcStandIn({
      clientId: 'rp',
      clientSecret: secret,
      redirectUris: [redirectUri],
      users: [{ sub: 'u1', claims: { student_id: 'S20230001' } }],
    });
  });
  after(() => idp.close());

  async function codeFor(challenge: string) {
    const url = new URL(`${idp.issuer}/auth`);
    for (const [k, v] of Object.entries({
      client_id: 'rp',
      redirect_uri: redirectUri,
      response_type: 'code',
      scope: 'openid campus',
      state: 's1',
      nonce: 'n1',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      login_hint: 'u1',
    }))
      url.searchParams.set(k, v);
    const res = await fetch(url, { redirect: 'manual' });
    const back = new URL(res.headers.get('location') as string);
    assert.equal(back.searchParams.get('state'), 's1');
    assert.equal(back.searchParams.get('iss'), idp.issuer);
    return back.searchParams.get('code') as string;
  }
  const token = (code: string, verifier: string, auth = `rp:${secret}`) =>
    fetch(`${idp.issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(auth).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code,
        redirect_uri: redirectUri,
        code_verifier: verifier,
      }),
    });

  test('code + PKCE gives an RS256 id_token (JWKS) with nonce, sub and the campus claim; the code is single use', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const code = await codeFor(createHash('sha256').update(verifier).digest('base64url'));
    const res = await token(code, verifier);
    assert.equal(res.status, 200);
    const { id_token } = (await res.json()) as { id_token: string };
    const [h, p, s] = id_token.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
    assert.deepEqual(
      [claims.sub, claims.nonce, claims.student_id, claims.aud],
      ['u1', 'n1', 'S20230001', 'rp'],
    );
    const { keys } = (await (await fetch(`${idp.issuer}/jwks`)).json()) as { keys: object[] };
    const key = createPublicKey({ key: keys[0] as never, format: 'jwk' });
    assert.ok(verify('sha256', Buffer.from(`${h}.${p}`), key, Buffer.from(s, 'base64url')));
    assert.equal((await token(code, verifier)).status, 400, 'replayed code');
  });

  test('a wrong verifier or a wrong client secret is refused', async () => {
    const verifier = randomBytes(32).toString('base64url');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    assert.equal((await token(await codeFor(challenge), 'x'.repeat(43))).status, 400);
    assert.equal((await token(await codeFor(challenge), verifier, 'rp:wrong')).status, 401);
  });
});
