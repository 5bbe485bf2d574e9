import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkTopUpAmount, topUpLimitsFallback, usablePresets } from '../src/lib/top-up.ts';
import { appendPage, signedAmount, transactionTitle } from '../src/lib/transactions.ts';
import type { Transaction } from '../src/services/types.ts';
import { createTokenStore, forgetEverything } from '../src/stores/session.ts';
import { memoryStorage, storageKeys } from '../src/stores/storage.ts';
import { strings } from '../src/strings.ts';

const payment: Transaction = {
  id: 'p1',
  kind: 'payment',
  amount: -1250,
  merchantName: '一食堂',
  createdAtMs: 0,
};
const topUp: Transaction = { id: 't1', kind: 'top_up', amount: 5000, createdAtMs: 0 };

describe('top-up amounts', () => {
  test('when an amount is outside the limits or missing, then the page says the range; inside, it passes', () => {
    const limits = { minAmount: 1_000, maxAmount: 20_000, presets: [500, 1_000, 20_000, 50_000] };
    assert.equal(checkTopUpAmount(undefined, limits), strings.topUp.range('¥10.00', '¥200.00'));
    assert.equal(checkTopUpAmount(999, limits), strings.topUp.range('¥10.00', '¥200.00'));
    assert.equal(checkTopUpAmount(20_001, limits), strings.topUp.range('¥10.00', '¥200.00'));
    assert.equal(checkTopUpAmount(1_000, limits), undefined);
    assert.equal(checkTopUpAmount(20_000, limits), undefined);
    assert.deepEqual(usablePresets(limits), [1_000, 20_000]);
    assert.deepEqual(usablePresets(topUpLimitsFallback), [...topUpLimitsFallback.presets]);
  });
});

describe('bill rows', () => {
  test('when a row is money out or in, then the sign and the colour follow, and the title falls back to the kind', () => {
    assert.deepEqual(signedAmount(payment), { text: '-¥12.50', incoming: false });
    assert.deepEqual(signedAmount(topUp), { text: '+¥50.00', incoming: true });
    assert.equal(transactionTitle(payment), '一食堂');
    assert.equal(transactionTitle(topUp), strings.bills.kind.top_up);
  });

  test('when the next page repeats rows already shown, then they are not shown twice', () => {
    const rows = appendPage([payment, topUp], [topUp, { ...payment, id: 'p2' }]);
    assert.deepEqual(
      rows.map((row) => row.id),
      ['p1', 't1', 'p2'],
    );
  });
});

describe('session storage', () => {
  test('when tokens are saved, then a restarted app reads them back; a damaged entry counts as logged out', () => {
    const storage = memoryStorage();
    const tokens = createTokenStore(storage);
    tokens.set({ accessToken: 'a', refreshToken: 'r' });
    assert.deepEqual(createTokenStore(storage).get(), { accessToken: 'a', refreshToken: 'r' });
    storage.set(storageKeys.session, '{not json');
    assert.equal(tokens.get(), undefined);
  });

  test('when the person unbinds, then the phone key, certificate, card and session are all gone', () => {
    const storage = memoryStorage(Object.fromEntries(Object.values(storageKeys).map((key) => [key, 'x'])));
    storage.set('other.app.key', 'kept');
    forgetEverything(storage);
    assert.deepEqual([...storage.entries.keys()], ['other.app.key']);
  });
});
