import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CardsClient, CoreClient, LedgerClient } from './index.ts';

// Built without reaching a core: undici's pool connects on the first request only.
test('CoreClient composes one client per domain: every domain method once, flat, on the shared transport', async () => {
  const core = new CoreClient({ url: 'http://127.0.0.1:9', keyId: 'k', secret: 's' });
  try {
    const seen = new Map<string, string>();
    for (const [domain, client] of Object.entries(core.domains)) {
      const names = Object.getOwnPropertyNames(Object.getPrototypeOf(client)).filter(
        (n) => n !== 'constructor',
      );
      assert.ok(names.length > 0, `${domain} has methods`);
      for (const name of names) {
        assert.equal(seen.get(name), undefined, `${name} is declared by ${seen.get(name)} and ${domain}`);
        seen.set(name, domain);
        assert.equal(typeof (core as unknown as Record<string, unknown>)[name], 'function', name);
      }
    }
    // The methods every consumer reaches through the flat surface are still there.
    for (const name of ['pay', 'getCard', 'devices', 'report', 'createAdmin', 'subsidyBatch', 'bind']) {
      assert.ok(seen.has(name), name);
    }
    assert.ok(core.domains.cards instanceof CardsClient);
    assert.ok(core.domains.ledger instanceof LedgerClient);
    assert.equal(seen.get('pay'), 'ledger');
    assert.equal(seen.get('getCard'), 'cards');
  } finally {
    await core.close();
  }
});
