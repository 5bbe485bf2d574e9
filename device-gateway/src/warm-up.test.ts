import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createNodeEd25519Verify } from '@campus-card/core/credential/node';
import { pino } from 'pino';
import { warmCoreConnections, warmPaymentCode } from './warm-up.ts';

const log = pino({ level: 'silent' });

test('#20 when a gateway starts, then it sends as many core requests at once as it keeps connections, so the pool opens them all before devices come', async () => {
  let open = 0;
  let most = 0;
  const core = {
    async passageVersion() {
      open += 1;
      most = Math.max(most, open);
      await new Promise((resolve) => setImmediate(resolve));
      open -= 1;
      return { version: 1 };
    },
  };
  assert.equal(await warmCoreConnections(core, 32, log), 32);
  assert.equal(most, 32, 'all at once: one connection each');
});

test('#20 when the core does not answer, then the warm-up gives up after its wait and the gateway starts anyway', async () => {
  const core = { passageVersion: () => new Promise<{ version: number }>(() => {}) };
  assert.equal(await warmCoreConnections(core, 4, log, 20), 0);
});

test("#20 when a gateway starts, then it runs the payment path's own code on throwaway keys — frames, certificate, Ed25519 — before it listens", async () => {
  let checks = 0;
  const counted = createNodeEd25519Verify();
  await warmPaymentCode(50, (signature, message, publicKey) => {
    checks += 1;
    return counted(signature, message, publicKey);
  });
  // The certificate's campus signature once (then cached), the code's phone signature every round.
  assert.equal(checks, 51);
  await assert.rejects(
    warmPaymentCode(1, () => false),
    /warm-up code refused/,
    'a verifier that refuses fails the start loudly instead of warming nothing',
  );
});
