import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import ExcelJS from 'exceljs';
import { type Admins, openCard, signedInAdmins } from './admin-support.ts';
import { startWorld, type TestWorld } from './support.ts';

const api = '/api/admin/v1';
const shanghaiDay = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);

interface MerchantRow {
  id: string;
  name: string;
  category: string;
  feeRateBp: number;
  status: string;
}
interface StatementReply {
  merchantId: string;
  day: string;
  paymentCount: number;
  paymentAmount: number;
  feeAmount: number;
  netAmount: number;
  journalNetAmount: number;
  reconciled: boolean;
  settled: boolean;
}

describe('admin merchants, settlement and top-up reconciliation', () => {
  let world: TestWorld;
  let tokens: Admins;
  before(async () => {
    world = await startWorld();
    tokens = await signedInAdmins(world);
  });
  after(() => world.stop());

  const download = async (path: string, token: string) => {
    const response = await fetch(`${world.bff.url}${api}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/csv/);
    const bytes = Buffer.from(await response.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 byte-order mark for Excel');
    return {
      text: bytes.subarray(3).toString('utf8'),
      disposition: response.headers.get('content-disposition'),
    };
  };
  const auditActions = async (targetId: string) =>
    (await world.core.client.searchAudit({ targetId, limit: 20 })).items.map((r) => r.action);

  test('when finance creates a merchant, it is listed with its fee rate; disabling it is audited once; the card operator and the auditor may not create or disable', async () => {
    const created = await world.request<MerchantRow>('POST', `${api}/merchants`, {
      token: tokens.finance,
      body: { id: 'M-ADM-1', name: '第二食堂', category: 'canteen', feeRateBp: 60 },
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const list = await world.request<{ items: MerchantRow[] }>('GET', `${api}/merchants`, {
      token: tokens.auditor,
    });
    assert.deepEqual(
      list.body.items.find((m) => m.id === 'M-ADM-1'),
      {
        id: 'M-ADM-1',
        name: '第二食堂',
        category: 'canteen',
        feeRateBp: 60,
        status: 'active',
        campusId: null,
      },
    );
    for (const role of ['card_operator', 'auditor'] as const) {
      const refused = await world.request('POST', `${api}/merchants/M-ADM-1/status`, {
        token: tokens[role],
        body: { status: 'disabled' },
      });
      assert.equal(refused.status, 403);
      assert.equal(
        (
          await world.request('POST', `${api}/merchants`, {
            token: tokens[role],
            body: { name: '小卖部', category: 'shop' },
          })
        ).status,
        403,
      );
    }
    const disabled = await world.request<MerchantRow & { changed: boolean }>(
      'POST',
      `${api}/merchants/M-ADM-1/status`,
      { token: tokens.finance, body: { status: 'disabled' } },
    );
    assert.equal(disabled.body.status, 'disabled');
    assert.equal(disabled.body.changed, true);
    const again = await world.request<{ changed: boolean }>('POST', `${api}/merchants/M-ADM-1/status`, {
      token: tokens.finance,
      body: { status: 'disabled' },
    });
    assert.equal(again.body.changed, false);
    assert.equal((await world.core.client.getMerchant('M-ADM-1')).status, 'disabled');
    assert.deepEqual((await auditActions('M-ADM-1')).sort(), ['merchant.create', 'merchant.status']);
  });

  test('when a card pays at a merchant today, then its statement counts the payments, takes the fee and reconciles to the journal; the CSV export is audited; a past day is settled once', async () => {
    const created = await world.request<MerchantRow>('POST', `${api}/merchants`, {
      token: tokens.super_admin,
      body: { id: 'M-ADM-2', name: '学苑超市', category: 'shop', feeRateBp: 100 },
    });
    assert.equal(created.status, 201);
    const cardNo = await openCard(world, '计算机学院');
    const core = world.core.client;
    await core.topUp({ id: randomUUID(), cardNo, amount: 10_000, channel: 'wechat' });
    await core.pay({ id: randomUUID(), cardNo, merchantId: 'M-ADM-2', amount: 1_250 });
    await core.pay({ id: randomUUID(), cardNo, merchantId: 'M-ADM-2', amount: 2_750 });
    const today = shanghaiDay(Date.now());

    const statement = await world.request<StatementReply>(
      'GET',
      `${api}/merchants/M-ADM-2/statements/${today}`,
      {
        token: tokens.finance,
      },
    );
    assert.equal(statement.status, 200, JSON.stringify(statement.body));
    assert.equal(statement.body.paymentCount, 2);
    assert.equal(statement.body.paymentAmount, 4_000);
    assert.equal(statement.body.feeAmount, 40);
    assert.equal(statement.body.netAmount, 3_960);
    assert.equal(statement.body.journalNetAmount, 4_000);
    assert.equal(statement.body.reconciled, true);

    const file = await download(`/merchants/M-ADM-2/statements/${today}?format=csv`, tokens.auditor);
    assert.match(file.disposition ?? '', /statement-M-ADM-2/);
    const [header, row] = file.text.trim().split('\r\n');
    assert.match(header ?? '', /^商户编号,商户名称,日期,笔数,交易额\(元\)/);
    assert.match(
      row ?? '',
      new RegExp(`^M-ADM-2,学苑超市,${today},2,40\\.00,0,0\\.00,0\\.40,39\\.60,40\\.00,一致,否$`),
    );
    assert.ok((await auditActions('M-ADM-2')).includes('settlement.export'));
    // The same statement as an Excel workbook: amounts are numbers a sheet can sum.
    const xlsx = await fetch(`${world.bff.url}${api}/merchants/M-ADM-2/statements/${today}?format=xlsx`, {
      headers: { authorization: `Bearer ${tokens.auditor}` },
    });
    assert.match(xlsx.headers.get('content-type') ?? '', /spreadsheetml/);
    assert.match(xlsx.headers.get('content-disposition') ?? '', /statement-M-ADM-2-.*\.xlsx/);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    const sheet = workbook.worksheets[0];
    assert.equal(sheet?.getCell('A1').value, '商户编号');
    assert.deepEqual(
      [sheet?.getCell('B2').value, sheet?.getCell('E2').value, sheet?.getCell('I2').value],
      ['学苑超市', 40, 39.6],
    );

    // Today has not ended: the core refuses; yesterday is settled for every merchant, once.
    const early = await world.request('POST', `${api}/settlements/${today}`, {
      token: tokens.finance,
      body: {},
    });
    assert.equal(early.status, 400, JSON.stringify(early.body));
    const yesterday = shanghaiDay(Date.now() - 86_400_000);
    const refused = await world.request('POST', `${api}/settlements/${yesterday}`, {
      token: tokens.auditor,
      body: {},
    });
    assert.equal(refused.status, 403);
    const run = await world.request<{ items: StatementReply[] }>('POST', `${api}/settlements/${yesterday}`, {
      token: tokens.finance,
      body: {},
    });
    assert.equal(run.status, 200, JSON.stringify(run.body));
    const mine = run.body.items.find((s) => s.merchantId === 'M-ADM-2');
    assert.equal(mine?.settled, true);
    assert.equal(mine?.reconciled, true);
    assert.ok(run.body.items.every((s) => s.reconciled));
    const settled = await world.request<StatementReply>(
      'GET',
      `${api}/merchants/M-ADM-2/statements/${yesterday}`,
      {
        token: tokens.finance,
      },
    );
    assert.equal(settled.body.settled, true);
    assert.ok((await auditActions(yesterday)).includes('settlement.run'));
  });

  test('when a WeChat bill has a payment and a refund we never made, then both mismatches are listed with their kinds and exported as CSV; a device admin may not read them', async () => {
    const billDate = '2026-03-02';
    await world.core.client.reconcileTopUps(
      billDate,
      [{ outTradeNo: 'T-UNKNOWN-1', transactionId: '4200000001', state: 'SUCCESS', amount: 5_000 }],
      'wechat',
      [
        {
          outTradeNo: 'T-UNKNOWN-1',
          outRefundNo: 'R-UNKNOWN-1',
          refundId: '5030000001',
          state: 'SUCCESS',
          amount: 1_000,
        },
      ],
    );
    const list = await world.request<{
      items: { outTradeNo: string; outRefundNo: string | null; kind: string; channel: string | null }[];
    }>('GET', `${api}/top-up-mismatches?billDate=${billDate}`, { token: tokens.finance });
    assert.equal(list.status, 200, JSON.stringify(list.body));
    assert.deepEqual(
      list.body.items.map((m) => [m.outTradeNo, m.outRefundNo, m.kind, m.channel]),
      [
        ['T-UNKNOWN-1', null, 'missing_ours', null],
        ['T-UNKNOWN-1', 'R-UNKNOWN-1', 'missing_ours', null],
      ],
    );
    // A channel filter keeps rows of our orders of that channel: a payment we never ordered has none.
    const wechatOnly = await world.request<{ items: unknown[] }>(
      'GET',
      `${api}/top-up-mismatches?billDate=${billDate}&channel=wechat`,
      { token: tokens.finance },
    );
    assert.deepEqual([wechatOnly.status, wechatOnly.body.items], [200, []]);
    const badChannel = await world.request(
      'GET',
      `${api}/top-up-mismatches?billDate=${billDate}&channel=cash`,
      {
        token: tokens.finance,
      },
    );
    assert.equal(badChannel.status, 400);
    const file = await download(`/top-up-mismatches?billDate=${billDate}&format=csv`, tokens.finance);
    const lines = file.text.trim().split('\r\n');
    assert.equal(lines[0], '账单日期,商户订单号,退款单号,渠道,差异类型,我方,支付平台,发现时间(毫秒)');
    assert.match(lines[1] ?? '', /^2026-03-02,T-UNKNOWN-1,,,我方无此订单,,/);
    assert.match(
      lines[2] ?? '',
      /^2026-03-02,T-UNKNOWN-1,R-UNKNOWN-1,,我方无此退款,,SUCCESS 1000 5030000001,/,
    );
    assert.ok((await auditActions(billDate)).includes('reconciliation.export'));
    const refused = await world.request('GET', `${api}/top-up-mismatches?billDate=${billDate}`, {
      token: tokens.device_admin,
    });
    assert.equal(refused.status, 403);
  });
});
