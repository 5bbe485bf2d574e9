import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { CoreClient } from '@campus-card/core/client';
import {
  createCodeMaker,
  fromHex,
  generatePhoneKeyPair,
  toHex,
  webCryptoRandom,
} from '@campus-card/core/credential';
import { migratedDatabase, redisUrl } from '@campus-card/tests/kit';
import { WebSocket } from 'ws';
import { type RunningSystem, startSystem } from '../../mock/demo/system.ts';
import { PosTerminal } from '../../mock/devices/pos.ts';

type Json = Record<string, unknown>;

function bytes(hex: unknown): Uint8Array {
  const decoded = fromHex(String(hex));
  assert.ok(decoded, 'hex text');
  return decoded;
}

/**
 * The whole system as `npm start` runs it, but on MariaDB and Redis and on free ports, driven the way
 * a student's phone and a canteen POS drive it: through the web origin (the H5 page's /api and live
 * socket) and the gateway's TCP port. Every hop is the real one.
 */
describe('a student day, end to end over HTTP, WebSocket and TCP', () => {
  let system: RunningSystem;
  let drop: () => Promise<void>;
  let token = '';
  const api = async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${system.web.url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Json };
  };

  before(async () => {
    const database = await migratedDatabase('mysql');
    drop = database.drop;
    system = await startSystem({
      env: {
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl,
        REDIS_PREFIX: `cc-e2e-${randomBytes(4).toString('hex')}:`,
        LOG_LEVEL: 'silent',
        PAY_INTERVAL_MS_MIN: '0',
      },
      ports: 'free',
      terminals: false,
      print: () => {},
    });
  });
  after(async () => {
    await system.stop();
    await drop();
  });

  test('when a student binds, tops up, pays at a POS and reports the card lost, then each step shows live and the POS refuses the lost card', async () => {
    const student = system.identities[0];
    assert.ok(student);

    // Log in as the H5 page does: a wx.login code minted by the stand-in behind the same origin.
    const minted = await api('POST', '/__mock/login-code', { appid: system.appId });
    const session = await api('POST', '/api/v1/session', { code: minted.body.code });
    assert.equal(session.status, 200, JSON.stringify(session.body));
    token = String(session.body.accessToken);
    const bound = await api('POST', '/api/v1/binding', {
      personNo: student.personNo,
      name: student.name,
      secret: student.secret,
    });
    assert.equal(bound.status, 201, JSON.stringify(bound.body));
    const before = await api('GET', '/api/v1/card');
    const mainBefore = (before.body.balance as { main: number }).main;

    // The live view, through the web origin's socket proxy.
    const ticket = await api('POST', '/api/v1/events/ticket');
    const ws = new WebSocket(`${system.web.url.replace('http', 'ws')}${ticket.body.path}`);
    const messages: Json[] = [];
    ws.on('message', (data) => messages.push(JSON.parse(String(data)) as Json));
    const heard = async (match: (activity: Json) => boolean) => {
      for (let i = 0; i < 100; i += 1) {
        const found = messages.find((m) => m.type === 'activity' && match(m.activity as Json));
        if (found) return found.activity as Json;
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.fail(`not heard within 2 s; heard ${JSON.stringify(messages)}`);
    };
    await new Promise((resolve) => ws.once('open', resolve));

    try {
      // Top up 50.00 through WeChat Pay: the order, then what the WeChat client does on requestPayment.
      const order = await api(
        'POST',
        '/api/v1/top-ups',
        { amount: 5_000 },
        { 'idempotency-key': `k-${Date.now()}` },
      );
      assert.equal(order.status, 201, JSON.stringify(order.body));
      const paid = await system.pay.pay({ appId: system.appId, ...(order.body.payment as Json) });
      assert.ok(paid.ok, JSON.stringify(paid));
      const topUp = await heard((a) => a.kind === 'top_up');
      assert.equal((topUp.balance as { main: number }).main, mainBefore + 5_000);
      for (let i = 0; i < 50; i += 1) {
        if ((await api('GET', `/api/v1/top-ups/${order.body.id}`)).body.status === 'credited') break;
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal((await api('GET', `/api/v1/top-ups/${order.body.id}`)).body.status, 'credited');

      // The phone: its own key pair, a certificate from the BFF, codes made with no network.
      const keyPair = await generatePhoneKeyPair(webCryptoRandom);
      const credential = await api('POST', '/api/v1/credential', { publicKey: toHex(keyPair.publicKey) });
      assert.equal(credential.status, 200, JSON.stringify(credential.body));
      const phone = createCodeMaker(keyPair, bytes(credential.body.certificate), 0);

      // A canteen POS registered by the card centre, over the gateway's TCP protocol.
      const core = new CoreClient({ url: system.core.url, ...system.serviceKey });
      const device = await core.registerDevice({ id: '7001', kind: 'pos', merchantId: 'CANTEEN-1-W01' });
      const pos = await PosTerminal.connect({
        port: system.gatewayPort,
        deviceId: 7001,
        key: bytes(device.keyHex),
      });
      try {
        const approved = await pos.pay(phone.next(Date.now()), 1_250);
        assert.equal(approved.kind, 'pay_approved', JSON.stringify(approved));
        const payment = await heard((a) => a.kind === 'payment');
        assert.equal(payment.amount, 1_250);

        // Report the card lost from the phone: the live view hears it, the POS refuses the next code.
        const lost = await api('POST', '/api/v1/card/actions', { action: 'report_loss' });
        assert.equal(lost.status, 200, JSON.stringify(lost.body));
        assert.equal((await heard((a) => a.type === 'card')).status, 'lost');
        const refused = await pos.pay(phone.next(Date.now()), 800);
        assert.equal(refused.kind, 'pay_declined', JSON.stringify(refused));
      } finally {
        pos.close();
        await core.close();
      }
      const bill = await api('GET', '/api/v1/transactions?limit=5');
      const kinds = (bill.body.items as { kind: string }[]).map((t) => t.kind);
      assert.ok(kinds.includes('payment') && kinds.includes('top_up'), kinds.join());
    } finally {
      ws.close();
    }
  });
});
