import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { openSocket } from './live-socket.ts';
import { boundStudent, logIn } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

/** The HTTP status a refused upgrade answered. */
function refusedStatus(baseUrl: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}${path}`);
    ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    ws.on('open', () => reject(new Error('the socket opened')));
    ws.on('error', () => {});
  });
}

const activity = (m: Record<string, unknown>) => m.activity as Record<string, unknown>;

describe('real-time push across BFF instances', () => {
  let world: TestWorld;
  let merchantId: string;
  before(async () => {
    world = await startWorld();
    merchantId = (await world.core.client.createMerchant({ name: '第一食堂', category: 'canteen' })).id;
  });
  after(() => world.stop());

  test('when a card is topped up, pays and is reported lost, then a view open at another instance hears each within a second', async () => {
    const student = await boundStudent(world);
    const other = await world.startAnotherBff();
    const ticket = await world.request<{ path: string }>('POST', '/api/v1/events/ticket', {
      token: student.accessToken,
    });
    assert.equal(ticket.status, 200);
    // The ticket came from the first instance; the socket opens at the second, as behind a load balancer.
    const socket = await openSocket(other.url, ticket.body.path);
    try {
      await world.core.client.topUp({
        id: `t-${Date.now()}`,
        cardNo: student.cardNo,
        amount: 3_000,
        channel: 'cash',
      });
      const topUp = await socket.next((m) => activity(m)?.kind === 'top_up');
      assert.equal(activity(topUp).amount, 3_000);
      assert.deepEqual((activity(topUp).balance as { main: number }).main, 3_000);

      await world.core.client.pay({ id: `p-${Date.now()}`, cardNo: student.cardNo, merchantId, amount: 850 });
      const payment = await socket.next((m) => activity(m)?.kind === 'payment');
      assert.equal(activity(payment).merchantId, merchantId);
      assert.equal((activity(payment).balance as { main: number }).main, 2_150);

      const loss = await world.request('POST', '/api/v1/card/actions', {
        token: student.accessToken,
        body: { action: 'report_loss' },
      });
      assert.equal(loss.status, 200, JSON.stringify(loss.body));
      const lost = await socket.next((m) => activity(m)?.type === 'card');
      assert.equal(activity(lost).status, 'lost');
      assert.ok(socket.messages.every((m) => m.type === 'hello' || activity(m).cardNo === student.cardNo));
    } finally {
      socket.ws.close();
    }
  });

  test("when another student's card moves, then this view hears nothing of it", async () => {
    const student = await boundStudent(world);
    const stranger = await boundStudent(world);
    const ticket = await world.request<{ path: string }>('POST', '/api/v1/events/ticket', {
      token: student.accessToken,
    });
    const socket = await openSocket(world.bff.url, ticket.body.path);
    try {
      await world.core.client.topUp({
        id: `t-${Date.now()}-s`,
        cardNo: stranger.cardNo,
        amount: 100,
        channel: 'cash',
      });
      await world.core.client.topUp({
        id: `t-${Date.now()}-m`,
        cardNo: student.cardNo,
        amount: 200,
        channel: 'cash',
      });
      const mine = await socket.next((m) => activity(m)?.kind === 'top_up');
      assert.equal(activity(mine).cardNo, student.cardNo);
      assert.equal(socket.messages.filter((m) => m.type === 'activity').length, 1);
    } finally {
      socket.ws.close();
    }
  });

  test('when a ticket is used twice, forged or asked for without a token, then it is refused', async () => {
    const student = await boundStudent(world);
    const ticket = await world.request<{ path: string }>('POST', '/api/v1/events/ticket', {
      token: student.accessToken,
    });
    const socket = await openSocket(world.bff.url, ticket.body.path);
    socket.ws.close();
    assert.equal(await refusedStatus(world.bff.url, ticket.body.path), 401);
    assert.equal(await refusedStatus(world.bff.url, `/api/v1/events?ticket=${'A'.repeat(32)}`), 401);
    assert.equal(await refusedStatus(world.bff.url, '/api/v1/events'), 401);
    assert.equal(await refusedStatus(world.bff.url, '/api/v1/elsewhere'), 404);
    const anonymous = await world.request('POST', '/api/v1/events/ticket');
    assert.equal(anonymous.status, 401);
    const unbound = await logIn(world);
    const notBound = await world.request('POST', '/api/v1/events/ticket', { token: unbound.accessToken });
    assert.equal(notBound.status, 403);
    assert.equal(notBound.body.code, 'NOT_BOUND');
  });

  test('when the app was closed, then the notification list shows what happened, unread until marked seen', async () => {
    const student = await boundStudent(world);
    await world.core.client.topUp({
      id: `t-${Date.now()}-n`,
      cardNo: student.cardNo,
      amount: 1_000,
      channel: 'cash',
    });
    await world.core.client.pay({ id: `p-${Date.now()}-n`, cardNo: student.cardNo, merchantId, amount: 300 });
    await world.request('POST', '/api/v1/card/actions', {
      token: student.accessToken,
      body: { action: 'freeze' },
    });
    const list = await world.request<{
      items: { type: string; kind?: string; status?: string; atMs: number }[];
      unread: number;
    }>('GET', '/api/v1/notifications', { token: student.accessToken });
    assert.equal(list.status, 200);
    const kinds = list.body.items.map((n) => (n.type === 'card' ? `card:${n.status}` : n.kind));
    assert.ok(
      kinds.includes('top_up') && kinds.includes('payment') && kinds.includes('card:frozen'),
      kinds.join(),
    );
    assert.equal(list.body.unread, list.body.items.length);
    const newest = Math.max(...list.body.items.map((n) => n.atMs));
    const seen = await world.request('POST', '/api/v1/notifications/seen', {
      token: student.accessToken,
      body: { upToMs: newest },
    });
    assert.equal(seen.status, 204);
    const after = await world.request<{ unread: number }>('GET', '/api/v1/notifications', {
      token: student.accessToken,
    });
    assert.equal(after.body.unread, 0);
    const bad = await world.request('POST', '/api/v1/notifications/seen', {
      token: student.accessToken,
      body: { upToMs: 'yesterday' },
    });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.code, 'VALIDATION_FAILED');
  });

  test("when last month's statements go out, then an open view hears of it and the list keeps it", async () => {
    const student = await boundStudent(world);
    await world.core.client.topUp({
      id: `t-${Date.now()}-st`,
      cardNo: student.cardNo,
      amount: 2_000,
      channel: 'cash',
    });
    await world.core.client.pay({
      id: `p-${Date.now()}-st`,
      cardNo: student.cardNo,
      merchantId,
      amount: 640,
    });
    const ticket = await world.request<{ path: string }>('POST', '/api/v1/events/ticket', {
      token: student.accessToken,
    });
    const socket = await openSocket(world.bff.url, ticket.body.path);
    try {
      const month = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 7);
      await world.core.client.sendMonthlyStatements(month);
      const told = await socket.next((m) => activity(m)?.type === 'notice', 2_000);
      assert.equal(activity(told).kind, 'statement');
      const list = await world.request<{ items: { type: string; title?: string; body?: string }[] }>(
        'GET',
        '/api/v1/notifications',
        { token: student.accessToken },
      );
      const notice = list.body.items.find((n) => n.type === 'notice');
      assert.ok(notice, JSON.stringify(list.body.items));
      assert.match(notice.body ?? '', /共消费 ¥6\.40/);
    } finally {
      socket.ws.close();
    }
  });
});
