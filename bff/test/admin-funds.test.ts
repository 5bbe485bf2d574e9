import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { seedAdminDemo } from '../src/admin/seed.ts';
import { type Admins, adminToken, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

interface Batch {
  id: string;
  status: string;
  validCount: number;
  errorCount: number;
  totalAmount: number;
  postedCount: number;
  progress: { done: number; total: number };
  rows: { rowNo: number; personNo: string; error: string | null; status: string }[];
}

const api = '/api/admin/v1';

describe('admin funds, reports and sync runs: subsidy batches with maker–checker, clearing, exports', () => {
  let world: TestWorld;
  let tokens: Admins;
  let secondFinance: string;
  const people: { personNo: string; cardNo: string }[] = [];
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
    // A second finance admin: the checker of the first one's batch.
    await world.core.client.createAdmin({
      username: 'finance2',
      displayName: '财务二',
      role: 'finance',
      department: null,
      password: 'second-finance-2026',
      totp: false,
    });
    secondFinance = await adminToken(world, 'finance2', 'second-finance-2026');
    for (const n of [1, 2]) {
      const personNo = `S${process.pid}${Date.now().toString(36)}${n}`.slice(0, 32);
      const card = await world.core.client.openCard({ personNo, name: `补助${n}`, type: 'student' });
      people.push({ personNo, cardNo: card.cardNo });
    }
    await seedAdminDemo(world.core.client);
  });
  after(() => world.stop());

  const csv = () =>
    [
      '学号,金额,备注',
      `${people[0]?.personNo},6000.00,困难补助`,
      `${people[1]?.personNo},6000.50,困难补助`,
      'NOBODY-HERE,10,无此人',
      `${people[0]?.personNo},1,重复`,
    ].join('\r\n');

  test('when finance previews a CSV list, then each bad row has its error and nothing is stored', async () => {
    const reply = await world.request<Batch & { rowCount: number }>(
      'POST',
      `${api}/subsidy-batches/preview`,
      {
        token: tokens.finance,
        body: { source: { csv: csv() } },
      },
    );
    assert.equal(reply.status, 200, JSON.stringify(reply.body));
    assert.equal(reply.body.validCount, 2);
    assert.deepEqual(
      reply.body.rows.map((r) => r.error),
      [null, null, 'UNKNOWN_PERSON', 'DUPLICATE_ROW'],
    );
    assert.equal(reply.body.totalAmount, 1_200_050);
    const list = await world.request<{ items: Batch[] }>('GET', `${api}/subsidy-batches`, {
      token: tokens.finance,
    });
    assert.equal(list.body.items.length, 0);
  });

  test('when finance previews a list of 20,000 rows (over a megabyte), then it passes the import body limits and every row is read; a body past the limit is refused and other routes keep the small limit', async () => {
    // Goal: a whole year group imports in one file; only the import routes take large bodies.
    const rows = Array.from(
      { length: 20_000 },
      (_, i) => `NOBODY-${String(i).padStart(6, '0')},12.50,学期餐费补助（按学院名单发放）`,
    );
    const big = ['学号,金额,备注', ...rows].join('\r\n');
    assert.ok(Buffer.byteLength(big) > 1024 * 1024);
    const reply = await world.request<Batch & { rowCount: number }>(
      'POST',
      `${api}/subsidy-batches/preview`,
      {
        token: tokens.finance,
        body: { source: { csv: big } },
      },
    );
    assert.equal(reply.status, 200, JSON.stringify(reply.body).slice(0, 300));
    assert.equal(reply.body.rows.length, 20_000);
    assert.ok(reply.body.rows.every((r) => r.error === 'UNKNOWN_PERSON'));

    const tooBig = await world.request('POST', `${api}/subsidy-batches/preview`, {
      token: tokens.finance,
      body: { source: { csv: `${big}\r\n${'x'.repeat(6 * 1024 * 1024)}` } },
    });
    assert.equal(tooBig.status, 413);
    assert.equal(tooBig.body.code, 'PAYLOAD_TOO_LARGE');
    const elsewhere = await world.request('POST', `${api}/adjustments`, {
      token: tokens.finance,
      body: {
        requestId: 'large-body-1',
        cardNo: '12345678',
        wallet: 'main',
        amount: 1,
        reason: 'x'.repeat(100 * 1024),
      },
    });
    assert.equal(elsewhere.status, 413);
  });

  test('when finance makes a batch above the threshold, then the maker and a counter operator cannot approve it, a second finance admin does, posting pays each valid row once and the audit names each step', async () => {
    const created = await world.request<Batch>('POST', `${api}/subsidy-batches`, {
      token: tokens.finance,
      body: { title: '2026 秋季困难补助', source: { csv: csv() } },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const id = created.body.id;
    assert.equal(created.body.status, 'draft');
    assert.equal(created.body.errorCount, 2);

    // Above 10,000 yuan, posting a draft needs approval first.
    const early = await world.request('POST', `${api}/subsidy-batches/${id}/post`, {
      token: tokens.finance,
      body: {},
    });
    assert.equal(early.status, 409);
    assert.equal(early.body.code, 'APPROVAL_REQUIRED');

    const counter = await world.request('POST', `${api}/subsidy-batches/${id}/approve`, {
      token: tokens.card_operator,
      body: {},
    });
    assert.equal(counter.status, 403);
    assert.equal(counter.body.code, 'FORBIDDEN');
    const maker = await world.request('POST', `${api}/subsidy-batches/${id}/approve`, {
      token: tokens.finance,
      body: {},
    });
    assert.equal(maker.status, 409);
    assert.equal(maker.body.code, 'MAKER_CANNOT_CHECK');

    const approved = await world.request<Batch>('POST', `${api}/subsidy-batches/${id}/approve`, {
      token: secondFinance,
      body: {},
    });
    assert.equal(approved.status, 200, JSON.stringify(approved.body));
    assert.equal(approved.body.status, 'approved');

    const posting = await world.request<Batch>('POST', `${api}/subsidy-batches/${id}/post`, {
      token: tokens.finance,
      body: {},
    });
    assert.equal(posting.status, 202, JSON.stringify(posting.body));
    let batch = posting.body;
    for (let i = 0; i < 100 && batch.status !== 'posted'; i++) {
      await sleep(50);
      batch = (await world.request<Batch>('GET', `${api}/subsidy-batches/${id}`, { token: tokens.auditor }))
        .body;
    }
    assert.equal(batch.status, 'posted');
    assert.deepEqual(batch.progress, { done: 2, total: 2 });
    const balances = await Promise.all(people.map((p) => world.core.client.getCard(p.cardNo)));
    assert.deepEqual(
      balances.map((c) => c.balance.subsidy),
      [600_000, 600_050],
    );

    // Posting again answers the posted batch and pays nobody twice.
    const again = await world.request<Batch>('POST', `${api}/subsidy-batches/${id}/post`, {
      token: tokens.finance,
      body: {},
    });
    assert.equal(again.body.status, 'posted');
    assert.equal((await world.core.client.getCard(people[0]?.cardNo ?? '')).balance.subsidy, 600_000);

    const errors = await world.request<Batch>('GET', `${api}/subsidy-batches/${id}?errorsOnly=true`, {
      token: tokens.finance,
    });
    assert.deepEqual(
      errors.body.rows.map((r) => r.rowNo),
      [3, 4],
    );

    const audit = await world.core.client.searchAudit({ targetId: id, limit: 10 });
    assert.deepEqual(audit.items.map((e) => `${e.action} ${(e.detail as { by: string }).by}`).reverse(), [
      'subsidy.create finance',
      'subsidy.approve finance2',
      'subsidy.post finance',
      'subsidy.post finance',
    ]);
  });

  test('when an auditor asks for a term-end clearing, then it is refused; when finance asks, then every subsidy wallet is emptied and the progress says so', async () => {
    const refused = await world.request('POST', `${api}/subsidy-clearings`, {
      token: tokens.auditor,
      body: { reason: '学期末清零' },
    });
    assert.equal(refused.status, 403);
    const started = await world.request<{ id: string; status: string }>('POST', `${api}/subsidy-clearings`, {
      token: tokens.finance,
      body: { reason: '2026 秋季学期末补助清零' },
    });
    assert.equal(started.status, 202, JSON.stringify(started.body));
    let clearing = started.body as {
      id: string;
      status: string;
      clearedCount?: number;
      clearedAmount?: number;
    };
    for (let i = 0; i < 100 && clearing.status !== 'done'; i++) {
      await sleep(50);
      clearing = (
        await world.request<typeof clearing>('GET', `${api}/subsidy-clearings/${clearing.id}`, {
          token: tokens.finance,
        })
      ).body;
    }
    assert.equal(clearing.status, 'done');
    assert.equal(clearing.clearedCount, 2);
    assert.equal(clearing.clearedAmount, 1_200_050);
    for (const p of people) assert.equal((await world.core.client.getCard(p.cardNo)).balance.subsidy, 0);
  });

  test('when finance asks for reports, then JSON and a CSV export answer and the export is audited; a device admin is refused', async () => {
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const json = await world.request<{ items: { channel: string }[] }>(
      'GET',
      `${api}/reports/top-up-channels?from=${today}&to=${today}`,
      { token: tokens.finance },
    );
    assert.equal(json.status, 200, JSON.stringify(json.body));
    assert.deepEqual(json.body.items.map((i) => i.channel).sort(), ['alipay', 'bank', 'cash', 'wechat']);

    const response = await fetch(
      `${world.bff.url}${api}/reports/turnover-daily?from=${today}&to=${today}&format=csv`,
      {
        headers: { authorization: `Bearer ${tokens.finance}` },
      },
    );
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    assert.match(response.headers.get('content-disposition') ?? '', /turnover-daily/);
    const text = Buffer.from(await response.arrayBuffer()).toString('utf8');
    assert.ok(text.startsWith('\uFEFF'), 'the BOM Excel needs');
    assert.match(text, new RegExp(today));

    const audit = await world.core.client.searchAudit({ action: 'report.export', limit: 5 });
    assert.equal(audit.items.length, 1);
    assert.equal(audit.items[0]?.targetId, 'turnover/daily');

    const refused = await world.request('GET', `${api}/reports/peak-hours?from=${today}&to=${today}`, {
      token: tokens.device_admin,
    });
    assert.equal(refused.status, 403);
    const badRange = await world.request('GET', `${api}/reports/peak-hours?from=${today}`, {
      token: tokens.finance,
    });
    assert.equal(badRange.status, 400);
  });

  test('when finance starts a sync run, then it is refused; when the counter does on a core without sources, then SYNC_NOT_CONFIGURED is passed on and nothing is audited', async () => {
    const refused = await world.request('POST', `${api}/sync/runs`, {
      token: tokens.finance,
      body: { kind: 'incremental' },
    });
    assert.equal(refused.status, 403);
    const notConfigured = await world.request('POST', `${api}/sync/runs`, {
      token: tokens.card_operator,
      body: { kind: 'full' },
    });
    assert.equal(notConfigured.status, 409);
    assert.equal(notConfigured.body.code, 'SYNC_NOT_CONFIGURED');
    const audit = await world.core.client.searchAudit({ action: 'sync.start', limit: 5 });
    assert.equal(audit.items.length, 0);
  });
});
