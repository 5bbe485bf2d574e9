import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type AlipayStandIn, startAlipayStandIn } from '../../mock/alipay/server.ts';
import { makeRsaKeyPair, type RsaKeyPair } from '../../mock/alipay/signing.ts';
import { type Admins, signedInAdmins } from './admin-support.ts';
import { boundStudent, logIn } from './students.ts';
import { type Reply, startWorld, type TestWorld } from './support.ts';

type Student = Awaited<ReturnType<typeof boundStudent>>;

// The card PIN from the phone (BFF against the real core on MariaDB and Redis): the first PIN and a
// forgotten one's reset take the identity proof binding takes, counted as binding is.

describe('setting and recovering the card PIN', () => {
  let world: TestWorld;
  let admins: Admins;
  before(async () => {
    world = await startWorld({ BIND_FAILURES_MAX: '5', BIND_ADDRESS_FAILURES_MAX: '1000' });
    admins = await signedInAdmins(world);
  });
  after(() => world.stop());

  const call = <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) =>
    world.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });
  const putPin = (student: { accessToken: string }, body: Record<string, unknown>) =>
    call('PUT', '/api/v1/card/pin', student.accessToken, body);
  const identityOf = (student: Student) => ({ name: student.name, secret: student.secret });
  const codesOf = (replies: Reply[]) => replies.map((r) => r.body.code ?? r.status);

  async function linkedFamily() {
    const child = await boundStudent(world);
    const parent = await logIn(world);
    const invitation = await call<{ invitationCode: string }>(
      'POST',
      '/api/v1/parents/invitations',
      child.accessToken,
    );
    const linked = await call('POST', '/api/v1/children', parent.accessToken, {
      invitationCode: invitation.body.invitationCode,
    });
    assert.equal(linked.status, 201, JSON.stringify(linked.body));
    return { child, parent };
  }

  test('#12.7 when a card has no PIN, then setting one needs the identity proof binding needs, so the bound phone alone cannot set one and raise the limit or cancel a loss', async () => {
    // Goal: a thief with an unlocked phone of a card without a PIN gets no PIN, so no limit raise.
    const student = await boundStudent(world);
    const bare = await putPin(student, { pin: '135790' });
    assert.deepEqual([bare.status, bare.body.code], [422, 'IDENTITY_REQUIRED']);
    const withOld = await putPin(student, { pin: '135790', currentPin: '000000' });
    assert.equal(withOld.body.code, 'IDENTITY_REQUIRED', 'a made-up current PIN is no proof');
    const wrong = await putPin(student, {
      pin: '135790',
      identity: { name: student.name, secret: '000001' },
    });
    assert.equal(wrong.body.code, 'IDENTITY_MISMATCH');
    assert.equal((wrong.body.details as { attemptsLeft: number }).attemptsLeft, 4, 'counted as binding is');
    assert.equal((await world.core.client.getCard(student.cardNo)).pinSet, false);
    const raise = await call('PUT', '/api/v1/card/daily-limit', student.accessToken, {
      dailyLimit: 80_000,
      pin: '135790',
    });
    assert.equal(raise.body.code, 'PIN_REQUIRED', 'no PIN, no raise');
    // The core refuses the first PIN without a proof too, whatever calls it.
    await assert.rejects(world.core.client.holderSetPin(student.openid, '135790'), /identity proof/);
    const set = await putPin(student, { pin: '135790', identity: identityOf(student) });
    assert.equal(set.status, 204, JSON.stringify(set.body));
    assert.equal(
      (await call<{ hasPin: boolean }>('GET', '/api/v1/card', student.accessToken)).body.hasPin,
      true,
    );
    const raised = await call('PUT', '/api/v1/card/daily-limit', student.accessToken, {
      dailyLimit: 80_000,
      pin: '135790',
    });
    assert.equal(raised.status, 200, JSON.stringify(raised.body));
  });

  test('#19 when the PIN is forgotten, then the identity proof sets a new one without the old, the student keeps a notice, linked parents see the reset, and other sessions end', async () => {
    const { child, parent } = await linkedFamily();
    assert.equal((await putPin(child, { pin: '246801', identity: identityOf(child) })).status, 204);
    const otherPhone = await logIn(world, child.openid);
    const noProof = await putPin(child, { pin: '112233' });
    assert.equal(noProof.body.code, 'PIN_INVALID', 'without a proof it is a change, which needs the PIN');
    const wrong = await putPin(child, { pin: '112233', identity: { name: child.name, secret: '999999' } });
    assert.equal(wrong.body.code, 'IDENTITY_MISMATCH');
    const reset = await putPin(child, { pin: '112233', identity: identityOf(child) });
    assert.equal(reset.status, 204, JSON.stringify(reset.body));
    // The new PIN works, the old one does not.
    const limit = (pin: string) =>
      call('PUT', '/api/v1/card/daily-limit', child.accessToken, { dailyLimit: 60_000, pin });
    assert.equal((await limit('246801')).body.code, 'PIN_INVALID');
    assert.equal((await limit('112233')).status, 200);
    // The student is told, in a kept notice.
    const mine = await call<{ items: { type: string; kind: string; title?: string }[] }>(
      'GET',
      '/api/v1/notifications',
      child.accessToken,
    );
    assert.ok(
      mine.body.items.some((n) => n.type === 'notice' && n.title === '支付密码已重置'),
      JSON.stringify(mine.body),
    );
    // Every linked parent sees the reset, with who made it.
    const theirs = await call<{ items: { type: string; kind: string; by?: string; cardNo?: string }[] }>(
      'GET',
      '/api/v1/children/notifications',
      parent.accessToken,
    );
    const line = theirs.body.items.find((n) => n.type === 'card' && n.kind === 'pin_reset');
    assert.ok(line, JSON.stringify(theirs.body));
    assert.deepEqual([line.by, line.cardNo], ['self', child.cardNo]);
    // The session that reset it stays; the account's other sessions end.
    assert.equal((await call('GET', '/api/v1/card', child.accessToken)).status, 200);
    const ended = await call('GET', '/api/v1/card', otherPhone.accessToken);
    assert.deepEqual([ended.status, ended.body.details], [401, { reason: 'pin_reset' }]);
  });

  test('#19 when 50 forgotten-PIN resets race with wrong proofs (the right one last), then at most 5 proofs are checked, the right one is LOCKED_OUT and the PIN is unchanged', async () => {
    const student = await boundStudent(world);
    assert.equal((await putPin(student, { pin: '135790', identity: identityOf(student) })).status, 204);
    const replies = await Promise.all([
      ...Array.from({ length: 49 }, (_, i) =>
        putPin(student, {
          pin: '000000',
          identity: { name: student.name, secret: String(500_000 + i) },
        }),
      ),
      putPin(student, { pin: '000000', identity: identityOf(student) }),
    ]);
    const codes = codesOf(replies);
    assert.ok(codes.filter((c) => c === 'IDENTITY_MISMATCH').length <= 4, JSON.stringify(codes));
    assert.equal(codes.at(-1), 'LOCKED_OUT', JSON.stringify(codes));
    assert.equal(codes.filter((c) => c === 204).length, 0);
    // The PIN is the old one still.
    const limit = (pin: string) =>
      call('PUT', '/api/v1/card/daily-limit', student.accessToken, { dailyLimit: 70_000, pin });
    assert.equal((await limit('000000')).body.code, 'PIN_INVALID');
    assert.equal((await limit('135790')).status, 200);
  });

  test('#12.7 when the card centre cancels a loss in the backoffice, then the student keeps a notice naming who reported and who cancelled', async () => {
    const student = await boundStudent(world);
    const reported = await call('POST', '/api/v1/card/actions', student.accessToken, {
      action: 'report_loss',
    });
    assert.equal(reported.body.status, 'lost');
    const cancelled = await call(
      'POST',
      `/api/admin/v1/cards/${student.cardNo}/actions`,
      admins.card_operator,
      {
        action: 'cancel_loss',
        reason: '本人到柜台',
      },
    );
    assert.equal(cancelled.body.status, 'active', JSON.stringify(cancelled.body));
    const again = await logIn(world, student.openid);
    const mine = await call<{ items: { type: string; title?: string; body?: string }[] }>(
      'GET',
      '/api/v1/notifications',
      again.accessToken,
    );
    const notice = mine.body.items.find((n) => n.type === 'notice' && n.title === '校园卡已解挂');
    assert.ok(notice, JSON.stringify(mine.body));
    assert.match(notice.body ?? '', /由本人挂失，已由卡务中心解挂/);
  });
});

describe('one person bound from WeChat and from Alipay (BFF, Alipay stand-in through the real alipay-sdk)', () => {
  const appId = '2021000100000024';
  let appKeys: RsaKeyPair;
  let alipay: AlipayStandIn;
  let world: TestWorld;
  before(async () => {
    appKeys = makeRsaKeyPair();
    alipay = await startAlipayStandIn({
      apps: [{ appId, appPublicKey: appKeys.publicKeyPem, idMode: 'open_id' }],
    });
    world = await startWorld({
      ALIPAY_APP_ID: appId,
      ALIPAY_PRIVATE_KEY: appKeys.privateKeyPem.replaceAll('\n', '\\n'),
      ALIPAY_PUBLIC_KEY: alipay.alipayPublicKey,
      ALIPAY_GATEWAY_URL: alipay.gatewayUrl,
      ALIPAY_TIMEOUT_MS: '2000',
    });
  });
  after(async () => {
    await world.stop();
    await alipay.close();
  });

  const alipayUser = async () => {
    const reply = await world.request<{ accessToken: string }>('POST', '/api/v1/session/alipay', {
      body: { code: alipay.mintAuthCode(appId).code },
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body.accessToken;
  };
  const bindAs = (token: string, person: { personNo: string; name: string; secret: string }) =>
    world.request('POST', '/api/v1/binding', {
      token,
      body: { personNo: person.personNo, name: person.name, secret: person.secret },
    });
  const cardOf = (token: string) =>
    world.request<{ cardNo?: string; code?: string }>('GET', '/api/v1/card', { token });

  test('#14 when a student bound in WeChat binds from Alipay, then both apps see the card, a second WeChat account is refused, and unbinding one leaves the other', async () => {
    const student = await boundStudent(world);
    const fromAlipay = await alipayUser();
    const bound = await bindAs(fromAlipay, student);
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    assert.equal((await cardOf(student.accessToken)).body.cardNo, student.cardNo);
    assert.equal((await cardOf(fromAlipay)).body.cardNo, student.cardNo);
    const secondWechat = await logIn(world);
    const refused = await bindAs(secondWechat.accessToken, student);
    assert.deepEqual([refused.status, refused.body.code], [409, 'ALREADY_BOUND']);
    const secondAlipay = await bindAs(await alipayUser(), student);
    assert.deepEqual([secondAlipay.status, secondAlipay.body.code], [409, 'ALREADY_BOUND']);
    assert.equal(
      (await world.request('DELETE', '/api/v1/binding', { token: student.accessToken })).status,
      200,
    );
    assert.equal((await cardOf(fromAlipay)).body.cardNo, student.cardNo, 'the Alipay binding stays');
    const afterUnbind = await logIn(world, student.openid);
    assert.equal((await cardOf(afterUnbind.accessToken)).body.code, 'NOT_BOUND');
  });
});
