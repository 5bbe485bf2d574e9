// Issue 19, parents: what the parents' pages and the student's 我的家长 page read from the BFF, on
// MariaDB and Redis (startWorld): the card status with who changed it, the spending as the child
// allows, the low-balance alert as a message line, and a removed parent seeing nothing of the child.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { boundStudent, logIn } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

type Student = Awaited<ReturnType<typeof boundStudent>>;

interface Child {
  cardNo: string;
  status: string;
  balance?: { main: number };
  statusChange?: { kind: string; by: string; byYou: boolean; atMs: number; undoUntilMs?: number };
}

describe("parents' pages and the student's 我的家长 (issue 19)", () => {
  let world: TestWorld;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.stop());

  const call = <T = Record<string, unknown>>(method: string, path: string, token: string, body?: unknown) =>
    world.request<T>(method, path, { token, ...(body === undefined ? {} : { body }) });

  async function link(child: Student) {
    const parent = await logIn(world);
    const invitation = await call('POST', '/api/v1/parents/invitations', child.accessToken);
    const linked = await call('POST', '/api/v1/children', parent.accessToken, {
      invitationCode: invitation.body.invitationCode,
    });
    assert.equal(linked.status, 201, JSON.stringify(linked.body));
    return parent;
  }

  test('#19.4 when a parent reports the card lost, then their child view reads lost, reported by them and when, with 30 minutes to take it back; another parent reads 由家长 and cannot undo it; after the half hour neither can the reporter', async () => {
    const child = await boundStudent(world);
    const mother = await link(child);
    const father = await link(child);
    const before = await call<Child>('GET', `/api/v1/children/${child.cardNo}`, mother.accessToken);
    assert.equal(before.body.status, 'active');
    assert.equal(before.body.statusChange, undefined, 'an active card has no status change to show');
    const startMs = Date.now();
    const reported = await call('POST', `/api/v1/children/${child.cardNo}/actions`, mother.accessToken, {
      action: 'report_loss',
    });
    assert.equal(reported.body.status, 'lost', JSON.stringify(reported.body));
    const mine = await call<Child>('GET', `/api/v1/children/${child.cardNo}`, mother.accessToken);
    assert.equal(mine.body.status, 'lost');
    const atMs = mine.body.statusChange?.atMs ?? 0;
    assert.deepEqual(mine.body.statusChange, {
      kind: 'report_loss',
      by: 'parent',
      byYou: true,
      atMs,
      undoUntilMs: atMs + 30 * 60_000,
    });
    assert.ok(atMs >= startMs - 1_000, JSON.stringify(mine.body));
    const theirs = await call<{ children: Child[] }>('GET', '/api/v1/children', father.accessToken);
    assert.deepEqual(
      theirs.body.children.map((c) => [
        c.status,
        c.statusChange?.by,
        c.statusChange?.byYou,
        c.statusChange?.undoUntilMs,
      ]),
      [['lost', 'parent', false, undefined]],
    );
    const undo = (token: string) =>
      call<{ code?: string; details?: Record<string, unknown>; status?: string }>(
        'POST',
        `/api/v1/children/${child.cardNo}/actions`,
        token,
        { action: 'cancel_loss' },
      );
    // Another parent cannot take back this parent's report.
    const byFather = await undo(father.accessToken);
    assert.deepEqual([byFather.status, byFather.body.code], [409, 'INVALID_TRANSITION']);
    assert.equal((await world.core.client.getCard(child.cardNo)).status, 'lost');
    // Half an hour later not even the reporter can: it is the child's or the card centre's then.
    const version = (await world.core.client.getCard(child.cardNo)).version;
    const backdate = (ms: number) =>
      world.core.core.db.execute(
        "UPDATE card_events SET created_at_ms = ? WHERE card_no = ? AND version = ? AND kind = 'report_loss'",
        [ms, child.cardNo, version],
      );
    await backdate(atMs - 30 * 60_000);
    const late = await undo(mother.accessToken);
    assert.deepEqual([late.status, late.body.details?.undoExpired], [409, true], JSON.stringify(late.body));
    const lateView = await call<Child>('GET', `/api/v1/children/${child.cardNo}`, mother.accessToken);
    assert.equal(lateView.body.statusChange?.undoUntilMs, undefined, 'no undo offered after the half hour');
    assert.equal((await world.core.client.getCard(child.cardNo)).status, 'lost');
    // Within the half hour the reporter takes it back: the card is active, made so by this parent.
    await backdate(atMs);
    const undone = await undo(mother.accessToken);
    assert.deepEqual([undone.status, undone.body.status], [200, 'active'], JSON.stringify(undone.body));
    const active = await call<Child>('GET', `/api/v1/children/${child.cardNo}`, mother.accessToken);
    assert.deepEqual([active.body.status, active.body.statusChange], ['active', undefined]);
    const last = (await world.core.client.cardHistory(child.cardNo)).at(-1);
    assert.deepEqual([last?.kind, last?.actorType], ['cancel_loss', 'parent']);
    // A second undo changes nothing more.
    assert.equal((await undo(mother.accessToken)).status, 409);
  });

  test("#19.4 when a payment leaves the child's balance under the parent's alert, then the parent's message list has a low-balance line naming the amounts; a child who hides the balance gives none", async () => {
    const child = await boundStudent(world, { name: '王小明' });
    const parent = await link(child);
    const core = world.core.client;
    const canteen = await core.createMerchant({ name: '二食堂', category: 'canteen' });
    await core.topUp({ id: randomUUID(), cardNo: child.cardNo, amount: 2_000, channel: 'wechat' });
    await call('PUT', `/api/v1/children/${child.cardNo}/alert`, parent.accessToken, { threshold: 1_000 });
    type Messages = {
      items: { type: string; kind?: string; cardNo?: string; body?: string; atMs: number }[];
      unread: number;
    };
    const messages = () => call<Messages>('GET', '/api/v1/children/notifications', parent.accessToken);
    assert.deepEqual(
      (await messages()).body.items.filter((n) => n.kind === 'low_balance'),
      [],
      'above the alert: no line',
    );
    await core.pay({ id: randomUUID(), cardNo: child.cardNo, merchantId: canteen.id, amount: 1_250 });
    const low = await messages();
    const lines = low.body.items.filter((n) => n.kind === 'low_balance');
    assert.equal(lines.length, 1, JSON.stringify(low.body.items));
    assert.equal(lines[0]?.cardNo, child.cardNo);
    assert.equal(lines[0]?.body, '王小明的校园卡余额 ¥7.50，低于你设置的提醒金额 ¥10.00');
    assert.equal(
      lines[0]?.atMs,
      low.body.items.find((n) => n.type === 'operation')?.atMs,
      'dated at the payment',
    );
    assert.ok(low.body.unread >= 1);
    // Read, it stays read until the next movement.
    await call('POST', '/api/v1/notifications/seen', parent.accessToken, { upToMs: Date.now() });
    assert.equal((await messages()).body.unread, 0);
    const linkId = (await call<{ parents: { id: string }[] }>('GET', '/api/v1/parents', child.accessToken))
      .body.parents[0]?.id;
    await call('PUT', `/api/v1/parents/${linkId}/visibility`, child.accessToken, { showBalance: false });
    assert.deepEqual(
      (await messages()).body.items.filter((n) => n.kind === 'low_balance'),
      [],
      'a hidden balance is not told through the alert either',
    );
  });

  test('#19.4 when the student lists and removes a linked parent, then that parent sees nothing of the child: no child, no status, no spending, no messages, no actions', async () => {
    const child = await boundStudent(world);
    const parent = await link(child);
    const other = await link(child);
    const core = world.core.client;
    const canteen = await core.createMerchant({ name: '三食堂', category: 'canteen' });
    await core.topUp({ id: randomUUID(), cardNo: child.cardNo, amount: 1_000, channel: 'wechat' });
    await core.pay({ id: randomUUID(), cardNo: child.cardNo, merchantId: canteen.id, amount: 300 });
    const listed = await call<{ parents: { id: string; linkedAtMs: number }[] }>(
      'GET',
      '/api/v1/parents',
      child.accessToken,
    );
    assert.equal(listed.body.parents.length, 2);
    assert.ok(!JSON.stringify(listed.body).includes(parent.openid), 'the child never sees a parent’s openid');
    const spending = await call<{ items: unknown[] }>(
      'GET',
      `/api/v1/children/${child.cardNo}/transactions`,
      parent.accessToken,
    );
    assert.equal(spending.status, 200);
    assert.ok(spending.body.items.length >= 2);
    const first = listed.body.parents[0]?.id as string;
    const removed = await call('DELETE', `/api/v1/parents/${first}`, child.accessToken);
    assert.deepEqual(removed.body, { removed: true });
    assert.deepEqual(
      (await call('DELETE', `/api/v1/parents/${first}`, child.accessToken)).body.code,
      'NOT_FOUND',
    );

    assert.deepEqual((await call('GET', '/api/v1/children', parent.accessToken)).body, { children: [] });
    for (const [method, path, body] of [
      ['GET', `/api/v1/children/${child.cardNo}`, undefined],
      ['GET', `/api/v1/children/${child.cardNo}/transactions`, undefined],
      ['PUT', `/api/v1/children/${child.cardNo}/alert`, { threshold: 1 }],
      ['POST', `/api/v1/children/${child.cardNo}/actions`, { action: 'report_loss' }],
    ] as const) {
      const reply = await call(method, path, parent.accessToken, body);
      assert.deepEqual([reply.status, reply.body.code], [404, 'CHILD_NOT_FOUND'], `${method} ${path}`);
    }
    const messages = await call<{ items: { cardNo?: string }[] }>(
      'GET',
      '/api/v1/children/notifications',
      parent.accessToken,
    );
    assert.deepEqual(messages.body.items, []);
    const ticket = await call<{ cardNos: string[] }>(
      'POST',
      '/api/v1/children/events/ticket',
      parent.accessToken,
    );
    assert.deepEqual(ticket.body.cardNos, []);
    assert.equal((await core.getCard(child.cardNo)).status, 'active');
    // The other parent keeps the child.
    const kept = await call<{ children: Child[] }>('GET', '/api/v1/children', other.accessToken);
    assert.deepEqual(
      kept.body.children.map((c) => c.cardNo),
      [child.cardNo],
    );
    assert.equal(
      (await call<{ parents: unknown[] }>('GET', '/api/v1/parents', child.accessToken)).body.parents.length,
      1,
    );
  });

  test('#19.4 when another student or a parent tries to remove a link that is not theirs, then NOT_BOUND or NOT_FOUND and the link stays', async () => {
    const child = await boundStudent(world);
    const parent = await link(child);
    const stranger = await boundStudent(world);
    const linkId = (await call<{ parents: { id: string }[] }>('GET', '/api/v1/parents', child.accessToken))
      .body.parents[0]?.id as string;
    const byStranger = await call('DELETE', `/api/v1/parents/${linkId}`, stranger.accessToken);
    assert.deepEqual([byStranger.status, byStranger.body.code], [404, 'NOT_FOUND']);
    const byParent = await call('DELETE', `/api/v1/parents/${linkId}`, parent.accessToken);
    assert.equal(byParent.body.code, 'NOT_BOUND');
    const bad = await call('DELETE', '/api/v1/parents/not-an-id', child.accessToken);
    assert.equal(bad.status, 400);
    assert.equal(
      (await call<{ children: unknown[] }>('GET', '/api/v1/children', parent.accessToken)).body.children
        .length,
      1,
    );
  });

  test("#19.4 when a parent reports the card lost, then the child's phone is told why it was signed out (SESSION_REVOKED, details.reason parent_report_loss); the new session and a later plain sign-out say nothing of it", async () => {
    const child = await boundStudent(world);
    const parent = await link(child);
    await call('POST', `/api/v1/children/${child.cardNo}/actions`, parent.accessToken, {
      action: 'report_loss',
    });
    const lost = await call('GET', '/api/v1/card', child.accessToken);
    assert.deepEqual(
      [lost.status, lost.body.code, lost.body.details],
      [401, 'SESSION_REVOKED', { reason: 'parent_report_loss' }],
    );
    // Signed in again: the new session works, and ending it by signing out gives no reason.
    const again = await logIn(world, child.openid);
    const card = await call<{ status: string }>('GET', '/api/v1/card', again.accessToken);
    assert.equal(card.body.status, 'lost');
    assert.equal((await call('DELETE', '/api/v1/session', again.accessToken)).status < 300, true);
    const ended = await call('GET', '/api/v1/card', again.accessToken);
    assert.deepEqual(
      [ended.status, ended.body.code, ended.body.details],
      [401, 'SESSION_REVOKED', undefined],
    );
    // The child's own loss report from a new phone ends the old phone's session with its own reason.
    const other = await boundStudent(world);
    const newPhone = await logIn(world, other.openid);
    await call('POST', '/api/v1/card/actions', newPhone.accessToken, { action: 'report_loss' });
    const oldPhone = await call('GET', '/api/v1/card', other.accessToken);
    assert.equal(oldPhone.body.code, 'SESSION_REVOKED');
    assert.deepEqual(oldPhone.body.details, { reason: 'report_loss' });
  });
});
