// Texts guardians send back to the campus's SMS number (#14, docs/messages.md § Guardians without the
// app): the SMS stand-in pushes its SmsUp report to the BFF's address with the token, the core opts the
// number out on 退订; a wrong token, a body that is no report, or any other text changes nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '@campus-card/core/log';
import { dialects } from '@campus-card/tests/kit';
import { guardianPhoneDigester } from '../../core/src/guardians/guardian-contacts.ts';
import { smsGuardianRecipientId } from '../../core/src/messages/guardian-recipients.ts';
import { messageKinds } from '../../core/src/messages/message-types.ts';
import { startSmsStandIn } from '../../mock/sms/server.ts';
import { startBff } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { startWorld, type TestWorld } from './support.ts';

for (const dialect of dialects)
  describe(`SMS replies from guardians (${dialect})`, () => {
    const piiKey = randomBytes(32).toString('hex');
    const token = randomBytes(24).toString('base64url');
    let world: TestWorld;
    before(async () => {
      world = await startWorld({ SMS_REPLY_TOKEN: token }, { dialect, coreEnv: { PII_KEY: piiKey } });
    });
    after(() => world.stop());

    const optedOut = async (phone: string) =>
      (
        await world.core.core.messages.preferences(
          smsGuardianRecipientId(guardianPhoneDigester(piiKey)(phone)),
        )
      ).optedOut;
    const standIn = (path: string) =>
      startSmsStandIn({ keys: {}, signNames: ['校园卡'], replyUrl: `${world.bff.url}${path}` });

    test('when a guardian texts 退订, then the provider is answered code 0 and the number is opted out of every SMS; other texts change nothing', async () => {
      const sms = await standIn(`/api/v1/sms/replies/${token}`);
      try {
        const phone = '13612345678';
        assert.deepEqual(await sms.reply(phone, '收到，谢谢'), {
          status: 200,
          body: { code: 0, msg: '成功' },
        });
        assert.deepEqual(await optedOut(phone), []);
        assert.deepEqual(await sms.reply(phone, '退订'), { status: 200, body: { code: 0, msg: '成功' } });
        assert.deepEqual((await optedOut(phone)).sort(), [...messageKinds].sort());
        assert.deepEqual(await optedOut('13612345679'), [], 'another number is not touched');
      } finally {
        await sms.close();
      }
    });

    test('when the token is wrong or the body is no report, then 404 or 400 and nobody is opted out', async () => {
      const wrong = await standIn(`/api/v1/sms/replies/${token.slice(1)}x`);
      try {
        assert.equal((await wrong.reply('13612340000', 'TD')).status, 404);
        assert.deepEqual(await optedOut('13612340000'), []);
      } finally {
        await wrong.close();
      }
      const reply = await fetch(`${world.bff.url}/api/v1/sms/replies/${token}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ phone_number: '13612340000', content: 'TD' }),
      });
      assert.equal(reply.status, 400);
      assert.deepEqual(await optedOut('13612340000'), []);
    });

    test('when the core does not answer a reply, then 503, and the error log names the route, never the token in the path', async () => {
      // Goal: a failed request is logged by its route template: the raw path carries the secret token
      // (and elsewhere card numbers), which must not reach the logs.
      const lines: string[] = [];
      const logs = new Writable({
        write(chunk, _encoding, done) {
          lines.push(String(chunk));
          done();
        },
      });
      const closed = `http://127.0.0.1:${1 + (process.pid % 1_000)}`;
      const bff = await startBff(
        loadConfig({ ...world.env, CORE_URL: closed, SMS_REPLY_TOKEN: token }),
        createLogger('bff', 'info', logs),
      );
      try {
        const reply = await fetch(`${bff.url}/api/v1/sms/replies/${token}`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify([{ phone_number: '13612340001', content: '退订' }]),
        });
        assert.equal(reply.status, 503);
        const failed = lines.map((l) => JSON.parse(l)).find((l) => l.msg === 'request failed');
        assert.equal(failed?.route, '/api/v1/sms/replies/:token');
        assert.ok(!lines.join('').includes(token), 'the token is in no log line');
      } finally {
        await bff.close();
      }
    });
  });
