import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  type CardCredential,
  createCampusKeyring,
  createCampusSigningKey,
  createMemoryReplayGuard,
  createVerifier,
  fromHex,
  issueCertificate,
  webCryptoRandom,
} from '@campus-card/core/credential';
import { createApiClient, type HttpRequest } from '../src/services/request.ts';
import { createCredentialStore } from '../src/stores/credential.ts';
import { memoryStorage, storageKeys } from '../src/stores/storage.ts';

const hourMs = 3_600_000;

/** A BFF that signs certificates with a real campus key; `online` false makes every call fail like no network. */
async function fakeIssuer(card: { value: CardCredential }, serverNow: () => number) {
  const campusKey = await createCampusSigningKey(7, webCryptoRandom);
  const state = { online: true, requests: [] as HttpRequest[] };
  const transport = async (request: HttpRequest) => {
    state.requests.push(request);
    if (!state.online) throw new Error('request:fail');
    const publicKey = fromHex((request.body as { publicKey: string }).publicKey);
    assert.ok(publicKey);
    const certificate = issueCertificate(campusKey, {
      card: card.value,
      phonePublicKey: publicKey,
      validFromMs: serverNow(),
    });
    return {
      status: 200,
      body: {
        certificate: Buffer.from(certificate).toString('hex'),
        validUntilMs: Math.floor(serverNow() / 1000) * 1000 + 7 * 24 * hourMs,
        serverTimeMs: serverNow(),
      },
    };
  };
  const verifier = (now: () => number) =>
    createVerifier({
      keyring: createCampusKeyring([{ kid: 7, publicKey: campusKey.publicKey }]),
      replayGuard: createMemoryReplayGuard(),
      now,
    });
  return { state, transport, verifier };
}

function tokens() {
  return { get: () => ({ accessToken: 'a', refreshToken: 'r' }), set: () => {} };
}

describe('credential store (the phone side in the app)', () => {
  test('when synced once, then codes made offline verify, and only the public key ever left the phone', async () => {
    // Goal: the card page works with no network from the cached certificate; the secret stays in storage.
    const serverMs = Date.UTC(2026, 2, 14, 4, 0, 0);
    const card = { value: { cardNo: '2024000137', personType: 'student', cardVersion: 3 } as CardCredential };
    const issuer = await fakeIssuer(card, () => serverMs);
    const storage = memoryStorage();
    const api = createApiClient({ baseUrl: '', transport: issuer.transport, tokens: tokens() });
    const store = createCredentialStore({ storage, api, random: webCryptoRandom, nowMs: () => serverMs });

    assert.equal(await store.sync(), 'renewed');
    issuer.state.online = false;
    assert.equal(await store.sync(true), 'offline');

    const verifier = issuer.verifier(() => serverMs + 5_000);
    const first = store.nextCode();
    const second = store.nextCode();
    assert.ok(first && second);
    assert.notEqual(first.text, second.text, 'each code carries a new counter');
    for (const code of [first, second]) {
      const result = await verifier.verify(code.text);
      assert.equal(result.ok, true, JSON.stringify(result));
    }
    const sentBody = JSON.stringify(issuer.state.requests.map((request) => request.body));
    const secret = storage.get(storageKeys.phoneSecret);
    assert.ok(secret && secret.length === 64);
    assert.ok(!sentBody.includes(secret), 'the secret key must never be sent');
    assert.deepEqual(Object.keys(issuer.state.requests[0]?.body as object), ['publicKey']);
  });

  test('when the phone clock is 5 minutes behind, then codes carry server time and still verify', async () => {
    // Goal: docs/credential.md — the app corrects its clock by the offset learned at each sync.
    const serverMs = Date.UTC(2026, 2, 14, 4, 0, 0);
    const phoneMs = serverMs - 5 * 60_000;
    const card = { value: { cardNo: '2024000137', personType: 'student', cardVersion: 1 } as CardCredential };
    const issuer = await fakeIssuer(card, () => serverMs);
    const api = createApiClient({ baseUrl: '', transport: issuer.transport, tokens: tokens() });
    const store = createCredentialStore({
      storage: memoryStorage(),
      api,
      random: webCryptoRandom,
      nowMs: () => phoneMs,
    });
    await store.sync();
    const code = store.nextCode();
    assert.ok(code);
    assert.equal(code.madeAtMs, serverMs);
    assert.equal((await issuer.verifier(() => serverMs).verify(code.text)).ok, true);
  });

  test('when the certificate has run out, then no code is made and the page must renew online', async () => {
    let nowMs = Date.UTC(2026, 2, 14, 4, 0, 0);
    const card = { value: { cardNo: '2024000137', personType: 'student', cardVersion: 1 } as CardCredential };
    const issuer = await fakeIssuer(card, () => nowMs);
    const api = createApiClient({ baseUrl: '', transport: issuer.transport, tokens: tokens() });
    const store = createCredentialStore({
      storage: memoryStorage(),
      api,
      random: webCryptoRandom,
      nowMs: () => nowMs,
    });
    await store.sync();
    nowMs += 7 * 24 * hourMs;
    assert.equal(store.canMakeCodes(), false);
    assert.equal(store.nextCode(), undefined);
  });

  test('when the card version went up, then sync asks for a new certificate; when nothing changed, it does not', async () => {
    // Goal: after a loss is cancelled (version bump) the phone stops showing codes every verifier refuses.
    const nowMs = Date.UTC(2026, 2, 14, 4, 0, 0);
    const card = { value: { cardNo: '2024000137', personType: 'student', cardVersion: 1 } as CardCredential };
    const issuer = await fakeIssuer(card, () => nowMs);
    const api = createApiClient({ baseUrl: '', transport: issuer.transport, tokens: tokens() });
    const store = createCredentialStore({
      storage: memoryStorage(),
      api,
      random: webCryptoRandom,
      nowMs: () => nowMs,
    });
    await store.sync();
    assert.equal(await store.sync(false, { cardNo: '2024000137', version: 1 }), 'fresh');
    card.value = { ...card.value, cardVersion: 2 };
    assert.equal(await store.sync(false, { cardNo: '2024000137', version: 2 }), 'renewed');
    assert.equal(issuer.state.requests.length, 2);
    const verifier = createVerifier({
      keyring: { get: () => undefined },
      replayGuard: createMemoryReplayGuard(),
    });
    // A keyring without the campus key refuses: the pass above is the real key, not a lenient verifier.
    const code = store.nextCode();
    assert.ok(code);
    assert.equal((await verifier.verify(code.text)).ok, false);
  });

  test('when the app restarts, then the same key pair and the saved counter are used', async () => {
    // Goal: a restart neither makes a new key (the certificate would no longer match) nor repeats counters.
    const nowMs = Date.UTC(2026, 2, 14, 4, 0, 0);
    const card = { value: { cardNo: '2024000137', personType: 'student', cardVersion: 1 } as CardCredential };
    const issuer = await fakeIssuer(card, () => nowMs);
    const storage = memoryStorage();
    const api = createApiClient({ baseUrl: '', transport: issuer.transport, tokens: tokens() });
    const before = createCredentialStore({ storage, api, random: webCryptoRandom, nowMs: () => nowMs });
    await before.sync();
    before.nextCode();
    const counterAfterFirst = Number(storage.get(storageKeys.codeCounter));
    const after = createCredentialStore({ storage, api, random: webCryptoRandom, nowMs: () => nowMs });
    const code = after.nextCode();
    assert.ok(code);
    assert.equal(Number(storage.get(storageKeys.codeCounter)), (counterAfterFirst + 1) & 0xffff);
    assert.equal((await issuer.verifier(() => nowMs).verify(code.text)).ok, true);
  });
});
