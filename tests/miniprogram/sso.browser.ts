// Campus single sign-on in the H5 build, in real Chromium against the whole running system
// (mock/demo/system.ts: the core, the BFF and the demo's OIDC stand-in of mock/sso as the campus
// 统一身份认证, on MariaDB and Redis). A student taps 统一身份认证登录, signs in at the provider's own
// page with their 学号 and lands on the card page bound to their own card, never asked the ID-number
// tail; no login code or token stays in the address. The BFF's side of both protocols (CAS and OIDC,
// refusals, replays) is bff/test/sso.test.ts; the backoffice's button is admin/test/sign-in-security.test.ts.
// Run by `npm run test:browser -w miniprogram` after the H5 build (it serves miniprogram/dist/h5).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { type H5World, startH5World } from './support.ts';

describe('campus single sign-on in the H5 app (OIDC stand-in, Chromium)', () => {
  let world: H5World;

  before(async () => {
    world = await startH5World('cc-sso');
  });

  after(async () => {
    await world?.stop();
  });

  test('when a student taps 统一身份认证登录 and signs in at the campus provider, then the card page shows their own card, with no binding step and nothing left in the address', async () => {
    const { system } = world;
    const student = system.identities[4];
    assert.ok(student);
    const page = await world.newPage();
    await page.goto(system.web.url);
    const button = page.locator('#sso-campus');
    await button.waitFor();
    assert.match((await button.textContent()) ?? '', /统一身份认证/);
    await button.click();

    // The provider's own sign-in page (the stand-in's form: 学工号 and 密码, the password being the 学号).
    await page.waitForURL((url) => url.href.startsWith(system.sso.issuer));
    await page.locator('input[name="username"]').fill(student.personNo);
    await page.locator('input[name="password"]').fill(student.personNo);
    await page.getByRole('button', { name: '登录' }).click();

    await page.waitForURL((url) => url.href.startsWith(system.web.url) && url.hash.includes('pages/home'), {
      timeout: 60_000,
    });
    await page.locator('#card-name').filter({ hasText: student.name }).waitFor({ timeout: 30_000 });
    assert.match((await page.locator('#card-number').textContent()) ?? '', /\d{6,}/);
    const address = page.url();
    assert.doesNotMatch(address, /sso_code=|code=|access_token|id_token/, address);
    assert.deepEqual(world.pageErrors, []);
    await page.context().close();
  });
});
