import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import {
  createCampusKeyring,
  createMemoryReplayGuard,
  createVerifier,
  fromHex,
  generatePhoneKeyPair,
  makeCode,
  toHex,
  webCryptoRandom,
} from '@campus-card/core/credential';
import { devCampusKeys } from '../../device-gateway/src/config.ts';
import { boundStudent, logIn } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

type Student = Awaited<ReturnType<typeof boundStudent>>;

/** The Shanghai month of now, YYYY-MM. */
const thisMonth = () => new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 7);

describe('student card, bills, statements and credential', () => {
  let world: TestWorld;
  let student: Student;
  let canteenId: string;
  let shopId: string;
  const paymentIds: string[] = [];

  before(async () => {
    world = await startWorld();
    student = await boundStudent(world);
    const core = world.core.client;
    canteenId = (await core.createMerchant({ name: '二食堂', category: 'canteen' })).id;
    shopId = (await core.createMerchant({ name: '校园超市', category: 'shop' })).id;
    await core.topUp({ id: randomUUID(), cardNo: student.cardNo, amount: 20_000, channel: 'wechat' });
    await core.subsidize({ id: randomUUID(), cardNo: student.cardNo, amount: 1_000 });
    for (const [merchantId, amount] of [
      [canteenId, 1_500],
      [canteenId, 800],
      [shopId, 2_000],
    ] as const) {
      const id = randomUUID();
      paymentIds.push(id);
      const answer = await core.pay({ id, cardNo: student.cardNo, merchantId, amount });
      assert.equal(answer.status, 'ok');
    }
    await core.refund({ id: randomUUID(), paymentId: paymentIds[2] as string, amount: 500 });
  });
  after(() => world.stop());

  const get = (path: string, token = student.accessToken) => world.request('GET', path, { token });

  test('when the card is asked for, then balances after subsidy-first spending and the day total come back', async () => {
    const reply = await get('/api/v1/card');
    assert.equal(reply.status, 200);
    const card = reply.body as {
      cardNo: string;
      balance: Record<string, number>;
      spentToday: number;
      status: string;
    };
    assert.equal(card.cardNo, student.cardNo);
    assert.equal(card.status, 'active');
    // 21,000 in, 4,300 paid (subsidy first), 500 refunded to main.
    assert.equal(card.balance.subsidy, 0);
    assert.equal(card.balance.main, 20_000 - 3_300 + 500);
    assert.equal(card.balance.pending, 0);
    assert.equal(card.spentToday, 4_300);
  });

  test('when transactions are listed by kind in pages, then the cursor walks them newest first without repeats', async () => {
    const first = await world.request<{ items: { id: string; amount: number }[]; next?: string }>(
      'GET',
      `/api/v1/transactions?month=${thisMonth()}&kind=payment&limit=2`,
      { token: student.accessToken },
    );
    assert.equal(first.status, 200);
    assert.deepEqual(
      first.body.items.map((i) => i.amount),
      [-2_000, -800],
    );
    assert.ok(first.body.next);
    const second = await world.request<{ items: { id: string; amount: number }[]; next?: string }>(
      'GET',
      `/api/v1/transactions?month=${thisMonth()}&kind=payment&limit=2&cursor=${first.body.next}`,
      { token: student.accessToken },
    );
    assert.deepEqual(
      second.body.items.map((i) => i.amount),
      [-1_500],
    );
    assert.equal(second.body.next, undefined);
    const all = await get('/api/v1/transactions');
    assert.equal((all.body.items as unknown[]).length, 6, 'top-up, subsidy, three payments, a refund');
    const topUps = await get('/api/v1/transactions?kind=top_up');
    assert.deepEqual(
      (topUps.body.items as { amount: number }[]).map((i) => i.amount),
      [20_000],
    );
    assert.equal(
      Object.hasOwn((topUps.body.items as object[])[0] ?? {}, 'merchantName'),
      false,
      'no merchant, no field',
    );
    const empty = await get('/api/v1/transactions?month=2001-02');
    assert.deepEqual(empty.body.items, []);
  });

  test('when a transaction filter is malformed, then 400 VALIDATION_FAILED', async () => {
    for (const query of ['month=2026-13', 'kind=steal', 'limit=500', 'cursor=bm90LWEtY3Vyc29y', 'other=1']) {
      const reply = await get(`/api/v1/transactions?${query}`);
      assert.equal(reply.status, 400, query);
      assert.equal(reply.body.code, 'VALIDATION_FAILED');
    }
  });

  test('when one transaction is asked for, then only the owner sees it', async () => {
    const mine = await get(`/api/v1/transactions/${paymentIds[2]}`);
    assert.equal(mine.status, 200);
    assert.equal(mine.body.merchantName, '校园超市');
    assert.equal(mine.body.refundedAmount, 500);
    const other = await boundStudent(world);
    const theirs = await get(`/api/v1/transactions/${paymentIds[2]}`, other.accessToken);
    assert.equal(theirs.status, 404);
    assert.equal(theirs.body.code, 'TRANSACTION_NOT_FOUND');
  });

  test('when the monthly statement is asked for, then spending is netted by category and merchant against last month', async () => {
    const reply = await get(`/api/v1/statements/${thisMonth()}`);
    assert.equal(reply.status, 200);
    const s = reply.body as Record<string, unknown>;
    assert.equal(s.spent, 3_800);
    assert.equal(s.toppedUp, 20_000);
    assert.equal(s.subsidies, 1_000);
    assert.equal(s.refunded, 500);
    assert.equal(s.previousSpent, 0);
    assert.equal(s.spentChange, 3_800);
    assert.deepEqual(s.byCategory, [
      { category: 'canteen', amount: 2_300 },
      { category: 'shop', amount: 1_500 },
    ]);
    assert.deepEqual(
      (s.byMerchant as { merchantName: string; amount: number }[]).map((m) => [m.merchantName, m.amount]),
      [
        ['二食堂', 2_300],
        ['校园超市', 1_500],
      ],
    );
    assert.equal((await get('/api/v1/statements/2026-00')).status, 400);
  });

  test('when PINs are set and changed, then the current PIN is needed to change it', async () => {
    const put = (body: unknown) =>
      world.request('PUT', '/api/v1/card/pin', { token: student.accessToken, body });
    // The first PIN takes the identity proof (#12.7).
    assert.equal((await put({ pin: '123456' })).body.code, 'IDENTITY_REQUIRED');
    const identity = { name: student.name, secret: student.secret };
    assert.equal((await put({ pin: '123456', identity })).status, 204);
    const without = await put({ pin: '654321' });
    assert.equal(without.status, 422);
    assert.equal(without.body.code, 'PIN_INVALID');
    assert.equal((await put({ pin: '654321', currentPin: '000000' })).body.code, 'PIN_INVALID');
    assert.equal((await put({ pin: '654321', currentPin: '123456' })).status, 204);
    assert.equal((await put({ pin: '12ab56' })).status, 400);
    assert.equal((await get('/api/v1/card')).body.hasPin, true);
  });

  test('when the current PIN is wrong too often, then changing the PIN is LOCKED_OUT even with the right one', async () => {
    const other = await boundStudent(world);
    const put = (body: unknown) =>
      world.request('PUT', '/api/v1/card/pin', { token: other.accessToken, body });
    assert.equal(
      (await put({ pin: '111111', identity: { name: other.name, secret: other.secret } })).status,
      204,
    );
    const codes: string[] = [];
    for (let i = 0; i < 5; i += 1)
      codes.push((await put({ pin: '222222', currentPin: `00000${i}` })).body.code as string);
    assert.deepEqual(codes, ['PIN_INVALID', 'PIN_INVALID', 'PIN_INVALID', 'PIN_INVALID', 'LOCKED_OUT']);
    const right = await put({ pin: '222222', currentPin: '111111' });
    assert.equal(right.status, 423);
    assert.equal(right.body.code, 'LOCKED_OUT');
  });

  test('when the daily limit is set within the school maximum, then it holds; above it, LIMIT_EXCEEDED', async () => {
    const put = (dailyLimit: unknown) =>
      world.request('PUT', '/api/v1/card/daily-limit', { token: student.accessToken, body: { dailyLimit } });
    const ok = await put(5_000);
    assert.equal(ok.status, 200);
    assert.deepEqual(ok.body, { dailyLimit: 5_000 });
    assert.equal((await get('/api/v1/card')).body.dailyLimit, 5_000);
    const tooHigh = await world.request('PUT', '/api/v1/card/daily-limit', {
      token: student.accessToken,
      body: { dailyLimit: 10_000_000, pin: '654321' },
    });
    assert.equal(tooHigh.status, 422);
    assert.equal(tooHigh.body.code, 'LIMIT_EXCEEDED');
    assert.equal((await put(-1)).status, 400);
    assert.equal((await put(1.5)).status, 400);
  });

  test('when the phone asks for a certificate, then the campus key signs its key for the current card version, and a code made with it verifies', async () => {
    const keyPair = await generatePhoneKeyPair(webCryptoRandom);
    const reply = await world.request<{ certificate: string; validUntilMs: number; cardVersion: number }>(
      'POST',
      '/api/v1/credential',
      { token: student.accessToken, body: { publicKey: toHex(keyPair.publicKey) } },
    );
    assert.equal(reply.status, 200);
    const card = await world.core.client.getCard(student.cardNo);
    assert.equal(reply.body.cardVersion, card.version);
    const [kid, publicKeyHex] = devCampusKeys.split(':') as [string, string];
    const verifier = createVerifier({
      keyring: createCampusKeyring([{ kid: Number(kid), publicKey: fromHex(publicKeyHex) as Uint8Array }]),
      replayGuard: createMemoryReplayGuard(),
      knownCardVersion: () => card.version,
    });
    const code = makeCode({
      keyPair,
      certificate: fromHex(reply.body.certificate) as Uint8Array,
      nowMs: Date.now(),
      counter: 1,
    });
    const verdict = await verifier.verify(code);
    assert.equal(verdict.ok, true, JSON.stringify(verdict));
    if (verdict.ok) assert.equal(verdict.card.cardNo, student.cardNo);
    const bad = await world.request('POST', '/api/v1/credential', {
      token: student.accessToken,
      body: { publicKey: '00'.repeat(32) },
    });
    assert.equal(bad.status, 400, 'a small-order key is refused');
    assert.equal(
      (
        await world.request('POST', '/api/v1/credential', {
          token: student.accessToken,
          body: { publicKey: 'zz' },
        })
      ).status,
      400,
    );
  });

  test('when the card is frozen and unfrozen, then the status follows and a repeat changes nothing', async () => {
    const act = (action: string) =>
      world.request('POST', '/api/v1/card/actions', { token: student.accessToken, body: { action } });
    const frozen = await act('freeze');
    assert.equal(frozen.status, 200);
    assert.equal(frozen.body.status, 'frozen');
    const noCertificate = await world.request('POST', '/api/v1/credential', {
      token: student.accessToken,
      body: { publicKey: toHex((await generatePhoneKeyPair(webCryptoRandom)).publicKey) },
    });
    assert.equal(noCertificate.body.code, 'CARD_FROZEN');
    assert.equal((await act('freeze')).body.changed, false, 'repeating is harmless');
    const bare = await act('unfreeze');
    assert.equal(
      bare.body.code,
      'PIN_REQUIRED',
      'unfreezing needs the PIN, as cancelling a loss does (#12.7)',
    );
    const unfrozen = await world.request('POST', '/api/v1/card/actions', {
      token: student.accessToken,
      body: { action: 'unfreeze', pin: '654321' },
    });
    assert.equal(unfrozen.body.status, 'active');
    const noLoss = await act('cancel_loss');
    assert.deepEqual([noLoss.status, noLoss.body.changed], [200, false], 'nothing to cancel is no error');
    assert.equal((await act('reissue')).status, 400, 'students cannot reissue themselves');
  });

  test('when the card is reported lost from a new phone, then the other sessions end and this one lives', async () => {
    const lostPhone = await logIn(world, student.openid);
    const reply = await world.request('POST', '/api/v1/card/actions', {
      token: student.accessToken,
      body: { action: 'report_loss' },
    });
    assert.equal(reply.body.status, 'lost');
    const lost = await get('/api/v1/session', lostPhone.accessToken);
    // #19: the lost phone, if it is ever opened again, says why it was signed out.
    assert.deepEqual([lost.body.code, lost.body.details], ['SESSION_REVOKED', { reason: 'report_loss' }]);
    const refresh = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: lostPhone.refreshToken },
    });
    assert.deepEqual([refresh.status, refresh.body.details], [401, { reason: 'report_loss' }]);
    assert.equal((await get('/api/v1/card')).body.status, 'lost', 'the reporting phone is still signed in');
    const freezeLost = await world.request('POST', '/api/v1/card/actions', {
      token: student.accessToken,
      body: { action: 'freeze' },
    });
    assert.equal(freezeLost.status, 409);
    assert.equal(freezeLost.body.code, 'INVALID_TRANSITION');
    const refreshed = await world.request('POST', '/api/v1/session/refresh', {
      body: { refreshToken: student.refreshToken },
    });
    assert.equal(refreshed.status, 200, 'and can still refresh');
    student.accessToken = refreshed.body.accessToken as string;
    student.refreshToken = refreshed.body.refreshToken as string;
    const back = await world.request('POST', '/api/v1/card/actions', {
      token: student.accessToken,
      body: { action: 'cancel_loss', pin: '654321' },
    });
    assert.equal(back.body.status, 'active');
  });

  test('#12.7 when a lost card is cancelled from the phone without the PIN or with a wrong one, then PIN_REQUIRED or PIN_INVALID and the card stays lost; with the PIN it is active again', async () => {
    // Goal: whoever holds a lost phone cannot reopen the card with the phone alone.
    const holder = await boundStudent(world);
    const call = (body: Record<string, unknown>) =>
      world.request('POST', '/api/v1/card/actions', { token: holder.accessToken, body });
    await world.request('PUT', '/api/v1/card/pin', {
      token: holder.accessToken,
      body: { pin: '135790', identity: { name: holder.name, secret: holder.secret } },
    });
    assert.equal((await call({ action: 'report_loss' })).body.status, 'lost');
    const bare = await call({ action: 'cancel_loss' });
    assert.deepEqual([bare.status, bare.body.code], [422, 'PIN_REQUIRED']);
    const byPath = await world.request('POST', '/api/v1/card/cancel-loss', {
      token: holder.accessToken,
      body: {},
    });
    assert.equal(byPath.body.code, 'PIN_REQUIRED', 'the path form asks too');
    assert.equal((await call({ action: 'cancel_loss', pin: '000000' })).body.code, 'PIN_INVALID');
    assert.equal((await world.core.client.getCard(holder.cardNo)).status, 'lost');
    const back = await world.request('POST', '/api/v1/card/cancel-loss', {
      token: holder.accessToken,
      body: { pin: '135790' },
    });
    assert.equal(back.body.status, 'active');
    // The core itself refuses the holder route without the PIN, whatever calls it.
    await call({ action: 'report_loss' });
    await assert.rejects(world.core.client.holderCardAction(holder.openid, 'cancel_loss'), /PIN/);
  });

  test('#12.7 when the card has no PIN, then cancelling a loss needs the identity proof binding needs', async () => {
    const holder = await boundStudent(world);
    const call = (body: Record<string, unknown>) =>
      world.request('POST', '/api/v1/card/actions', { token: holder.accessToken, body });
    await call({ action: 'report_loss' });
    const bare = await call({ action: 'cancel_loss' });
    assert.equal(bare.body.code, 'IDENTITY_REQUIRED');
    const wrong = await call({ action: 'cancel_loss', identity: { name: holder.name, secret: '999999' } });
    assert.equal(wrong.body.code, 'IDENTITY_MISMATCH');
    const right = await call({
      action: 'cancel_loss',
      identity: { name: holder.name, secret: holder.secret },
    });
    assert.equal(right.body.status, 'active');
  });

  test('#12.7 when the card centre froze the card, then the phone cannot unfreeze it with the PIN alone; with the identity proof too it can', async () => {
    const holder = await boundStudent(world);
    await world.request('PUT', '/api/v1/card/pin', {
      token: holder.accessToken,
      body: { pin: '112233', identity: { name: holder.name, secret: holder.secret } },
    });
    await world.core.client.changeCard(holder.cardNo, 'freeze', { type: 'admin', id: 'A1' }, '暂停使用');
    const unfreeze = (body: Record<string, unknown>) =>
      world.request('POST', '/api/v1/card/unfreeze', { token: holder.accessToken, body });
    const pinOnly = await unfreeze({ pin: '112233' });
    assert.deepEqual(
      [pinOnly.body.code, pinOnly.body.details],
      ['IDENTITY_REQUIRED', { reportedBy: 'admin' }],
    );
    assert.equal((await world.core.client.getCard(holder.cardNo)).status, 'frozen');
    const proven = await unfreeze({ pin: '112233', identity: { name: holder.name, secret: holder.secret } });
    assert.equal(proven.body.status, 'active');
  });

  test('#12.7 when the daily limit is raised, then the card PIN is needed (lowering needs none)', async () => {
    const holder = await boundStudent(world);
    const put = (body: Record<string, unknown>) =>
      world.request('PUT', '/api/v1/card/daily-limit', { token: holder.accessToken, body });
    assert.equal((await put({ dailyLimit: 100 })).status, 200, 'lowering is always allowed');
    assert.equal((await put({ dailyLimit: 50_000 })).body.code, 'PIN_REQUIRED', 'no PIN set: set one first');
    await world.request('PUT', '/api/v1/card/pin', {
      token: holder.accessToken,
      body: { pin: '246801', identity: { name: holder.name, secret: holder.secret } },
    });
    assert.equal((await put({ dailyLimit: 50_000 })).body.code, 'PIN_REQUIRED');
    assert.equal((await put({ dailyLimit: 50_000, pin: '111111' })).body.code, 'PIN_INVALID');
    assert.equal((await world.core.client.getCard(holder.cardNo)).dailyLimit, 100);
    assert.equal((await put({ dailyLimit: 50_000, pin: '246801' })).status, 200);
    assert.equal((await world.core.client.getCard(holder.cardNo)).dailyLimit, 50_000);
  });

  test('when 消息设置 are saved, then they come back; a wrong value is refused and changes nothing; a consent is recorded for the app signed in with', async () => {
    const path = '/api/v1/messages/preferences';
    const defaults = await get(path);
    assert.equal(defaults.status, 200);
    assert.deepEqual(defaults.body, {
      quietStartMin: 0,
      quietEndMin: 0,
      optedOut: [],
      receipts: false,
      lowBalanceFen: null,
    });
    const wanted = {
      quietStartMin: 22 * 60,
      quietEndMin: 7 * 60,
      optedOut: ['news'],
      receipts: true,
      lowBalanceFen: 2_000,
    };
    const saved = await world.request('PUT', path, { token: student.accessToken, body: wanted });
    assert.equal(saved.status, 200);
    assert.deepEqual(saved.body, wanted);
    for (const bad of [
      { ...wanted, quietStartMin: 1440 },
      { ...wanted, lowBalanceFen: 12.5 },
      { ...wanted, optedOut: ['spam'] },
    ]) {
      const refused = await world.request<{ code: string }>('PUT', path, {
        token: student.accessToken,
        body: bad,
      });
      assert.equal(refused.status, 400);
      assert.equal(refused.body.code, 'VALIDATION_FAILED');
    }
    assert.deepEqual((await get(path)).body, wanted);
    const consent = await world.request('POST', '/api/v1/messages/consents', {
      token: student.accessToken,
      body: { kinds: ['receipt', 'low_balance'] },
    });
    assert.deepEqual([consent.status, consent.body], [200, { recorded: 2 }]);
  });

  test('when student routes are called without a token, then 401 for every one', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/card'],
      ['POST', '/api/v1/card/actions'],
      ['PUT', '/api/v1/card/pin'],
      ['PUT', '/api/v1/card/daily-limit'],
      ['GET', '/api/v1/transactions'],
      ['GET', '/api/v1/transactions/x'],
      ['GET', '/api/v1/statements/2026-01'],
      ['POST', '/api/v1/credential'],
      ['DELETE', '/api/v1/binding'],
      ['GET', '/api/v1/messages/preferences'],
      ['POST', '/api/v1/messages/consents'],
      ['DELETE', '/api/v1/session'],
    ] as const) {
      const reply = await world.request(method, path, { body: method === 'GET' ? undefined : {} });
      assert.equal(reply.status, 401, `${method} ${path}`);
    }
  });
});
