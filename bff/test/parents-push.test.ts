import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { boundStudent, logIn } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

/** Opens a live view as the mini-program does and collects what it hears. */
async function openView(baseUrl: string, path: string) {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}${path}`);
  const messages: Record<string, unknown>[] = [];
  ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Record<string, unknown>));
  const until = async (matching: (m: Record<string, unknown>) => boolean, timeoutMs = 1_000) => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = messages.find(matching);
      if (found) return found;
      if (Date.now() > deadline) throw new Error(`nothing matching within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  };
  await until((m) => m.type === 'hello', 5_000);
  return { ws, messages, until };
}

const activity = (m: Record<string, unknown>) => (m.activity ?? {}) as Record<string, unknown>;

describe("parents' live view of their children", () => {
  let world: TestWorld;
  let merchantId: string;
  before(async () => {
    world = await startWorld();
    merchantId = (await world.core.client.createMerchant({ name: '二食堂', category: 'canteen' })).id;
  });
  after(() => world.stop());

  async function link(parentToken: string) {
    const child = await boundStudent(world);
    const invitation = await world.request('POST', '/api/v1/parents/invitations', {
      token: child.accessToken,
    });
    const linked = await world.request('POST', '/api/v1/children', {
      token: parentToken,
      body: { invitationCode: invitation.body.invitationCode },
    });
    assert.equal(linked.status, 201, JSON.stringify(linked.body));
    return child;
  }

  test("when a sharing child pays, then the parent's view at another instance hears it within a second; a child who hides spending is not watched", async () => {
    const parent = await logIn(world);
    const sharing = await link(parent.accessToken);
    const private_ = await link(parent.accessToken);
    const parentsOfPrivate = await world.request<{ parents: { id: string }[] }>('GET', '/api/v1/parents', {
      token: private_.accessToken,
    });
    await world.request('PUT', `/api/v1/parents/${parentsOfPrivate.body.parents[0]?.id}/visibility`, {
      token: private_.accessToken,
      body: { showSpending: false },
    });
    const ticket = await world.request<{ path: string; cardNos: string[] }>(
      'POST',
      '/api/v1/children/events/ticket',
      { token: parent.accessToken },
    );
    assert.equal(ticket.status, 200, JSON.stringify(ticket.body));
    assert.deepEqual(ticket.body.cardNos, [sharing.cardNo]);
    const other = await world.startAnotherBff();
    const view = await openView(other.url, ticket.body.path);
    try {
      for (const child of [sharing, private_])
        await world.core.client.topUp({
          id: randomUUID(),
          cardNo: child.cardNo,
          amount: 2_000,
          channel: 'cash',
        });
      await world.core.client.pay({ id: randomUUID(), cardNo: private_.cardNo, merchantId, amount: 300 });
      const startedAtMs = Date.now();
      await world.core.client.pay({ id: randomUUID(), cardNo: sharing.cardNo, merchantId, amount: 1_500 });
      const payment = await view.until((m) => activity(m).kind === 'payment');
      assert.ok(Date.now() - startedAtMs < 1_000);
      assert.equal(activity(payment).cardNo, sharing.cardNo);
      assert.equal((activity(payment).balance as { main: number }).main, 500);
      assert.ok(
        view.messages.every((m) => m.type === 'hello' || activity(m).cardNo === sharing.cardNo),
        'nothing of the child who hides spending',
      );
    } finally {
      view.ws.close();
    }
  });

  test('when a payment leaves the balance under the parent’s alert, then the view hears low_balance; above it, not', async () => {
    // Goal: the alert fires in real time from the server, not only from the app's own arithmetic.
    const parent = await logIn(world);
    const child = await link(parent.accessToken);
    await world.core.client.topUp({ id: randomUUID(), cardNo: child.cardNo, amount: 3_000, channel: 'cash' });
    const alert = await world.request('PUT', `/api/v1/children/${child.cardNo}/alert`, {
      token: parent.accessToken,
      body: { threshold: 1_000 },
    });
    assert.equal(alert.status, 200);
    const ticket = await world.request<{ path: string; alerts: Record<string, number> }>(
      'POST',
      '/api/v1/children/events/ticket',
      { token: parent.accessToken },
    );
    assert.deepEqual(ticket.body.alerts, { [child.cardNo]: 1_000 });
    const view = await openView((await world.startAnotherBff()).url, ticket.body.path);
    try {
      await world.core.client.pay({ id: randomUUID(), cardNo: child.cardNo, merchantId, amount: 1_500 });
      await view.until((m) => activity(m).kind === 'payment');
      assert.equal(
        view.messages.filter((m) => m.type === 'low_balance').length,
        0,
        '1,500 left: above the alert',
      );
      await world.core.client.pay({ id: randomUUID(), cardNo: child.cardNo, merchantId, amount: 800 });
      const low = await view.until((m) => m.type === 'low_balance');
      assert.deepEqual([low.cardNo, low.balance, low.threshold], [child.cardNo, 700, 1_000]);
    } finally {
      view.ws.close();
    }
  });

  test('when an account with no children asks for a ticket, then the view opens and watches nothing', async () => {
    const loner = await logIn(world);
    const ticket = await world.request<{ cardNos: string[] }>('POST', '/api/v1/children/events/ticket', {
      token: loner.accessToken,
    });
    assert.deepEqual(ticket.body.cardNos, []);
    assert.equal((await world.request('POST', '/api/v1/children/events/ticket')).status, 401);
  });

  test("when the parent's app was closed, then the children's notification list shows what the sharing child did, not the private one", async () => {
    const parent = await logIn(world);
    const sharing = await link(parent.accessToken);
    const private_ = await link(parent.accessToken);
    const parentsOfPrivate = await world.request<{ parents: { id: string }[] }>('GET', '/api/v1/parents', {
      token: private_.accessToken,
    });
    await world.request('PUT', `/api/v1/parents/${parentsOfPrivate.body.parents[0]?.id}/visibility`, {
      token: private_.accessToken,
      body: { showSpending: false },
    });
    for (const child of [sharing, private_]) {
      await world.core.client.topUp({
        id: randomUUID(),
        cardNo: child.cardNo,
        amount: 1_000,
        channel: 'cash',
      });
      await world.core.client.pay({ id: randomUUID(), cardNo: child.cardNo, merchantId, amount: 450 });
    }
    const list = await world.request<{
      items: { cardNo: string; kind?: string; amount?: number; merchantName?: string | null }[];
      unread: number;
    }>('GET', '/api/v1/children/notifications', { token: parent.accessToken });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(
      list.body.items.filter((n) => n.kind === 'payment').map((n) => [n.cardNo, n.amount, n.merchantName]),
      [[sharing.cardNo, 450, '二食堂']],
    );
    assert.ok(list.body.items.every((n) => n.cardNo === sharing.cardNo));
    assert.equal(list.body.unread, list.body.items.length);
    assert.equal((await world.request('GET', '/api/v1/children/notifications')).status, 401);
  });
});
