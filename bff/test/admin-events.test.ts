import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { WebSocket } from 'ws';
import { type Admins, openCard, signedInAdmins } from './admin-support.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

const api = '/api/admin/v1';

interface Snapshot {
  atMs: number;
  paymentCount: number;
  turnoverAmount: number;
}

interface DashboardSocket {
  ws: WebSocket;
  snapshots: Snapshot[];
  closed: Promise<number>;
  /** The first snapshot (already received or still to come) that matches. */
  next(matching: (s: Snapshot) => boolean, timeoutMs?: number): Promise<Snapshot>;
}

/** Opens the backoffice's events socket the way the dashboard page does. */
function openDashboard(baseUrl: string, path: string): Promise<DashboardSocket> {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}${path}`);
  const snapshots: Snapshot[] = [];
  const waiters = new Set<{ matching: (s: Snapshot) => boolean; resolve: (s: Snapshot) => void }>();
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as { type: string; dashboard: Snapshot };
    assert.equal(message.type, 'dashboard');
    snapshots.push(message.dashboard);
    for (const w of waiters)
      if (w.matching(message.dashboard)) {
        waiters.delete(w);
        w.resolve(message.dashboard);
      }
  });
  const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
  const socket: DashboardSocket = {
    ws,
    snapshots,
    closed,
    next(matching, timeoutMs = 5_000) {
      const seen = snapshots.find(matching);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching snapshot within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.add({
          matching,
          resolve: (s) => {
            clearTimeout(timer);
            resolve(s);
          },
        });
      });
    },
  };
  return new Promise((resolve, reject) => {
    ws.once('open', () => resolve(socket));
    ws.once('unexpected-response', (_request, response) =>
      reject(new Error(`refused ${response.statusCode}`)),
    );
  });
}

/** The HTTP status a refused upgrade answered. */
function refusedStatus(baseUrl: string, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}${path}`);
    ws.on('unexpected-response', (_request, response) => resolve(response.statusCode ?? 0));
    ws.on('open', () => reject(new Error('the socket opened')));
    ws.on('error', () => {});
  });
}

describe('the live dashboard over the backoffice events socket', () => {
  let world: TestWorld;
  let tokens: Admins;
  let merchantId: string;
  let cardNo: string;
  let paid = 0;
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
    merchantId = (await world.core.client.createMerchant({ name: '第二食堂', category: 'canteen' })).id;
    await world.core.client.registerDevice({ id: '6100001', kind: 'pos', merchantId });
    cardNo = await openCard(world, '计算机学院');
    await world.core.client.topUp({ id: `ev-top-${cardNo}`, cardNo, amount: 100_000, channel: 'cash' });
  });
  after(() => world.stop());

  const pay = async (amount: number) => {
    paid += 1;
    const answer = await world.core.client.pay({
      id: `ev-pay-${process.pid}-${paid}`,
      cardNo,
      merchantId,
      deviceId: '6100001',
      amount,
    });
    assert.equal(answer.status, 'ok', JSON.stringify(answer));
  };
  const ticket = async (token: string) => {
    const reply = await world.request<{ path: string; ticket: string }>('POST', `${api}/events/ticket`, {
      token,
    });
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    return reply.body;
  };

  test('when a socket is opened without a ticket, with a forged one or with one already used, then it is refused 401; a role without monitor.read gets no ticket', async () => {
    assert.equal(await refusedStatus(world.bff.url, `${api}/events`), 401);
    assert.equal(await refusedStatus(world.bff.url, `${api}/events?ticket=${'A'.repeat(32)}`), 401);
    const { path } = await ticket(tokens.finance);
    const socket = await openDashboard(world.bff.url, path);
    assert.equal(await refusedStatus(world.bff.url, path), 401);
    socket.ws.close();
    // A student's live-view ticket does not open the backoffice's socket.
    const student = await boundStudent(world);
    const pushTicket = await world.request<{ ticket: string }>('POST', '/api/v1/events/ticket', {
      token: student.accessToken,
    });
    assert.equal(await refusedStatus(world.bff.url, `${api}/events?ticket=${pushTicket.body.ticket}`), 401);
    for (const role of ['content_editor', 'card_operator', 'department_admin'] as const) {
      const refused = await world.request('POST', `${api}/events/ticket`, { token: tokens[role] });
      assert.equal(refused.status, 403, role);
    }
    assert.equal((await world.request('POST', `${api}/events/ticket`)).status, 401);
  });

  test('when a payment is made through the core, then a new snapshot with the new turnover arrives, at a second BFF instance too', async () => {
    // Goal: activity, not the periodic refresh, moves the figures: the snapshot comes within seconds.
    const other = await world.startAnotherBff();
    const here = await openDashboard(world.bff.url, (await ticket(tokens.device_admin)).path);
    // A ticket made at one instance opens the socket at the other, as behind a load balancer.
    const there = await openDashboard(other.url, (await ticket(tokens.auditor)).path);
    const first = await here.next(() => true);
    await there.next(() => true);
    const before = await world.request<Snapshot>('GET', `${api}/dashboard`, { token: tokens.auditor });
    assert.equal(first.turnoverAmount, before.body.turnoverAmount);
    await pay(1_234);
    const moved = (s: Snapshot) => s.turnoverAmount === before.body.turnoverAmount + 1_234;
    const seen = await here.next(moved, 4_000);
    assert.equal(seen.paymentCount, before.body.paymentCount + 1);
    await there.next(moved, 4_000);
    here.ws.close();
    there.ws.close();
  });

  test('when many payments arrive in a burst, then the watchers get a few snapshots, the last with every payment, not one per payment', async () => {
    const socket = await openDashboard(world.bff.url, (await ticket(tokens.finance)).path);
    const start = await socket.next(() => true);
    const startedMs = Date.now();
    const burst = 40;
    await Promise.all(Array.from({ length: burst }, () => pay(100)));
    const total = start.turnoverAmount + burst * 100;
    await socket.next((s) => s.turnoverAmount === total, 5_000);
    // Let any snapshot still coming arrive, then count them.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const seconds = (Date.now() - startedMs) / 1_000;
    const after = socket.snapshots.length - 1;
    assert.ok(after >= 1 && after <= Math.ceil(seconds) + 1, `${after} snapshots in ${seconds.toFixed(1)} s`);
    assert.ok(after < burst / 4, `${after} snapshots for ${burst} payments`);
    assert.equal(socket.snapshots.at(-1)?.turnoverAmount, total);
    socket.ws.close();
  });

  test('when the session behind a socket signs out, then the socket is closed with 4001', async () => {
    const login = await world.request<{ token: string }>('POST', `${api}/session`, {
      body: { username: 'devices', password: 'demo-admin-2026' },
    });
    const socket = await openDashboard(world.bff.url, (await ticket(login.body.token)).path);
    await socket.next(() => true);
    assert.equal((await world.request('DELETE', `${api}/session`, { token: login.body.token })).status, 200);
    const code = await Promise.race([
      socket.closed,
      new Promise<number>((resolve) => setTimeout(() => resolve(-1), 8_000)),
    ]);
    assert.equal(code, 4001);
  });
});
