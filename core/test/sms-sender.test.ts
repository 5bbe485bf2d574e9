import assert from 'node:assert/strict';
import { type AddressInfo, connect, createServer as createNetServer } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { dialects, openStudent, startTestCore, type TestCore } from '@campus-card/tests/kit';
import { type SmsStandIn, startSmsStandIn } from '../../mock/sms/server.ts';
import { BindingRepository } from '../src/bindings/binding-repository.ts';
import { createLogger } from '../src/log.ts';
import { MessageDelivery } from '../src/messages/message-delivery.ts';
import { MessageRepository } from '../src/messages/message-repository.ts';
import { MessageService } from '../src/messages/message-service.ts';
import { outboxMessageId } from '../src/messages/message-types.ts';
import { SmsSender } from '../src/messages/sms-sender.ts';

// SMS through the official SDK (@alicloud/dysmsapi20170525) against the stand-in, which checks the
// SDK's signature V3 (ACS3-HMAC-SHA256) with the configured AccessKey secret (docs/messages.md § SMS).

const KEY_ID = 'LTAI5tSmsSenderTest';
const KEY_SECRET = 'sms-sender-test-secret';
const templates = { card_status: { code: 'SMS_0001', keys: ['who', 'what'] } };
const silent = createLogger('test', 'silent');

const sender = (baseUrl: string, secret = KEY_SECRET, keyId = KEY_ID, timeoutMs?: number) =>
  new SmsSender({
    endpoint: baseUrl,
    accessKeyId: keyId,
    accessKeySecret: secret,
    signName: '校园卡',
    templates,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });

describe('SMS sender and stand-in (signature V3)', () => {
  let sms: SmsStandIn;
  before(async () => {
    sms = await startSmsStandIn({ keys: { [KEY_ID]: KEY_SECRET }, signNames: ['校园卡'] });
  });
  after(() => sms.close());

  test('when the SDK sends with the right secret, then the stand-in takes it with the template, its values and the OutId', async () => {
    // Values with characters the canonical query encodes differently from the wire: ()*!' and Chinese.
    const fields = ['家长 王某(父)*', "挂失!'~"];
    const outcome = await sender(sms.baseUrl).send('13800138000', 'card_status', { fields }, 'm-1');
    assert.deepEqual(outcome, { outcome: 'sent' });
    const last = sms.sent.at(-1);
    assert.deepEqual(
      [last?.phone, last?.signName, last?.templateCode, last?.params, last?.outId],
      ['13800138000', '校园卡', 'SMS_0001', { who: fields[0], what: fields[1] }, 'm-1'],
    );
    assert.match(last?.bizId ?? '', /\^0$/);
  });

  test('when the secret or the key is wrong, then the provider refuses the signature and the sender reports a definite failure', async () => {
    const before = sms.sent.length;
    assert.deepEqual(
      await sender(sms.baseUrl, 'not-the-secret').send(
        '13800138000',
        'card_status',
        { fields: ['a'] },
        'm-2',
      ),
      { outcome: 'refused', code: 'sms_SignatureDoesNotMatch' },
    );
    assert.deepEqual(
      await sender(sms.baseUrl, KEY_SECRET, 'LTAInobody').send(
        '13800138000',
        'card_status',
        { fields: ['a'] },
        'm-3',
      ),
      { outcome: 'refused', code: 'sms_InvalidAccessKeyId.NotFound' },
    );
    assert.equal(sms.sent.length, before, 'nothing sent');
  });

  test('when the number is no mobile number or the kind has no template, then it is refused for good', async () => {
    assert.deepEqual(await sender(sms.baseUrl).send('12345', 'card_status', { fields: ['a'] }, 'm-4'), {
      outcome: 'refused',
      code: 'sms_isv.MOBILE_NUMBER_ILLEGAL',
    });
    assert.deepEqual(await sender(sms.baseUrl).send('13800138000', 'news', { fields: ['a'] }, 'm-5'), {
      outcome: 'refused',
      code: 'sms_no_template',
    });
  });

  test('when the provider limits, throttles, is down or unreachable, then the sender says retry; when the answer is late, unknown', async () => {
    const s = sender(sms.baseUrl, KEY_SECRET, KEY_ID, 1_000);
    const send = (id: string) => s.send('13800138001', 'card_status', { fields: ['a', 'b'] }, id);
    const before = sms.sent.length;
    sms.faults.limit(1);
    assert.deepEqual(await send('r-1'), { outcome: 'retry', code: 'sms_isv.BUSINESS_LIMIT_CONTROL' });
    sms.faults.throttle(1);
    assert.deepEqual(await send('r-2'), { outcome: 'retry', code: 'sms_Throttling.User' });
    sms.faults.down(true);
    assert.deepEqual(await send('r-3'), { outcome: 'retry', code: 'sms_ServiceUnavailable' });
    sms.faults.down(false);
    assert.equal(sms.sent.length, before, 'none of them was taken');
    const closed = await startSmsStandIn({ keys: {}, signNames: [] });
    await closed.close();
    assert.deepEqual(
      await sender(closed.baseUrl).send('13800138001', 'card_status', { fields: ['a'] }, 'r-4'),
      {
        outcome: 'retry',
        code: 'unreachable',
      },
    );
    // Taken, but answered after the sender stopped waiting: it may have gone, so never "retry".
    sms.faults.late(1, 2_500);
    assert.deepEqual(await send('r-5'), { outcome: 'unknown', code: 'no_answer' });
    assert.deepEqual(
      sms.sent.slice(before).map((m) => m.outId),
      ['r-5'],
    );
  });

  test('when QuerySendDetails is asked by the SDK, then the stand-in checks its signature and answers the record of that OutId on that day', async () => {
    const phone = '13800138011';
    assert.deepEqual(await sender(sms.baseUrl).send(phone, 'card_status', { fields: ['a', 'b'] }, 'q-1'), {
      outcome: 'sent',
    });
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10).replaceAll('-', '');
    assert.deepEqual(await sender(sms.baseUrl).lookUp(phone, 'q-1', [today]), { outcome: 'sent' });
    assert.deepEqual(await sender(sms.baseUrl).lookUp(phone, 'q-nobody', [today]), { outcome: 'none' });
    assert.deepEqual(await sender(sms.baseUrl).lookUp(phone, 'q-1', ['20200101']), {
      outcome: 'no_answer',
      code: 'sms_isv.INVALID_PARAMETERS',
    });
    assert.deepEqual(await sender(sms.baseUrl, 'not-the-secret').lookUp(phone, 'q-1', [today]), {
      outcome: 'no_answer',
      code: 'sms_SignatureDoesNotMatch',
    });
  });

  test('when a signed request is replayed or changed on its way, then the stand-in refuses it', async () => {
    // A TCP relay between the SDK and the stand-in keeps the bytes the SDK sent.
    const port = Number(new URL(sms.baseUrl).port);
    const chunks: Buffer[] = [];
    const relay = createNetServer((socket) => {
      const upstream = connect(port, '127.0.0.1');
      socket.on('data', (d) => {
        chunks.push(d);
        upstream.write(d);
      });
      upstream.pipe(socket);
      socket.on('close', () => upstream.destroy());
      upstream.on('close', () => socket.destroy());
    });
    await new Promise<void>((resolve) => relay.listen(0, '127.0.0.1', resolve));
    const relayPort = (relay.address() as AddressInfo).port;
    try {
      assert.deepEqual(
        await sender(`http://127.0.0.1:${relayPort}`).send(
          '13800138003',
          'card_status',
          { fields: ['家长', '挂失'] },
          't-1',
        ),
        { outcome: 'sent' },
      );
    } finally {
      await new Promise((resolve) => relay.close(resolve));
    }
    const [head = '', body = ''] = Buffer.concat(chunks).toString('utf8').split('\r\n\r\n');
    const [requestLine = '', ...headerLines] = head.split('\r\n');
    const headers = new Map(
      headerLines.map((line) => [
        line.slice(0, line.indexOf(':')).toLowerCase(),
        line.slice(line.indexOf(':') + 1).trim(),
      ]),
    );
    /** Sends the captured request, changed, as raw HTTP/1.1; answers the provider's Code. */
    const resend = async (
      change: { requestLine?: string; set?: Record<string, string>; body?: string } = {},
    ) => {
      const h = new Map(headers);
      for (const [k, v] of Object.entries(change.set ?? {})) h.set(k, v);
      const b = change.body ?? body;
      h.set('content-length', String(Buffer.byteLength(b)));
      h.set('connection', 'close');
      const text = `${change.requestLine ?? requestLine}\r\n${[...h].map(([k, v]) => `${k}: ${v}`).join('\r\n')}\r\n\r\n${b}`;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(port, '127.0.0.1', () => socket.end(text));
        const got: Buffer[] = [];
        socket.on('data', (d) => got.push(d));
        socket.on('end', () => resolve(Buffer.concat(got).toString('utf8')));
        socket.on('error', reject);
      });
      return (JSON.parse(answer.slice(answer.indexOf('\r\n\r\n') + 4)) as { Code: string }).Code;
    };
    const taken = sms.sent.length;
    let n = 0;
    const nonce = () => {
      n += 1;
      return { 'x-acs-signature-nonce': `${headers.get('x-acs-signature-nonce')}-${n}` };
    };
    // The same bytes again: the nonce was used.
    assert.equal(await resend(), 'SignatureNonceUsed');
    // Each change below comes with a fresh nonce, so only the signature can refuse it.
    assert.equal(await resend({ set: nonce() }), 'SignatureDoesNotMatch', 'the nonce is signed too');
    assert.equal(
      await resend({ set: nonce(), requestLine: requestLine.replace('13800138003', '13800138004') }),
      'SignatureDoesNotMatch',
    );
    assert.equal(await resend({ set: nonce(), body: 'PhoneNumbers=13800138004' }), 'SignatureDoesNotMatch');
    assert.equal(await resend({ set: { ...nonce(), 'x-acs-extra': '1' } }), 'IncompleteSignature');
    assert.equal(
      await resend({ set: { ...nonce(), 'x-acs-date': '2020-01-01T00:00:00Z' } }),
      'SignatureDoesNotMatch',
    );
    assert.equal(await resend({ set: { authorization: 'HMAC-SHA1 whatever' } }), 'IncompleteSignature');
    assert.equal(sms.sent.length, taken, 'none of them was sent');
  });
});

for (const dialect of dialects) {
  describe(`SMS through the outbox (${dialect})`, () => {
    let t: TestCore;
    let sms: SmsStandIn;
    let repo: MessageRepository;
    let service: MessageService;
    const phones = new Map<string, string>();
    let serial = 0;

    before(async () => {
      t = await startTestCore(dialect);
      sms = await startSmsStandIn({ keys: { [KEY_ID]: KEY_SECRET }, signNames: ['校园卡'] });
      repo = new MessageRepository(t.core.db);
      service = new MessageService(repo, new BindingRepository(t.core.db), {
        smsPhoneOf: async (id) => phones.get(id),
      });
    });
    after(async () => {
      await sms.close();
      await t.stop();
    });

    const worker = (ahead: number, timeoutMs?: number) =>
      new MessageDelivery(
        repo,
        service,
        { sms: sender(sms.baseUrl, KEY_SECRET, KEY_ID, timeoutMs) },
        silent,
        {
          backoffBaseMs: 1_000,
          unknownChecksMax: 3,
          now: () => Date.now() + ahead,
        },
      );
    /** Sends one loss notice whose SendSms answer comes too late: the row is unknown. */
    const unknownLoss = async (phone: string) => {
      const card = await person(phone);
      const event = loss();
      await service.send(card.personNo, event);
      sms.faults.late(1, 2_500);
      await worker(0, 1_000).runOnce();
      const row = async () => {
        const r = await repo.outboxRow(event.key, card.personId, 'sms');
        return [r?.status, r?.lastError];
      };
      assert.deepEqual(await row(), ['unknown', 'no_answer']);
      return row;
    };
    const textsTo = (phone: string) => sms.sent.filter((m) => m.phone === phone).length;
    const person = async (phone: string) => {
      const card = await t.client.getCard(await openStudent(t.client));
      phones.set(card.personId, phone);
      return card;
    };
    const loss = () => {
      serial += 1;
      return {
        key: `sms-loss-${process.pid}-${serial}`,
        kind: 'card_status' as const,
        fields: ['卡务中心', '挂失'],
        smsFallback: true,
      };
    };

    test('when the provider throttles, then the message is retried after the backoff and sent once under its own OutId', async () => {
      const card = await person('13700137001');
      const event = loss();
      assert.deepEqual((await service.send(card.personNo, event)).queued, ['sms']);
      sms.faults.throttle(1);
      await worker(0).runOnce();
      let row = await repo.outboxRow(event.key, card.personId, 'sms');
      assert.deepEqual([row?.status, row?.lastError], ['pending', 'sms_Throttling.User']);
      // Before the backoff has passed nothing is sent.
      await worker(0).runOnce();
      assert.equal(sms.sent.filter((m) => m.phone === '13700137001').length, 0);
      await worker(5_000).runOnce();
      await worker(60_000).runOnce();
      row = await repo.outboxRow(event.key, card.personId, 'sms');
      assert.deepEqual([row?.status, row?.attempts], ['sent', 2]);
      const texts = sms.sent.filter((m) => m.phone === '13700137001');
      assert.deepEqual(
        texts.map((m) => [m.outId, m.params.who]),
        [[outboxMessageId({ eventKey: event.key, personId: card.personId, channel: 'sms' }), '卡务中心']],
      );
      // The same event again adds nothing and sends nothing.
      assert.deepEqual((await service.send(card.personNo, event)).queued, []);
      await worker(120_000).runOnce();
      assert.equal(sms.sent.filter((m) => m.phone === '13700137001').length, 1);
    });

    test('when the answer is late, then the row is unknown, is not asked about before a minute, then QuerySendDetails finds it taken: sent, and never sent again', async () => {
      const row = await unknownLoss('13700137002');
      await worker(30_000).runOnce();
      assert.deepEqual(await row(), ['unknown', 'no_answer'], 'too early to ask');
      await worker(61_000).runOnce();
      assert.deepEqual(await row(), ['sent', null]);
      await worker(3_600_000).runOnce();
      assert.equal(textsTo('13700137002'), 1, 'taken once, not again');
    });

    test('when the carrier did not deliver a message whose answer was late, then the record makes it failed with the carrier code', async () => {
      sms.faults.undeliverable('13700137004');
      const row = await unknownLoss('13700137004');
      await worker(61_000).runOnce();
      assert.deepEqual(await row(), ['failed', 'sms_report_UNDELIV']);
      assert.equal(textsTo('13700137004'), 1);
    });

    test("when the carrier's receipt is not in yet, then the record (SendStatus 1, taken) makes it sent", async () => {
      sms.faults.receiptsPending(true);
      try {
        const row = await unknownLoss('13700137005');
        await worker(61_000).runOnce();
        assert.deepEqual(await row(), ['sent', null]);
      } finally {
        sms.faults.receiptsPending(false);
      }
    });

    test('when the request was lost and never taken, then each question finds nothing, backing off, and after the last the row is failed as never taken; nothing is ever sent', async () => {
      const card = await person('13700137006');
      const event = loss();
      await service.send(card.personNo, event);
      sms.faults.lost(1, 2_500);
      await worker(0, 1_000).runOnce();
      const row = async () => {
        const r = await repo.outboxRow(event.key, card.personId, 'sms');
        return [r?.status, r?.lastError];
      };
      assert.deepEqual(await row(), ['unknown', 'no_answer']);
      await worker(61_000).runOnce(); // 1st question: none; the next after 2 minutes
      await worker(120_000).runOnce(); // not due yet
      assert.deepEqual(await row(), ['unknown', 'no_answer']);
      await worker(200_000).runOnce(); // 2nd: none; the next after 4 minutes
      await worker(500_000).runOnce(); // 3rd and last: none
      assert.deepEqual(await row(), ['failed', 'sms_never_taken']);
      await worker(3_600_000).runOnce();
      assert.equal(textsTo('13700137006'), 0);
    });

    test('when the provider does not answer the question, then the row stays unknown and is asked again later', async () => {
      const row = await unknownLoss('13700137007');
      sms.faults.down(true);
      try {
        await worker(61_000).runOnce();
      } finally {
        sms.faults.down(false);
      }
      assert.deepEqual(await row(), ['unknown', 'no_answer']);
      await worker(200_000).runOnce();
      assert.deepEqual(await row(), ['sent', null]);
      assert.equal(textsTo('13700137007'), 1);
    });

    test('when the secret is wrong, then the row is refused for good and nothing is sent', async () => {
      const card = await person('13700137003');
      const event = loss();
      await service.send(card.personNo, event);
      await new MessageDelivery(repo, service, { sms: sender(sms.baseUrl, 'wrong-secret') }, silent, {
        backoffBaseMs: 1_000,
      }).runOnce();
      const row = await repo.outboxRow(event.key, card.personId, 'sms');
      assert.deepEqual([row?.status, row?.lastError], ['refused', 'sms_SignatureDoesNotMatch']);
      await worker(3_600_000).runOnce();
      assert.equal(sms.sent.filter((m) => m.phone === '13700137003').length, 0);
    });
  });
}
