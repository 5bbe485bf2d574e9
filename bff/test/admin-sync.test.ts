import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { mysqlServerUrl } from '@campus-card/tests/kit';
import { Campus } from '../../mock/campus/campus.ts';
import { type Admins, signedInAdmins } from './admin-support.ts';
import { startWorld, syncingFrom, type TestWorld } from './support.ts';

interface Run {
  id: string;
  status: 'running' | 'succeeded' | 'failed';
  rowsRead: number;
  rowsTotal: number;
  counts: Record<string, number>;
  errors?: { personNo: string | null; code: string; reason: string }[];
}

const api = '/api/admin/v1';

describe('admin sync runs against the campus stand-in: started from the admin API, followed to the end, rows not applied listed', () => {
  let campus: Campus;
  let world: TestWorld;
  let tokens: Admins;
  let nameless: string;
  before(async () => {
    campus = await Campus.seed({ serverUrl: mysqlServerUrl, seed: 7, students: 40, staff: 10 });
    nameless = await campus.insertNamelessStudent();
    world = await startWorld({}, syncingFrom(campus));
    tokens = await signedInAdmins(world);
  });
  after(async () => {
    await world.stop();
    await campus.close({ drop: true });
  });

  test('when the counter starts an incremental run, then it ends succeeded with everyone but the nameless student, whose row is listed with its reason, and the start is audited', async () => {
    const started = await world.request<Run>('POST', `${api}/sync/runs`, {
      token: tokens.card_operator,
      body: { kind: 'incremental' },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    let run = started.body;
    for (let i = 0; i < 200 && run.status === 'running'; i++) {
      await sleep(50);
      run = (
        await world.request<Run>('GET', `${api}/sync/runs/${started.body.id}`, { token: tokens.auditor })
      ).body;
    }
    assert.equal(run.status, 'succeeded', JSON.stringify(run));
    assert.equal(run.counts.created, 50);
    assert.deepEqual(
      run.errors?.map((e) => [e.personNo, e.code]),
      [[nameless, 'MISSING_NAME']],
    );
    // The list shows it first (newest first).
    const listed = await world.request<{ items: Run[] }>('GET', `${api}/sync/runs`, {
      token: tokens.auditor,
    });
    assert.equal(listed.body.items[0]?.id, started.body.id);
    const audit = await world.core.client.searchAudit({ action: 'sync.start', limit: 5 });
    assert.deepEqual(
      audit.items.map((e) => [e.targetId, (e.detail as { by: string; kind: string }).kind]),
      [[started.body.id, 'incremental']],
    );
  });

  test('when an auditor starts a run, then it is refused and no run is started', async () => {
    const before = (
      await world.request<{ items: Run[] }>('GET', `${api}/sync/runs`, { token: tokens.auditor })
    ).body;
    const refused = await world.request('POST', `${api}/sync/runs`, {
      token: tokens.auditor,
      body: { kind: 'full' },
    });
    assert.equal(refused.status, 403);
    const afterRefusal = (
      await world.request<{ items: Run[] }>('GET', `${api}/sync/runs`, { token: tokens.auditor })
    ).body;
    assert.equal(afterRefusal.items.length, before.items.length);
  });
});
