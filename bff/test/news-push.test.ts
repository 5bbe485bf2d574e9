import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { NewsAnnouncement } from '@campus-card/core/client';
import { redisNames } from '@campus-card/core/redis';
import { redisUrl } from '@campus-card/tests/kit';
import { Redis } from 'ioredis';
import { ContentRepository } from '../../core/src/content/content-repository.ts';
import { ContentService } from '../../core/src/content/content-service.ts';
import { defineModels } from '../../core/src/db/models.ts';
import { openSocket, type Socket } from './live-socket.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

const news = (m: Record<string, unknown>) =>
  m.news as { id: string; title: string; excerpt: string } | undefined;

describe('news pushed live to the mini-programs of its audience', () => {
  let world: TestWorld;
  const sockets: Socket[] = [];
  before(async () => {
    world = await startWorld();
  });
  after(async () => {
    for (const s of sockets) s.ws.close();
    await world.stop();
  });

  /** A bound person with the live view open, as the mini-program opens it. */
  const viewOf = async (options: { type?: 'student' | 'staff'; department: string }, bff = world.bff) => {
    const person = await boundStudent(world, options);
    const ticket = await world.request<{ path: string }>('POST', '/api/v1/events/ticket', {
      token: person.accessToken,
    });
    assert.equal(ticket.status, 200, JSON.stringify(ticket.body));
    const socket = await openSocket(bff.url, ticket.body.path);
    sockets.push(socket);
    return socket;
  };
  const newsMessages = (s: Socket, id: string) =>
    s.messages.filter((m) => m.type === 'news' && news(m)?.id === id);

  test('when news for a department is published now, then a student of it hears it at any instance, a student of another department does not, and news for staff reaches staff only', async () => {
    const other = await world.startAnotherBff();
    const journalism = await viewOf({ department: '新闻学院' }, other);
    const maths = await viewOf({ department: '数学学院' });
    const teacher = await viewOf({ type: 'staff', department: '新闻学院' });

    const item = await world.core.client.publishNews({
      title: '新闻学院讲座',
      body: '周五下午三点在报告厅。',
      audience: { type: 'department', value: '新闻学院' },
      author: '编辑',
    });
    const heard = await journalism.next((m) => m.type === 'news' && news(m)?.id === item.id, 3_000);
    assert.deepEqual(news(heard), {
      id: item.id,
      title: '新闻学院讲座',
      excerpt: '周五下午三点在报告厅。',
      publishAtMs: item.publishAtMs,
    });
    await teacher.next((m) => m.type === 'news' && news(m)?.id === item.id, 3_000);

    const staffOnly = await world.core.client.publishNews({
      title: '教职工大会',
      body: '周一。',
      audience: { type: 'staff' },
      author: '编辑',
    });
    await teacher.next((m) => m.type === 'news' && news(m)?.id === staffOnly.id, 3_000);
    // Everything published so far has reached the views it was for; nothing more is on its way.
    await sleep(300);
    assert.deepEqual(newsMessages(maths, item.id), [], 'another department hears nothing');
    assert.deepEqual(newsMessages(maths, staffOnly.id), []);
    assert.deepEqual(newsMessages(journalism, staffOnly.id), [], 'a student hears nothing meant for staff');
    assert.equal(newsMessages(journalism, item.id).length, 1, 'once');
  });

  test('when a scheduled item comes due, then it is announced once, however many schedulers race for it', async () => {
    const student = await viewOf({ department: '新闻学院' });
    // The core's own schedule runs every 2 s; two more schedulers on the same database race it, each
    // publishing what it claims on Redis as a core instance does.
    const redis = new Redis(redisUrl);
    const heard: NewsAnnouncement[] = [];
    const tell = (n: NewsAnnouncement) => {
      heard.push(n);
      void redis.publish(redisNames(world.core.redisPrefix).channels.news, JSON.stringify(n));
    };
    const stopHearing = world.core.core.content.onAnnouncement((n) => heard.push(n));
    const db = world.core.core.db;
    const racers = [0, 1].map(
      () => new ContentService(new ContentRepository(db, defineModels(db.sequelize))),
    );
    for (const r of racers) r.onAnnouncement(tell);
    const item = await world.core.client.publishNews({
      title: '明早停水',
      body: '宿舍区明早六点到八点停水。',
      audience: { type: 'students' },
      publishAtMs: Date.now() + 1_000,
      author: '编辑',
    });
    assert.deepEqual(
      (await racers[0]?.announceDue())?.map((n) => n.id).includes(item.id),
      false,
      'not due yet',
    );
    await sleep(1_100);
    await Promise.all(racers.flatMap((r) => [r.announceDue(), r.announceDue()]));
    await student.next((m) => m.type === 'news' && news(m)?.id === item.id, 5_000);
    // Another turn of the core's own schedule (its job runs announceDue), then time for a message to arrive.
    await world.core.core.content.announceDue();
    await sleep(300);
    assert.equal(newsMessages(student, item.id).length, 1, 'the phone heard it once');
    assert.equal(heard.filter((n) => n.id === item.id).length, 1, 'three schedulers, one announcement');
    stopHearing();
    await redis.quit();
  });
});
