import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { guardianRecipientId } from '../../core/src/messages/guardian-recipients.ts';
import { MessageRepository } from '../../core/src/messages/message-repository.ts';
import { boundStudent, logIn, type SignedIn } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

type Student = Awaited<ReturnType<typeof boundStudent>>;

describe('parents: invitation, linked children, visibility, alert, loss report', () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  const call = <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) =>
    world.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });

  async function invite(child: Student): Promise<string> {
    const reply = await call('POST', '/api/v1/parents/invitations', child.accessToken);
    assert.equal(reply.status, 201, JSON.stringify(reply.body));
    assert.match(reply.body.invitationCode as string, /^[0-9A-Z]{8}$/);
    return reply.body.invitationCode as string;
  }

  async function linkedFamily() {
    const child = await boundStudent(world);
    const parent = await logIn(world);
    const linked = await call('POST', '/api/v1/children', parent.accessToken, {
      invitationCode: await invite(child),
    });
    assert.equal(linked.status, 201, JSON.stringify(linked.body));
    return { child, parent };
  }

  test("when a parent redeems the child's code, then the child is listed with the balance, and the code is spent", async () => {
    const child = await boundStudent(world);
    await world.core.client.topUp({
      id: randomUUID(),
      cardNo: child.cardNo,
      amount: 5_000,
      channel: 'wechat',
    });
    const parent = await logIn(world);
    const code = await invite(child);
    // Typed in lower case with spaces around: still the code.
    const linked = await call('POST', '/api/v1/children', parent.accessToken, {
      invitationCode: ` ${code.toLowerCase()} `,
    });
    assert.equal(linked.status, 201, JSON.stringify(linked.body));
    assert.equal(linked.body.cardNo, child.cardNo);
    assert.deepEqual(linked.body.balance, { main: 5_000, subsidy: 0, pending: 0 });
    const list = await call<{ children: { cardNo: string; name: string }[] }>(
      'GET',
      '/api/v1/children',
      parent.accessToken,
    );
    assert.deepEqual(
      list.body.children.map((c) => [c.cardNo, c.name]),
      [[child.cardNo, child.name]],
    );
    const other = await logIn(world);
    const reused = await call('POST', '/api/v1/children', other.accessToken, { invitationCode: code });
    assert.equal(reused.status, 404);
    assert.equal(reused.body.code, 'INVITATION_INVALID');
    assert.deepEqual((await call('GET', '/api/v1/children', other.accessToken)).body.children, []);
    // The child sees one parent, never the parent's WeChat id.
    const parents = await call<{ parents: Record<string, unknown>[] }>(
      'GET',
      '/api/v1/parents',
      child.accessToken,
    );
    assert.equal(parents.body.parents.length, 1);
    assert.equal(JSON.stringify(parents.body).includes(parent.openid), false);
  });

  test('when the child tries their own code, then FORBIDDEN and the code still works for the parent', async () => {
    const child = await boundStudent(world);
    const code = await invite(child);
    const own = await call('POST', '/api/v1/children', child.accessToken, { invitationCode: code });
    assert.equal(own.status, 403);
    const parent = await logIn(world);
    assert.equal(
      (await call('POST', '/api/v1/children', parent.accessToken, { invitationCode: code })).status,
      201,
    );
  });

  test('when the child hides balance and spending, then the parent sees neither; shown again, the payments appear', async () => {
    const { child, parent } = await linkedFamily();
    const core = world.core.client;
    const canteen = await core.createMerchant({ name: '一食堂', category: 'canteen' });
    await core.topUp({ id: randomUUID(), cardNo: child.cardNo, amount: 3_000, channel: 'wechat' });
    await core.pay({ id: randomUUID(), cardNo: child.cardNo, merchantId: canteen.id, amount: 1_200 });
    const linkId = (await call<{ parents: { id: string }[] }>('GET', '/api/v1/parents', child.accessToken))
      .body.parents[0]?.id as string;
    const hidden = await call('PUT', `/api/v1/parents/${linkId}/visibility`, child.accessToken, {
      showBalance: false,
      showSpending: false,
    });
    assert.equal(hidden.status, 200, JSON.stringify(hidden.body));
    const seen = await call('GET', `/api/v1/children/${child.cardNo}`, parent.accessToken);
    assert.equal(seen.body.balance, undefined);
    assert.equal(seen.body.showSpending, false);
    const bill = await call('GET', `/api/v1/children/${child.cardNo}/transactions`, parent.accessToken);
    assert.equal(bill.status, 403);
    await call('PUT', `/api/v1/parents/${linkId}/visibility`, child.accessToken, {
      showBalance: true,
      showSpending: true,
    });
    const shown = await call<{ items: { amount: number; merchantName: string }[] }>(
      'GET',
      `/api/v1/children/${child.cardNo}/transactions?kind=payment`,
      parent.accessToken,
    );
    assert.equal(shown.status, 200);
    assert.deepEqual(
      shown.body.items.map((i) => [i.amount, i.merchantName]),
      [[-1_200, '一食堂']],
    );
    assert.deepEqual(
      (await call('GET', `/api/v1/children/${child.cardNo}`, parent.accessToken)).body.balance,
      {
        main: 1_800,
        subsidy: 0,
        pending: 0,
      },
    );
    // Only the child may choose: the parent cannot change the link through the child's route.
    const byParent = await call('PUT', `/api/v1/parents/${linkId}/visibility`, parent.accessToken, {
      showBalance: true,
    });
    assert.equal(byParent.body.code, 'NOT_BOUND');
  });

  test('when the parent sets an alert above the balance, then the child shows as low; cleared, the alert is gone', async () => {
    const { child, parent } = await linkedFamily();
    await world.core.client.topUp({
      id: randomUUID(),
      cardNo: child.cardNo,
      amount: 1_000,
      channel: 'wechat',
    });
    const set = await call('PUT', `/api/v1/children/${child.cardNo}/alert`, parent.accessToken, {
      threshold: 2_000,
    });
    assert.equal(set.status, 200, JSON.stringify(set.body));
    assert.equal(set.body.lowBalanceAlert, 2_000);
    assert.equal(set.body.lowBalance, true);
    const lower = await call('PUT', `/api/v1/children/${child.cardNo}/alert`, parent.accessToken, {
      threshold: 500,
    });
    assert.equal(lower.body.lowBalance, false);
    const cleared = await call('PUT', `/api/v1/children/${child.cardNo}/alert`, parent.accessToken, {
      threshold: null,
    });
    assert.equal(cleared.body.lowBalanceAlert, undefined);
    for (const body of [{ threshold: -1 }, { threshold: 1.5 }, {}, { threshold: 100, extra: 1 }]) {
      const bad = await call('PUT', `/api/v1/children/${child.cardNo}/alert`, parent.accessToken, body);
      assert.equal(bad.status, 400, JSON.stringify(body));
    }
  });

  test("when the parent reports the child's card lost, then it is lost and the child's phone is signed out", async () => {
    const { child, parent } = await linkedFamily();
    const reply = await call('POST', `/api/v1/children/${child.cardNo}/actions`, parent.accessToken, {
      action: 'report_loss',
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.status, 'lost');
    assert.equal((await world.core.client.getCard(child.cardNo)).status, 'lost');
    const childReply = await call('GET', '/api/v1/card', child.accessToken);
    assert.equal(childReply.status, 401);
    assert.equal(childReply.body.code, 'SESSION_REVOKED');
    const history = await world.core.client.cardHistory(child.cardNo);
    assert.equal(history.at(-1)?.actorType, 'parent');
    const other = await call('POST', `/api/v1/children/${child.cardNo}/actions`, parent.accessToken, {
      action: 'freeze',
    });
    assert.equal(other.status, 400, 'a parent may only report the card lost');
  });

  test("#12.7 when a parent reported the card lost, then the child's phone needs the PIN and an identity proof to cancel it, and the child is told who reported and who cancelled", async () => {
    // Goal: a lost phone cannot undo a loss its owner's parent reported; the card centre or a proof can.
    const { child, parent } = await linkedFamily();
    await call('PUT', '/api/v1/card/pin', child.accessToken, {
      pin: '864200',
      identity: { name: child.name, secret: child.secret },
    });
    const reported = await call('POST', `/api/v1/children/${child.cardNo}/actions`, parent.accessToken, {
      action: 'report_loss',
    });
    assert.equal(reported.body.status, 'lost');
    // The parent's report signed the child's phone out; the child signs in again (as the thief could).
    const phone = await logIn(world, child.openid);
    const cancel = (body: Record<string, unknown>) =>
      call('POST', '/api/v1/card/actions', phone.accessToken, { action: 'cancel_loss', ...body });
    const pinOnly = await cancel({ pin: '864200' });
    assert.deepEqual([pinOnly.status, pinOnly.body.code], [422, 'IDENTITY_REQUIRED']);
    assert.deepEqual(pinOnly.body.details, { reportedBy: 'parent' });
    const wrongProof = await cancel({ pin: '864200', identity: { name: child.name, secret: '000001' } });
    assert.equal(wrongProof.body.code, 'IDENTITY_MISMATCH');
    assert.equal((await world.core.client.getCard(child.cardNo)).status, 'lost');
    const proven = await cancel({ pin: '864200', identity: { name: child.name, secret: child.secret } });
    assert.equal(proven.body.status, 'active');
    const list = await call<{ items: { type: string; title?: string; body?: string }[] }>(
      'GET',
      '/api/v1/notifications',
      phone.accessToken,
    );
    const notice = list.body.items.find((n) => n.type === 'notice' && n.title === '校园卡已解挂');
    assert.ok(notice, JSON.stringify(list.body.items));
    assert.match(notice.body as string, /由家长挂失，已由本人在小程序解挂/);
    // The parent's list names who reported and who cancelled, whatever the child shares.
    const linkId = (await call<{ parents: { id: string }[] }>('GET', '/api/v1/parents', phone.accessToken))
      .body.parents[0]?.id;
    const hidden = await call('PUT', `/api/v1/parents/${linkId}/visibility`, phone.accessToken, {
      showSpending: false,
    });
    assert.equal(hidden.status, 200, JSON.stringify(hidden.body));
    const parentList = await call<{ items: { type: string; kind?: string; by?: string; cardNo?: string }[] }>(
      'GET',
      '/api/v1/children/notifications',
      parent.accessToken,
    );
    const changes = parentList.body.items
      .filter((n) => n.type === 'card' && n.cardNo === child.cardNo)
      .map((n) => `${n.kind}:${n.by}`);
    assert.ok(changes.includes('report_loss:parent'), JSON.stringify(changes));
    assert.ok(changes.includes('cancel_loss:self'), JSON.stringify(changes));
  });

  test('when an account is not linked to a card, then every child route answers CHILD_NOT_FOUND and changes nothing', async () => {
    const { child } = await linkedFamily();
    const stranger: SignedIn = await logIn(world);
    for (const [method, path, body] of [
      ['GET', `/api/v1/children/${child.cardNo}`, undefined],
      ['GET', `/api/v1/children/${child.cardNo}/transactions`, undefined],
      ['PUT', `/api/v1/children/${child.cardNo}/alert`, { threshold: 1 }],
      ['POST', `/api/v1/children/${child.cardNo}/actions`, { action: 'report_loss' }],
      ['DELETE', `/api/v1/children/${child.cardNo}`, undefined],
    ] as const) {
      const reply = await call(method, path, stranger.accessToken, body);
      assert.equal(reply.body.code, 'CHILD_NOT_FOUND', `${method} ${path}`);
    }
    assert.equal((await world.core.client.getCard(child.cardNo)).status, 'active');
  });

  test("when a parent accepts message consents on the parents' page or before a top-up, then they are kept for the parent's account; an account with no child is refused", async () => {
    const { parent } = await linkedFamily();
    const page = await call('POST', '/api/v1/children/message-consents', parent.accessToken, {
      kinds: ['low_balance', 'card_status'],
    });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    assert.deepEqual(page.body, { recorded: 2 });
    // The top-up page records at /messages/consents: an account bound to no card is taken as the parent.
    const topUp = await call('POST', '/api/v1/messages/consents', parent.accessToken, {
      kinds: ['receipt', 'low_balance'],
    });
    assert.equal(topUp.status, 200, JSON.stringify(topUp.body));
    const repo = new MessageRepository(world.core.core.db);
    const recipient = guardianRecipientId(parent.openid);
    assert.equal(await repo.remainingConsents(recipient, 'wechat', 'low_balance'), 2);
    assert.equal(await repo.remainingConsents(recipient, 'wechat', 'receipt'), 1);
    assert.equal(await repo.remainingConsents(recipient, 'wechat', 'spending_alert'), 0);

    const stranger = await logIn(world);
    const refused = await call('POST', '/api/v1/children/message-consents', stranger.accessToken, {
      kinds: ['low_balance'],
    });
    assert.equal(refused.status, 404);
    assert.equal(refused.body.code, 'CHILD_NOT_FOUND');
    const unbound = await call('POST', '/api/v1/messages/consents', stranger.accessToken, {
      kinds: ['receipt'],
    });
    assert.equal(unbound.body.code, 'NOT_BOUND');
    const bad = await call('POST', '/api/v1/children/message-consents', parent.accessToken, {
      kinds: ['no_such_kind'],
    });
    assert.equal(bad.status, 400);
  });

  test('when wrong codes are tried five times, then redeeming is LOCKED_OUT even with a good code', async () => {
    const child = await boundStudent(world);
    const guesser = await logIn(world);
    for (let i = 1; i <= 4; i++) {
      const reply = await call('POST', '/api/v1/children', guesser.accessToken, {
        invitationCode: 'ZZZZZZZZ',
      });
      assert.equal(reply.body.code, 'INVITATION_INVALID');
      assert.equal((reply.body.details as { attemptsLeft: number }).attemptsLeft, 5 - i);
    }
    assert.equal(
      (await call('POST', '/api/v1/children', guesser.accessToken, { invitationCode: 'ZZZZZZZZ' })).status,
      423,
    );
    const good = await call('POST', '/api/v1/children', guesser.accessToken, {
      invitationCode: await invite(child),
    });
    assert.equal(good.body.code, 'LOCKED_OUT');
    assert.deepEqual((await call('GET', '/api/v1/children', guesser.accessToken)).body.children, []);
  });

  test('when the child removes a parent or the parent unlinks, then the child leaves the list', async () => {
    const { child, parent } = await linkedFamily();
    const linkId = (await call<{ parents: { id: string }[] }>('GET', '/api/v1/parents', child.accessToken))
      .body.parents[0]?.id as string;
    assert.deepEqual((await call('DELETE', `/api/v1/parents/${linkId}`, child.accessToken)).body, {
      removed: true,
    });
    assert.deepEqual((await call('GET', '/api/v1/children', parent.accessToken)).body.children, []);
    const again = await linkedFamily();
    assert.deepEqual(
      (await call('DELETE', `/api/v1/children/${again.child.cardNo}`, again.parent.accessToken)).body,
      { removed: true },
    );
    assert.deepEqual((await call('GET', '/api/v1/parents', again.child.accessToken)).body.parents, []);
  });

  test('when parent routes are called without a token, unbound, or with bad input, then 401, NOT_BOUND or 400', async () => {
    for (const [method, path] of [
      ['POST', '/api/v1/parents/invitations'],
      ['GET', '/api/v1/parents'],
      ['GET', '/api/v1/children'],
      ['POST', '/api/v1/children'],
    ] as const) {
      assert.equal(
        (await world.request(method, path, { body: method === 'GET' ? undefined : {} })).status,
        401,
      );
    }
    const unbound = await logIn(world);
    assert.equal(
      (await call('POST', '/api/v1/parents/invitations', unbound.accessToken)).body.code,
      'NOT_BOUND',
    );
    for (const body of [{}, { invitationCode: 'short' }, { invitationCode: 'ABCDEFGH', more: 1 }]) {
      const reply = await call('POST', '/api/v1/children', unbound.accessToken, body);
      assert.equal(reply.status, 400, JSON.stringify(body));
    }
    assert.equal((await call('GET', '/api/v1/children/not-a-card', unbound.accessToken)).status, 400);
  });
});
