import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { redisNames } from '@campus-card/core/redis';
import { openStudent, redisUrl } from '@campus-card/tests/kit';
import { Redis } from 'ioredis';
import { kioskSessionTtlMs } from '../src/kiosk-sessions.ts';
import type { Message } from '../src/protocol/index.ts';
import type { RunningGateway } from '../src/server.ts';
import {
  phoneFor,
  registerDevice,
  startGatewayFor,
  startWorld,
  TestDevice,
  type TestWorld,
} from './support.ts';

type Account = Extract<Message, { kind: 'kiosk_account' }>;

/**
 * Kiosk sessions kept in Redis (issue #15): a kiosk that loses its answer or its connection and lands on
 * another gateway instance goes on with the same session; nothing is credited twice.
 */
describe('kiosk sessions across gateway instances', () => {
  let world: TestWorld;
  let second: RunningGateway;
  let redis: Redis;
  before(async () => {
    world = await startWorld({}, { REDIS_URL: redisUrl }, { REDIS_URL: redisUrl });
    second = await startGatewayFor(world.core, {}, { REDIS_URL: redisUrl });
    redis = new Redis(redisUrl);
  });
  after(async () => {
    redis.disconnect();
    await second.close();
    await world.stop();
  });

  async function kioskAt(port: number, device: { deviceId: number; key: Uint8Array }) {
    const kiosk = await TestDevice.connect(port, device.deviceId, device.key);
    assert.equal((await kiosk.signIn('kiosk')).message.kind, 'sign_in_accepted');
    return kiosk;
  }

  test('when a kiosk retries its identify at another instance after losing the answer, then it gets the same session there and a top-up in it is credited once', async () => {
    const device = await registerDevice(world, 'kiosk');
    const cardNo = await openStudent(world.client);
    const identify: Message = {
      kind: 'kiosk_identify',
      code: { kind: 'qr', text: (await phoneFor(world.client, cardNo)).code() },
    };
    const atA = await kioskAt(world.gateway.port, device);
    const first = (await atA.request(identify, 50)).message as Account;
    assert.equal(first.reason, 'NONE');
    atA.close();

    const atB = await kioskAt(second.port, device);
    const retried = (await atB.request(identify, 50)).message as Account;
    assert.equal(retried.reason, 'NONE');
    assert.deepEqual(Buffer.from(retried.sessionToken), Buffer.from(first.sessionToken));
    // The code itself in a new frame is a second use, refused as before.
    assert.equal(((await atB.request(identify, 51)).message as Account).reason, 'CODE_REPLAYED');

    const cash: Message = {
      kind: 'kiosk_cash_top_up',
      sessionToken: retried.sessionToken,
      amountFen: 5_000,
      notes: 1,
    };
    const credited = await atB.request(cash, 52);
    assert.equal(credited.message.kind === 'kiosk_load_result' && credited.message.status, 'credited');
    assert.deepEqual((await atB.request(cash, 52)).message, credited.message);
    assert.equal((await world.client.getCard(cardNo)).balance.main, 5_000);
    atB.close();
  });

  test('when a kiosk reconnects to another instance mid-session, then its next step works there, the session expires in Redis, and another kiosk cannot use it', async () => {
    const device = await registerDevice(world, 'kiosk');
    const other = await registerDevice(world, 'kiosk');
    const cardNo = await openStudent(world.client);
    const atA = await kioskAt(world.gateway.port, device);
    const account = (
      await atA.request({
        kind: 'kiosk_identify',
        code: { kind: 'qr', text: (await phoneFor(world.client, cardNo)).code() },
      })
    ).message as Account;
    assert.equal(account.reason, 'NONE');
    atA.close();

    const { kiosk } = redisNames(world.core.redisPrefix).keys;
    const key = `${kiosk}session:${Buffer.from(account.sessionToken).toString('hex')}`;
    const ttl = await redis.pttl(key);
    assert.ok(ttl > 0 && ttl <= kioskSessionTtlMs, `session TTL ${ttl} ms`);

    const stranger = await kioskAt(second.port, other);
    const refused = await stranger.request({
      kind: 'kiosk_report_loss',
      sessionToken: account.sessionToken,
    });
    assert.deepEqual(refused.message, {
      kind: 'kiosk_loss_result',
      reason: 'KIOSK_SESSION_EXPIRED',
      status: 'refused',
    });
    stranger.close();

    const atB = await kioskAt(second.port, device);
    const lost = await atB.request({ kind: 'kiosk_report_loss', sessionToken: account.sessionToken });
    assert.deepEqual(lost.message, { kind: 'kiosk_loss_result', reason: 'NONE', status: 'reported' });
    assert.equal((await world.client.getCard(cardNo)).status, 'lost');

    // Expired (here: the key gone as its TTL would take it), the session is refused at every instance.
    await redis.del(key);
    const late = await atB.request({ kind: 'kiosk_report_loss', sessionToken: account.sessionToken });
    assert.deepEqual(late.message, {
      kind: 'kiosk_loss_result',
      reason: 'KIOSK_SESSION_EXPIRED',
      status: 'refused',
    });
    atB.close();
  });
});
