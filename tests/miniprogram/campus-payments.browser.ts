// Fees and dorm electricity in Chromium against the whole system (core, BFF, the meter-system stand-in,
// MariaDB, Redis): a student pays a fee from the card and one by WeChat Pay, and buys electricity for their room in the H5
// build, confirming each amount; the room is credited once and the card charged once, also when the
// meter system's answer is lost (the page shows the money held until the reconciliation ends it); the finance
// office sees the item's collection progress in the backoffice. Needs the H5 build
// (npm run build:h5 -w miniprogram); builds the backoffice once when admin/dist is missing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { signIn } from '../../admin/test/support.ts';
import { rememberTotpSecret } from '../../bff/test/admin-support.ts';
import { repoRoot } from '../../mock/demo/system.ts';
import { bindAs, fenOf, type H5World, openPage, startH5World } from './support.ts';

describe('fees and dorm electricity (H5 and backoffice)', () => {
  let world: H5World;

  before(async () => {
    if (!existsSync(join(repoRoot, 'admin/dist/index.html'))) {
      const built = spawnSync('npm', ['run', 'build', '-w', 'admin'], { cwd: repoRoot, stdio: 'inherit' });
      assert.equal(built.status, 0, 'the backoffice builds');
    }
    world = await startH5World('cc-campus-pay');
  });

  after(async () => {
    await world?.stop();
  });

  test('when a student pays a fee and buys electricity, then both are charged once and finance sees the progress', async () => {
    const { system, core } = world;
    const student = system.identities[0];
    assert.ok(student);
    // Enough on the card, and a PIN: the textbook fee (¥168.00) is above the PIN-free limit.
    await core.topUp({ id: 'campus-pay-fund', cardNo: student.cardNo, amount: 50_000, channel: 'cash' });
    await core.setPin(student.cardNo, '135790', { type: 'admin', id: 'test' });
    // The subsidy wallet pays first, then the main one: the total is what moves.
    const total = async () => {
      const { balance } = await core.getCard(student.cardNo);
      return balance.main + balance.subsidy;
    };
    const before = await total();

    const page = await world.newPage();
    const url = system.web.url;
    await bindAs(page, url, student);
    await openPage(page, url, 'fees', { reload: false });
    const bill = page.locator('#bill-DEMO-TEXTBOOK');
    await bill.locator('.bill-owed', { hasText: '¥168.00' }).waitFor();
    await bill.locator('input.fee-pin').fill('135790');
    await bill.locator('.fee-pay').click();
    await page.getByText('从校园卡为「本学期教材费」缴纳 ¥168.00？').waitFor();
    await page.locator('.taro-model__confirm').click();
    await bill.locator('.fee-done', { hasText: '缴费成功' }).waitFor();
    assert.equal(await total(), before - 16_800);

    // The dorm fee by WeChat Pay (#19): the amount is on the button and in the confirmation, the
    // stand-in's H5 pay page takes it, and the result page follows the fee order until it is paid in.
    const dorm = page.locator('#bill-DEMO-DORM');
    await dorm.locator('.bill-owed', { hasText: '¥1200.00' }).waitFor();
    await dorm.locator('.fee-method-wechat').click();
    await dorm.locator('.fee-pay', { hasText: '微信支付缴纳 ¥1200.00' }).click();
    await page.getByText('用微信支付为「住宿费」缴纳 ¥1200.00？款项直接缴入该费用，不进入校园卡。').waitFor();
    await page.locator('.taro-model__confirm').click();
    await page.waitForURL(/\/pay\/h5/);
    const returnUrl = new URL(page.url()).searchParams.get('return_url') ?? '';
    assert.ok(returnUrl.startsWith(`${url}/#/pages/top-up-result/index?id=`), returnUrl);
    await page.locator('#pay').click();
    await page.waitForURL((to) => to.origin === url, { timeout: 5_000 });
    await page.locator('#top-up-state', { hasText: '缴费成功' }).waitFor({ timeout: 20_000 });
    assert.match((await page.locator('#fee-receipt').textContent()) ?? '', /^R[0-9A-Z]{26}$/);
    assert.equal(await total(), before - 16_800, 'a platform payment does not touch the card');
    await page.locator('#back-to-fees').click();
    await page.locator('#bill-DEMO-DORM .bill-owed', { hasText: '¥0.00' }).waitFor();

    await openPage(page, url, 'electricity');
    // The student's room is chosen: 七号楼 301, low on electricity in the demo.
    await page.locator('#room-balance', { hasText: '5.30 度' }).waitFor();
    await page.locator('#preset-2000').click();
    await page.locator('#pay').click();
    await page.getByText('从校园卡为 七号楼 301 购电 ¥20.00？').waitFor();
    await page.locator('.taro-model__confirm').click();
    await page.locator('#outcome', { hasText: '购电成功' }).waitFor();
    await page.locator('#room-balance', { hasText: '38.63 度' }).waitFor();
    const credited = [...system.meter.credits.values()];
    assert.deepEqual(credited, [1], 'the room credited once');
    assert.equal(await total(), before - 16_800 - 2_000);

    // The meter system credits the next one and its answer is lost: the page says the money is held,
    // follows the order, and the reconciliation job ends it credited — once.
    system.meter.setFaults({ timeoutAfterCredit: 1 });
    await page.locator('#preset-1000').click();
    await page.locator('#pay').click();
    await page.getByText('从校园卡为 七号楼 301 购电 ¥10.00？').waitFor();
    await page.locator('.taro-model__confirm').click();
    await page.locator('#outcome', { hasText: '款项已冻结' }).waitFor({ timeout: 30_000 });
    await page.locator('#outcome', { hasText: '购电成功' }).waitFor({ timeout: 60_000 });
    assert.deepEqual([...system.meter.credits.values()], [1, 1], 'each order credited once');
    assert.equal(await total(), before - 16_800 - 3_000);
    assert.equal(fenOf('¥20.00'), 2_000);

    // The finance office sees the item's progress: one of twenty paid.
    const finance = system.admins.find((a) => a.username === 'finance');
    if (finance?.totpSecret) rememberTotpSecret(url, 'finance', finance.totpSecret);
    const office = await signIn(
      await world.newPage({ viewport: { width: 1400, height: 900 } }),
      system.web,
      'finance',
      {
        password: finance?.password ?? '',
        hash: '#/payments',
      },
    );
    const row = office.getByTestId('fee-items').getByRole('row').filter({ hasText: '本学期教材费' });
    await row.getByText('¥168.00').first().waitFor();
    await office.getByTestId('fee-progress-chart').waitFor();
    const cells = await row.locator('td').allTextContents();
    assert.equal(cells[5], '1', 'one bill paid');
    await office.getByRole('tab', { name: '电费订单' }).click();
    await office.getByTestId('electricity-orders').getByText('已完成').first().waitFor();
    assert.deepEqual(world.pageErrors, []);
  });
});
