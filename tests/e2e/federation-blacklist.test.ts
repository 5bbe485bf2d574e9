// A card lost at its centre reaches the other centres' devices (docs/federation.md § Blacklists, protocol
// § 7.29): centres A and B, each a core on its own MariaDB database and a gateway over real TCP, and a
// simulated till at each (mock/devices, which verifies codes offline as a vendor's firmware would). A card of
// A reported lost at A is put on A's list; B's gateway follows that list over the federation link and pushes
// it to B's till as A's list, so the till refuses the card offline, and B's gateway refuses it online.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { RunningGateway } from '../../device-gateway/src/server.ts';
import { offlineOn, phoneFor, startGatewayFor } from '../../device-gateway/test/support.ts';
import { PosTerminal } from '../../mock/devices/pos.ts';
import { type FederatedCentre, type Federation, startFederation } from '../kit/federation.ts';
import { openStudent, opId } from '../kit/index.ts';

/** A phone of A's card, its certificate signed by A's campus key. */
const phoneOf = (core: FederatedCentre, cardNo: string) =>
  phoneFor(core.client, cardNo, { key: core.campusKey });

/** Polls until `check` holds; the machine is shared and loaded, so the wait is generous. */
async function until(check: () => boolean, what: string, timeoutMs = 60_000): Promise<number> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return Date.now() - start;
}

describe("federation: a card lost at centre A is refused by centre B's devices", () => {
  let federation: Federation;
  let a: FederatedCentre;
  let b: FederatedCentre;
  let gatewayA: RunningGateway;
  let gatewayB: RunningGateway;
  let tillA: PosTerminal;
  let tillB: PosTerminal;

  before(async () => {
    federation = await startFederation([
      // A lets the other centres take its cards offline up to 10.00 a payment, 50.00 a card and day.
      {
        id: 'CA',
        name: '甲大学',
        env: { FEDERATION_OFFLINE_PAYMENT_MAX_FEN: '1000', FEDERATION_OFFLINE_CARD_CAP_FEN: '5000' },
      },
      { id: 'CB', name: '乙大学' },
    ]);
    a = federation.get('CA');
    b = federation.get('CB');
    await b.core.federation.forwards.refreshPolicies();
    // Each gateway trusts its own centre's key as its own and the other's from the trust list.
    gatewayA = await startGatewayFor(a, {}, { CAMPUS_KEYS: a.campusKeysEnv });
    gatewayB = await startGatewayFor(
      b,
      {},
      {
        CAMPUS_KEYS: b.campusKeysEnv,
        FEDERATION_KEYS_POLL_INTERVAL_MS: '200',
        FEDERATION_BLACKLIST_POLL_INTERVAL_MS: '500',
      },
    );
    const tillOf = async (core: FederatedCentre, gateway: RunningGateway, id: string) => {
      const merchantId = (await core.client.createMerchant({ name: `食堂${id}`, category: 'canteen' })).id;
      const registered = await core.client.registerDevice({ id, kind: 'pos', merchantId });
      await core.client.putDeviceConfig(id, { paymentMaxFen: 50_000, offline: offlineOn });
      return PosTerminal.connect({
        port: gateway.port,
        deviceId: Number(id),
        key: new Uint8Array(Buffer.from(registered.keyHex, 'hex')),
      });
    };
    tillA = await tillOf(a, gatewayA, '9201');
    tillB = await tillOf(b, gatewayB, '9202');
  });

  after(async () => {
    tillA?.close();
    tillB?.close();
    await gatewayB?.close();
    await gatewayA?.close();
    await federation?.stop();
  });

  test("when B's till signs in, then it is told centre A, A's key, the version of A's list and A's offline policy, and holds that list", async () => {
    await until(
      () => tillB.centres.get('CA')?.keys.some((k) => k.kid === a.kid) === true,
      "A's key at B's till",
    );
    await until(
      () => tillB.centres.get('CA')?.version === gatewayB.centres.centreKeys().centres[0]?.blacklistVersion,
      "A's list at B's till",
    );
    // And A's offline policy for A's cards at B's devices, as B read it over the link.
    await until(
      () => tillB.centrePolicies.get('CA')?.paymentMaxFen === 1_000,
      "A's offline policy at B's till",
    );
    assert.deepEqual(tillB.centrePolicies.get('CA'), { paymentMaxFen: 1_000, cardDailyMaxFen: 5_000 });
    // B's till knows no other centre, and its own keys are B's.
    assert.deepEqual([...tillB.centres.keys()], ['CA']);
    assert.ok(!tillB.config?.campusKeys.some((k) => k.kid === a.kid));
  });

  test("when A's student reports the card lost at A, then B's till holds it on A's list, refuses it offline, and B refuses it online; another card of A still pays offline", async () => {
    const lost = await openStudent(a.client);
    const kept = await openStudent(a.client);
    for (const cardNo of [lost, kept])
      await a.client.topUp({ id: opId(), cardNo, amount: 5_000, channel: 'cash' });
    const lostPhone = await phoneOf(a, lost);
    const keptPhone = await phoneOf(a, kept);
    // Before the report: A's card pays at B's till online, authorised at A.
    const before = await tillB.pay(lostPhone.code(), 100);
    assert.equal(before.kind, 'pay_approved');

    await a.client.changeCard(lost, 'report_loss', { type: 'admin', id: 'admin-a' });
    const [atA, atB] = await Promise.all([
      until(() => tillA.blacklist.get(lost)?.reason === 'lost', "the loss at A's till"),
      until(() => tillB.centres.get('CA')?.list.get(lost)?.reason === 'lost', "the loss at B's till"),
    ]);
    console.log(`loss reached A's till in ${atA} ms, B's till in ${atB} ms`);
    // On A's list only: B's own list (B's card numbers) does not name it.
    assert.equal(tillB.blacklist.get(lost), undefined);

    // Offline: B's till verifies A's code with A's key and refuses the card on A's list.
    tillB.disconnect();
    const offline = await tillB.pay(lostPhone.code(), 200);
    assert.deepEqual(offline, { kind: 'offline', accepted: false, reason: 'BLACKLISTED' });
    // A card of A not on the list is verified offline with A's key (the till knows A) and taken within A's
    // offline policy (CENTRE_OFFLINE_POLICY).
    assert.equal(tillB.centrePolicies.get('CA')?.paymentMaxFen, 1_000);
    const keptOffline = await tillB.pay(keptPhone.code(), 200);
    assert.equal(keptOffline.kind === 'offline' && keptOffline.accepted, true);

    // Online again: B's gateway refuses the lost card itself, and A is not charged.
    await tillB.connect().catch(() => {});
    const online = await tillB.pay(lostPhone.code(), 300);
    assert.deepEqual(online, { kind: 'pay_declined', reason: 'CARD_LOST' });
    assert.equal((await a.client.getCard(lost)).balance.main, 4_900);
  });
});
