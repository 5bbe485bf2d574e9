// Warm-up before the listener opens (issue #20): a restarted gateway opens its connections to the core
// first, so the first payments do not each wait for a TCP connect on top of their own work. What cannot
// be warmed ahead (certificates seen for the first time, the core's code) is covered by admission's lower
// bound during the first second and its backlog bound (admission.ts); the gateway's own payment code is
// run on throwaway keys before it listens (warmPaymentCode).

import { randomBytes } from 'node:crypto';
import type { CoreClient } from '@campus-card/core/client';
import {
  campusSigningKeyFromSecret,
  createCampusKeyring,
  createVerifier,
  type Ed25519Verify,
  issueCertificate,
  makeCode,
  phoneKeyPairFromSecret,
} from '@campus-card/core/credential';
import type { Logger } from 'pino';
import {
  decodeFrame,
  deriveSessionKey,
  encodeFrame,
  type FrameKeys,
  FrameMacKey,
  prepareKey,
} from './protocol/index.ts';

/**
 * `connections` signed requests at once, so the client's pool opens that many kept-alive connections
 * (and the core's signature check runs once on each); waited for at most `waitMs`. A core that does not
 * answer does not keep the gateway down: the first payments open connections as before.
 */
export async function warmCoreConnections(
  core: Pick<CoreClient, 'passageVersion'>,
  connections: number,
  log: Logger,
  waitMs = 2_000,
): Promise<number> {
  let opened = 0;
  const calls = Array.from({ length: connections }, () =>
    core.passageVersion().then(
      () => {
        opened += 1;
      },
      () => undefined,
    ),
  );
  let timer: NodeJS.Timeout | undefined;
  const waited = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, waitMs);
  });
  await Promise.race([Promise.all(calls), waited]);
  clearTimeout(timer);
  if (opened < connections) log.warn({ opened, connections }, 'core connections not all warmed');
  return opened;
}

/**
 * Runs the payment path's own code — a PAY frame decoded and a PAY_APPROVED encoded under a session's MAC,
 * and the code verifier with its certificate cache and Ed25519 check — `rounds` times on throwaway keys
 * before the listener opens, so the first tills' payments meet compiled code rather than the interpreter
 * (issue #20). Nothing leaves the process; the keys are made here and dropped.
 */
export async function warmPaymentCode(rounds: number, ed25519Verify: Ed25519Verify): Promise<void> {
  const campusKey = campusSigningKeyFromSecret(1, new Uint8Array(randomBytes(32)));
  const keyPair = phoneKeyPairFromSecret(new Uint8Array(randomBytes(32)));
  const nowMs = Date.now();
  const certificate = issueCertificate(campusKey, {
    card: { cardNo: '00000000', personType: 'student', cardVersion: 1 },
    phonePublicKey: keyPair.publicKey,
    validFromMs: nowMs - 60_000,
  });
  const text = makeCode({ keyPair, certificate, nowMs, counter: 1 });
  const verifier = createVerifier({
    keyring: createCampusKeyring([{ kid: 1, publicKey: campusKey.publicKey }]),
    replayGuard: { claim: async () => true },
    ed25519Verify,
  });
  const deviceKey = new Uint8Array(randomBytes(32));
  const keys: FrameKeys = {
    // As a signed-in session keeps it (session/sign-in.ts), so the warm-up runs the MAC code sessions run.
    macKey: new FrameMacKey(deviceKey),
    sessionKey: prepareKey(deriveSessionKey(deviceKey, 1, new Uint8Array(16), new Uint8Array(16))),
  };
  for (let round = 1; round <= rounds; round += 1) {
    const envelope = { deviceId: 1, sequence: round, timestampMs: nowMs };
    const request = encodeFrame(
      { kind: 'pay', code: { kind: 'qr', text }, amountFen: 1, orderNo: round, itemNo: 0 },
      envelope,
      keys,
    );
    const decoded = decodeFrame(request, keys);
    if (!decoded.ok || decoded.value.message.kind !== 'pay') throw new Error('warm-up frame did not decode');
    const verified = await verifier.verify(text);
    if (!verified.ok) throw new Error(`warm-up code refused: ${verified.code}`);
    decodeFrame(
      encodeFrame(
        { kind: 'pay_approved', chargedFen: 1, subsidyFen: 0, balanceAfterFen: round },
        envelope,
        keys,
      ),
      keys,
    );
  }
}
