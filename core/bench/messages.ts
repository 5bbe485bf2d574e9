// bench:messages (#14, docs/messages.md): messages delivered per second through the database outbox
// (MariaDB) to the WeChat stand-in over loopback HTTP, with two delivery workers in this process (two
// core instances' loops), every message a separate subscribeMessage.send with its consent taken and
// its state written twice (sending, sent). Prints figures; the run is recorded in docs/benchmarks.md.

import { startMessageStandIn } from '../../mock/wechat/messages/server.ts';
import { openStudent, startTestCore } from '../../tests/kit/index.ts';
import { BindingRepository } from '../src/bindings/binding-repository.ts';
import { createLogger } from '../src/log.ts';
import { MessageDelivery } from '../src/messages/message-delivery.ts';
import { MessageRepository } from '../src/messages/message-repository.ts';
import { MessageService } from '../src/messages/message-service.ts';
import { type MessageKind, messageKinds } from '../src/messages/message-types.ts';
import { WechatMessageSender } from '../src/messages/wechat-sender.ts';

const people = Number(process.env.BENCH_PEOPLE ?? 200);
const perPerson = Number(process.env.BENCH_MESSAGES_EACH ?? 5);
const templates = Object.fromEntries(
  messageKinds.map((k) => [k, { id: `tpl-${k}`, keys: ['thing1'] }]),
) as Record<MessageKind, { id: string; keys: string[] }>;

const t = await startTestCore('mysql');
const wx = await startMessageStandIn({ apps: { wxbench: 'bench-secret' } });
try {
  const repo = new MessageRepository(t.core.db);
  const bindings = new BindingRepository(t.core.db);
  const service = new MessageService(repo, bindings);
  const personNos: string[] = [];
  for (let i = 0; i < people; i += 1) {
    const card = await t.client.getCard(await openStudent(t.client));
    await bindings.insert(`o-bench-${i}`, card.personId, card.cardNo);
    for (let c = 0; c < perPerson; c += 1) await service.consent(card.personId, 'wechat', ['news']);
    personNos.push(card.personNo);
  }
  const queueStart = performance.now();
  for (let m = 0; m < perPerson; m += 1)
    for (const personNo of personNos)
      await service.send(personNo, { key: `news-${m}`, kind: 'news', fields: ['要闻'] });
  const queueMs = performance.now() - queueStart;
  const log = createLogger('bench', 'silent');
  const worker = () =>
    new MessageDelivery(
      repo,
      service,
      {
        wechat: new WechatMessageSender(repo, {
          baseUrl: wx.baseUrl,
          appId: 'wxbench',
          appSecret: 'bench-secret',
          templates,
        }),
      },
      log,
      { batchMax: 50 },
    );
  const workers = [worker(), worker()];
  const start = performance.now();
  const loop = async (w: MessageDelivery) => {
    while ((await w.runOnce()) > 0) {}
  };
  await Promise.all(workers.map(loop));
  const ms = performance.now() - start;
  const total = people * perPerson;
  console.log(
    `messages: ${total} queued in ${queueMs.toFixed(0)} ms (${((total / queueMs) * 1000).toFixed(0)}/s)`,
  );
  console.log(
    `delivered: ${wx.delivered.length} of ${total} in ${ms.toFixed(0)} ms: ${((wx.delivered.length / ms) * 1000).toFixed(0)} messages/s (2 workers, MariaDB outbox, WeChat stand-in)`,
  );
  if (wx.delivered.length !== total) process.exitCode = 1;
} finally {
  await wx.close();
  await t.stop();
}
