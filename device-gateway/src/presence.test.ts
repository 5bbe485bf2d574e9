import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PresenceReportInput } from '@campus-card/core/client';
import { pino } from 'pino';
import { defaultPresenceOptions, PresenceReporter } from './presence.ts';

const log = pino({ level: 'silent' });
const report = { configVersion: 1, blacklistVersion: 2, offlineRecordsPending: 0 };

function reporter(failFirst = 0) {
  const sent: PresenceReportInput[] = [];
  let failures = failFirst;
  let nowMs = 1_000_000;
  const sink = {
    async reportDevicePresence(r: PresenceReportInput) {
      if (failures > 0) {
        failures -= 1;
        throw new Error('core away');
      }
      sent.push(r);
    },
  };
  const presence = new PresenceReporter(
    sink,
    { ...defaultPresenceOptions, gatewayId: 'gw' },
    log,
    () => nowMs,
  );
  return { presence, sent, advance: (ms: number) => (nowMs += ms) };
}

test('when 2,500 devices sign in, then one flush sends them in batches of at most 1,000', async () => {
  // Goal: a busy instance costs three requests, not 2,500.
  const { presence, sent } = reporter();
  for (let id = 1; id <= 2_500; id++) presence.signedIn({}, id, { ...report, firmware: 'f' });
  await presence.flush();
  assert.deepEqual(
    sent.map((r) => r.devices.length),
    [1_000, 1_000, 500],
  );
  assert.equal(presence.pending, 0);
});

test('when heartbeats change nothing, then they are not re-sent until the refresh interval has passed', async () => {
  // Goal: 10,000 devices heartbeating every 30 s send a row each per minute, not per heartbeat.
  const { presence, sent, advance } = reporter();
  const session = {};
  presence.signedIn(session, 7, { ...report, firmware: 'f' });
  await presence.flush();
  advance(30_000);
  presence.heartbeat(session, 7, report);
  assert.equal(presence.pending, 0);
  presence.heartbeat(session, 7, { ...report, offlineRecordsPending: 3 });
  assert.equal(presence.pending, 1, 'a change is sent at the next flush');
  await presence.flush();
  advance(60_000);
  presence.heartbeat(session, 7, { ...report, offlineRecordsPending: 3 });
  assert.equal(presence.pending, 1, 'still alive: refreshed');
  await presence.flush();
  assert.equal(sent.length, 3);
  assert.equal(sent[2]?.devices[0]?.lastSeenAtMs, 1_090_000);
});

test('when the core is away, then the rows are sent again at the next flush, with the newest state', async () => {
  // Goal: a report is a state; retrying it is safe and loses nothing.
  const { presence, sent } = reporter(1);
  const session = {};
  presence.signedIn(session, 9, { ...report, firmware: 'f' });
  await presence.flush();
  assert.equal(sent.length, 0);
  presence.closed(session, 9);
  await presence.flush();
  assert.equal(sent.length, 1);
  assert.equal(sent[0]?.devices[0]?.online, false);
  await presence.stop();
});

test('when a device signs in again and the old session closes after, then the device stays online', async () => {
  // Goal: the registry replaces the old session after the new one signed in; its close must not win.
  const { presence, sent } = reporter();
  const old = {};
  const fresh = {};
  presence.signedIn(old, 5, { ...report, firmware: 'f' });
  presence.signedIn(fresh, 5, { ...report, firmware: 'f' });
  presence.closed(old, 5);
  await presence.flush();
  assert.equal(sent[0]?.devices.length, 1);
  assert.equal(sent[0]?.devices[0]?.online, true);
  await presence.stop();
});

test('when a busy device sends requests but no heartbeat, then it is still re-sent as seen on the refresh interval', async () => {
  // Goal: a device heartbeats only after an idle interval; a till taking payments all day stays online.
  const { presence, sent, advance } = reporter();
  const session = {};
  presence.signedIn(session, 11, { ...report, firmware: 'f' });
  await presence.flush();
  advance(30_000);
  presence.seen(session, 11);
  assert.equal(presence.pending, 0);
  advance(31_000);
  presence.seen(session, 11);
  assert.equal(presence.pending, 1);
  await presence.flush();
  assert.equal(sent[1]?.devices[0]?.lastSeenAtMs, 1_061_000);
  assert.equal(sent[1]?.devices[0]?.online, true);
});
