import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type BankStandIn, startBank } from '../../mock/bank/server.ts';
import { boundStudent } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

/**
 * The student's bank 圈存 through the BFF against the core, MariaDB and the bank stand-in: bind with the
 * SMS code, load, auto top-up settings; always the caller's own card, and the full card number never
 * comes back.
 */
describe('bank 圈存 for the signed-in student', () => {
  const secret = 'bff-bank-secret-0123456789abcdef';
  let bank: BankStandIn;
  let world: TestWorld;
  before(async () => {
    bank = await startBank({ secret });
    world = await startWorld(
      {},
      { coreEnv: { BANK_URL: bank.url, BANK_SECRET: secret, BANK_JOB_INTERVAL_MS: '3600000' } },
    );
  });
  after(async () => {
    await world.stop();
    await bank.close();
  });

  test('when a student binds a bank card and loads 50 yuan, then the card is credited once and the page shows it', async () => {
    const student = await boundStudent(world);
    const token = student.accessToken;
    bank.addAccount({
      cardNumber: '6222030000000001',
      name: student.name,
      idNumber: '110101200003031234',
      phone: '13700000001',
      balance: 20_000,
    });
    const wrong = await world.request('POST', '/api/v1/bank/bindings', {
      token,
      body: { bankCardNumber: '6222030000000001', idNumber: '110101200003039999', phone: '13700000001' },
    });
    assert.equal(wrong.status, 422);
    assert.equal(wrong.body.code, 'BANK_BINDING_REFUSED');
    const started = await world.request<{ id: string; masked: string }>('POST', '/api/v1/bank/bindings', {
      token,
      body: { bankCardNumber: '6222030000000001', idNumber: '110101200003031234', phone: '13700000001' },
    });
    assert.equal(started.status, 200, JSON.stringify(started.body));
    assert.equal(started.body.masked, '622203******0001');
    const bound = await world.request('POST', '/api/v1/bank/bindings/confirm', {
      token,
      body: { bindingId: started.body.id, smsCode: bank.smsFor('13700000001') },
    });
    assert.equal(bound.status, 200, JSON.stringify(bound.body));
    const loaded = await world.request<{ status: string }>('POST', '/api/v1/bank/loads', {
      token,
      body: { amount: 5_000, idempotencyKey: 'bff-bank-load-1' },
    });
    assert.equal(loaded.body.status, 'credited');
    await world.request('POST', '/api/v1/bank/loads', {
      token,
      body: { amount: 5_000, idempotencyKey: 'bff-bank-load-1' },
    });
    assert.equal((await world.core.client.getCard(student.cardNo)).balance.main, 5_000);
    assert.equal(bank.accounts.get('6222030000000001')?.balance, 15_000);
    const saved = await world.request('PUT', '/api/v1/bank/auto-top-up', {
      token,
      body: { enabled: true, threshold: 1_000, amount: 2_000, monthlyCap: 1_000 },
    });
    assert.equal(saved.status, 400, 'a cap below one load is refused');
    const ok = await world.request('PUT', '/api/v1/bank/auto-top-up', {
      token,
      body: { enabled: true, threshold: 1_000, amount: 2_000, monthlyCap: 6_000 },
    });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    const page = await world.request<{
      binding: { masked: string };
      autoTopUp: { enabled: boolean };
      transfers: { status: string }[];
    }>('GET', '/api/v1/bank', { token });
    assert.equal(page.body.binding.masked, '622203******0001');
    assert.equal(page.body.autoTopUp.enabled, true);
    assert.deepEqual(
      page.body.transfers.map((t) => t.status),
      ['credited'],
    );
    assert.ok(!JSON.stringify(page.body).includes('6222030000000001'));
    // Another student sees none of it and cannot read the transfer.
    const other = await boundStudent(world);
    const theirs = await world.request<{ binding: unknown; transfers: unknown[] }>('GET', '/api/v1/bank', {
      token: other.accessToken,
    });
    assert.equal(theirs.body.binding, null);
    assert.deepEqual(theirs.body.transfers, []);
    const refused = await world.request('POST', '/api/v1/bank/loads', {
      token: other.accessToken,
      body: { amount: 5_000, idempotencyKey: 'bff-bank-load-2' },
    });
    assert.equal(refused.body.code, 'BANK_NOT_BOUND');
  });
});
