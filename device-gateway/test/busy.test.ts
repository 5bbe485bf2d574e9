// Admission control (protocol § 7.9, issue #20): past capacity a payment is refused BUSY at once, with a
// retry-after, instead of queueing past the till's timeout; nothing is charged for it, and the same request
// sent again under its sequence is served. Real core on MariaDB, real gateway, real TCP.

import assert from 'node:assert/strict';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { openStudent, opId, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { checkLedger } from '../../core/src/ledger/ledger-check.ts';
import { PosTerminal } from '../../mock/devices/pos.ts';
import type { Message } from '../src/protocol/index.ts';
import type { RunningGateway } from '../src/server.ts';
import { phoneFor, startGatewayFor, TestDevice } from './support.ts';

/** A TCP relay to the core that holds what the gateway sends for `delayMs`: a slow core, as the gateway sees it. */
async function slowRelay(targetPort: number, delayMs: number) {
  const sockets = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(targetPort, '127.0.0.1');
    sockets.add(inbound);
    sockets.add(outbound);
    inbound.on('data', (chunk: Buffer) =>
      setTimeout(() => {
        if (!outbound.destroyed) outbound.write(chunk);
      }, delayMs),
    );
    outbound.on('data', (chunk: Buffer) => {
      if (!inbound.destroyed) inbound.write(chunk);
    });
    const end = () => {
      inbound.destroy();
      outbound.destroy();
    };
    for (const socket of [inbound, outbound]) {
      socket.on('close', end);
      socket.on('error', end);
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

let deviceSerial = 0;
async function signedInTill(
  core: TestCore,
  gateway: RunningGateway,
  merchantId: string,
): Promise<TestDevice> {
  deviceSerial += 1;
  const deviceId = 7_000 + deviceSerial;
  const registered = await core.client.registerDevice({ id: String(deviceId), kind: 'pos', merchantId });
  const device = await TestDevice.connect(
    gateway.port,
    deviceId,
    new Uint8Array(Buffer.from(registered.keyHex, 'hex')),
  );
  assert.equal((await device.signIn()).message.kind, 'sign_in_accepted');
  return device;
}

async function fundedPhone(core: TestCore) {
  const cardNo = await openStudent(core.client);
  await core.client.topUp({ id: opId(), cardNo, amount: 10_000, channel: 'cash' });
  return { cardNo, phone: await phoneFor(core.client, cardNo) };
}

const payOf = (text: string): Message => ({
  kind: 'pay',
  code: { kind: 'qr', text },
  amountFen: 10,
  orderNo: 1,
  itemNo: 0,
});

interface Sent {
  device: TestDevice;
  sequence: number;
  message: Message;
  cardNo: string;
  sentAt: number;
}

/** Sends every payment at once, then collects each answer with the time it took. */
async function burst(sent: Sent[]): Promise<Map<Sent, { message: Message; ms: number }>> {
  for (const s of sent) {
    s.sentAt = performance.now();
    s.device.send(s.message, s.sequence);
  }
  const answers = new Map<Sent, { message: Message; ms: number }>();
  const devices = [...new Set(sent.map((s) => s.device))];
  await Promise.all(
    devices.map(async (device) => {
      const mine = sent.filter((s) => s.device === device);
      for (let i = 0; i < mine.length; i++) {
        const frame = await device.next(10_000);
        const s = mine.find((m) => m.sequence === frame.sequence) as Sent;
        assert.ok(s, `an answer under sequence ${frame.sequence}`);
        answers.set(s, { message: frame.message, ms: performance.now() - s.sentAt });
      }
    }),
  );
  return answers;
}

const isBusy = (m: Message) => m.kind === 'error' && m.code === 'BUSY';

async function operationExists(core: TestCore, device: TestDevice, sequence: number): Promise<boolean> {
  return core.client.getOperation(`dev:${device.deviceId}:${sequence}`).then(
    () => true,
    () => false,
  );
}

describe('BUSY: admission control in front of a slow core', () => {
  let core: TestCore;
  let relay: Awaited<ReturnType<typeof slowRelay>>;
  let gateway: RunningGateway;
  let merchantId: string;
  before(async () => {
    core = await startTestCore('mysql');
    merchantId = (await core.client.createMerchant({ name: '二食堂', category: 'canteen' })).id;
    relay = await slowRelay(Number(new URL(core.core.url).port), 300);
    gateway = await startGatewayFor(
      core,
      {},
      {
        CORE_URL: `http://127.0.0.1:${relay.port}`,
        GATEWAY_INFLIGHT_MAX: '3',
        GATEWAY_BUSY_RETRY_AFTER_MS: '200',
      },
    );
  });
  after(async () => {
    await gateway.close();
    await relay.close();
    await core.stop();
  });

  test('#20.1 when 50 payments from 10 tills arrive at once past the in-flight bound, then some are approved, the rest are BUSY before any approval could come back, with a retry-after, and nothing is charged for a BUSY', async () => {
    const tills = await Promise.all(
      Array.from({ length: 10 }, () => signedInTill(core, gateway, merchantId)),
    );
    const sent: Sent[] = [];
    for (const device of tills) {
      const { cardNo, phone } = await fundedPhone(core);
      for (let i = 0; i < 5; i++) {
        device.sequence += 1;
        sent.push({ device, sequence: device.sequence, message: payOf(phone.code()), cardNo, sentAt: 0 });
      }
    }
    const answers = await burst(sent);
    const approved = sent.filter((s) => answers.get(s)?.message.kind === 'pay_approved');
    const busy = sent.filter((s) => isBusy((answers.get(s) as { message: Message }).message));
    assert.equal(approved.length + busy.length, 50, 'every payment is approved or BUSY');
    assert.ok(approved.length >= 1, 'some payments are served');
    assert.ok(busy.length >= 30, `most of the burst is refused at once, not queued (${busy.length} BUSY)`);
    // Refused at once, not queued: every BUSY answer arrives before the first approval, which had to wait
    // for the slowed core (300 ms). An ordering, not a stopwatch: it holds however loaded the machine is.
    const busyMs = busy.map((s) => (answers.get(s) as { ms: number }).ms);
    const approvedMs = approved.map((s) => (answers.get(s) as { ms: number }).ms);
    assert.ok(
      Math.max(...busyMs) < Math.min(...approvedMs),
      `every BUSY (latest ${Math.max(...busyMs).toFixed(1)} ms) before the first approval (${Math.min(...approvedMs).toFixed(1)} ms)`,
    );
    for (const s of busy) {
      const { message } = answers.get(s) as { message: Message };
      assert.ok(
        message.kind === 'error' && (message.retryAfterMs ?? 0) >= 200 && (message.retryAfterMs ?? 0) <= 300,
      );
    }
    // Only approvals reached the ledger: no operation under a BUSY sequence, each card charged per approval.
    for (const s of busy) assert.equal(await operationExists(core, s.device, s.sequence), false);
    for (const device of tills) {
      const mine = sent.filter((s) => s.device === device);
      const charged = mine.filter((s) => approved.includes(s)).length * 10;
      const card = await core.client.getCard(mine[0]?.cardNo as string);
      assert.equal(card.balance.main, 10_000 - charged);
    }
    assert.deepEqual((await checkLedger(core.core.db)).breaks, []);
    for (const device of tills) device.close();
  });

  test('#20.2 when a till sends its BUSY payment again under the same sequence after the retry-after, then it is approved and charged once', async () => {
    const device = await signedInTill(core, gateway, merchantId);
    const { cardNo, phone } = await fundedPhone(core);
    const sent: Sent[] = [];
    for (let i = 0; i < 5; i++) {
      device.sequence += 1;
      sent.push({ device, sequence: device.sequence, message: payOf(phone.code()), cardNo, sentAt: 0 });
    }
    // One connection's frames are read in order: the first three take the three places, the last two are refused.
    const answers = await burst(sent);
    assert.deepEqual(
      sent.map((s) => answers.get(s)?.message.kind),
      ['pay_approved', 'pay_approved', 'pay_approved', 'error', 'error'],
    );
    for (const s of sent.slice(3)) {
      const busy = answers.get(s)?.message as Message;
      assert.ok(isBusy(busy) && busy.kind === 'error');
      await new Promise((resolve) => setTimeout(resolve, busy.retryAfterMs));
      const again = await device.request(s.message, s.sequence);
      assert.equal(again.sequence, s.sequence);
      assert.equal(again.message.kind, 'pay_approved');
    }
    assert.equal((await core.client.getCard(cardNo)).balance.main, 10_000 - 5 * 10);
    assert.deepEqual((await checkLedger(core.core.db)).breaks, []);
    device.close();
  });

  test('#20.4 when the simulated POS is answered BUSY, then it waits the retry-after and sends the same payment under the same sequence, which is approved and charged once', async () => {
    const other = await signedInTill(core, gateway, merchantId);
    const { phone: otherPhone } = await fundedPhone(core);
    deviceSerial += 1;
    const deviceId = 7_000 + deviceSerial;
    const registered = await core.client.registerDevice({ id: String(deviceId), kind: 'pos', merchantId });
    const pos = await PosTerminal.connect({
      port: gateway.port,
      deviceId,
      key: new Uint8Array(Buffer.from(registered.keyHex, 'hex')),
    });
    const { cardNo, phone } = await fundedPhone(core);
    const busyBefore = gateway.metrics.get('errors.BUSY');
    // Three payments from another till take every place for the 300 ms the slow core needs; the POS pays
    // while they wait.
    for (let i = 0; i < 3; i++) other.send(payOf(otherPhone.code()));
    await new Promise((resolve) => setTimeout(resolve, 30));
    const reply = await pos.pay(phone.code(), 25);
    assert.equal(reply.kind, 'pay_approved', JSON.stringify(reply));
    assert.ok(pos.busyAnswers >= 1, 'the POS was answered BUSY and retried');
    assert.ok(gateway.metrics.get('errors.BUSY') > busyBefore);
    assert.equal((await core.client.getCard(cardNo)).balance.main, 10_000 - 25);
    for (let i = 0; i < 3; i++) assert.equal((await other.next()).message.kind, 'pay_approved');
    pos.close();
    other.close();
  });
});

describe('BUSY: the core ledger at capacity (OVERLOADED)', () => {
  let core: TestCore;
  let gateway: RunningGateway;
  let merchantId: string;
  before(async () => {
    // One transaction of one operation at a time, one waiting: a burst overflows the ledger's queue.
    core = await startTestCore('mysql', {
      LEDGER_EXECUTORS: '1',
      LEDGER_BATCH_SIZE_MAX: '1',
      LEDGER_QUEUE_DEPTH_MAX: '1',
    });
    merchantId = (await core.client.createMerchant({ name: '三食堂', category: 'canteen' })).id;
    gateway = await startGatewayFor(core, {}, { GATEWAY_BUSY_RETRY_AFTER_MS: '100' });
  });
  after(async () => {
    await gateway.close();
    await core.stop();
  });

  test('#20.3 when the ledger refuses payments OVERLOADED, then the tills get BUSY, nothing is charged for them, and the same frame sent again under its sequence pays with the code it showed', async () => {
    const tills = await Promise.all(Array.from({ length: 6 }, () => signedInTill(core, gateway, merchantId)));
    const sent: Sent[] = [];
    for (const device of tills) {
      const { cardNo, phone } = await fundedPhone(core);
      for (let i = 0; i < 8; i++) {
        device.sequence += 1;
        sent.push({ device, sequence: device.sequence, message: payOf(phone.code()), cardNo, sentAt: 0 });
      }
    }
    const answers = await burst(sent);
    const kinds = sent.map((s) => answers.get(s)?.message as Message);
    assert.ok(
      kinds.every((m) => m.kind === 'pay_approved' || isBusy(m)),
      JSON.stringify(kinds.filter((m) => m.kind !== 'pay_approved' && !isBusy(m))),
    );
    const busy = sent.filter((s) => isBusy(answers.get(s)?.message as Message));
    assert.ok(busy.length >= 1, 'the ledger refused some of the burst');
    for (const s of busy) assert.equal(await operationExists(core, s.device, s.sequence), false);
    // The retries: for each till, its BUSY payments above every one it had executed, oldest first, the
    // identical frame under the same sequence (the code the card holder showed, already counted once).
    let retried = 0;
    for (const device of tills) {
      const mine = sent.filter((s) => s.device === device);
      const trailing: Sent[] = [];
      for (let i = mine.length - 1; i >= 0 && busy.includes(mine[i] as Sent); i--)
        trailing.unshift(mine[i] as Sent);
      for (const s of trailing) {
        await new Promise((resolve) => setTimeout(resolve, 150));
        const again = await device.request(s.message, s.sequence);
        assert.equal(again.message.kind, 'pay_approved', JSON.stringify(again.message));
        retried += 1;
      }
      const approvedCount = mine.filter(
        (s) => answers.get(s)?.message.kind === 'pay_approved' || trailing.includes(s),
      ).length;
      assert.equal(
        (await core.client.getCard(mine[0]?.cardNo as string)).balance.main,
        10_000 - 10 * approvedCount,
      );
    }
    assert.ok(retried >= 1, 'some till had BUSY payments to retry');
    assert.deepEqual((await checkLedger(core.core.db)).breaks, []);
    for (const device of tills) device.close();
  });
});
