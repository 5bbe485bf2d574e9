/**
 * npm run bench:credential — how fast the credential library is, on one core (one Node thread):
 * verifications per second (pure noble and Node/OpenSSL backends, with and without the certificate
 * cache), phone-side code generation time, payload size and QR version. Figures go to docs/credential.md.
 *
 * BENCH_CODES (default 6000) codes from BENCH_CARDS (default 200) cards, all verified at one instant so
 * the window never closes mid-run; every code must verify, or the bench fails.
 */
import os from 'node:os';
import QRCode from 'qrcode';
import { codeFromText, codeSignedMessage, codeTextChars, decodeCode } from '../src/credential/code.ts';
import { aliceCard, breakfastMs, seededRandom } from '../src/credential/fixtures.ts';
import {
  createCampusKeyring,
  createCampusSigningKey,
  createCodeMaker,
  createMemoryReplayGuard,
  createNumericCodeSecret,
  createNumericCodeVerifier,
  createVerifier,
  type Ed25519Verify,
  generatePhoneKeyPair,
  issueCertificate,
  makeNumericCode,
  nobleEd25519Verify,
} from '../src/credential/index.ts';
import { codeLayout } from '../src/credential/layout.ts';
import { createNodeEd25519Verify } from '../src/credential/node-ed25519.ts';

const codesCount = Number(process.env.BENCH_CODES ?? 6000);
const cardsCount = Number(process.env.BENCH_CARDS ?? 200);
/** noble verifies a few hundred a second: a slice of the codes is enough to measure it. */
const nobleCodesCount = Math.min(codesCount, 600);

function elapsedMs(startedAt: number): number {
  return performance.now() - startedAt;
}

const line = (label: string, value: string) => console.log(`  ${label.padEnd(48)} ${value}`);
const perSecond = (count: number, ms: number) => `${Math.round((count / ms) * 1000).toLocaleString('en')} /s`;

async function main(): Promise<void> {
  console.log(
    `credential bench — Node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown CPU'}, one thread`,
  );
  const campusKey = await createCampusSigningKey(1, seededRandom(1));
  const keyring = createCampusKeyring([{ kid: 1, publicKey: campusKey.publicKey }]);

  // Bind the cards: a key pair per phone and a certificate from the campus key.
  let startedAt = performance.now();
  const makers = [];
  for (let i = 0; i < cardsCount; i++) {
    const keyPair = await generatePhoneKeyPair(seededRandom(1000 + i));
    const card = { ...aliceCard, cardNo: `9${String(i).padStart(11, '0')}` };
    const certificate = issueCertificate(campusKey, {
      card,
      phonePublicKey: keyPair.publicKey,
      validFromMs: breakfastMs,
    });
    makers.push(createCodeMaker(keyPair, certificate, 0));
  }
  const bindMs = elapsedMs(startedAt) / cardsCount;

  // Phone side: make the codes, round-robin over the cards, one second apart in phone time.
  startedAt = performance.now();
  const texts: string[] = [];
  for (let i = 0; i < codesCount; i++) texts.push(makers[i % cardsCount]?.next(breakfastMs + 1000) ?? '');
  const makeMs = elapsedMs(startedAt) / codesCount;

  async function verifyAll(
    label: string,
    ed25519Verify: Ed25519Verify,
    cacheEntriesMax: number,
    count: number,
  ) {
    const verifier = createVerifier({
      keyring,
      replayGuard: createMemoryReplayGuard({
        entriesMax: codesCount + cardsCount,
        now: () => breakfastMs + 2000,
      }),
      now: () => breakfastMs + 2000,
      ed25519Verify,
      certificateCacheEntriesMax: cacheEntriesMax,
    });
    // Warm the JIT (and, where on, the certificate cache) with one code per card, not counted.
    const warmUp = Math.min(cardsCount, count);
    for (const text of texts.slice(0, warmUp)) await verifier.verify(text);
    const measured = texts.slice(warmUp, warmUp + count);
    const started = performance.now();
    for (const text of measured) {
      const result = await verifier.verify(text);
      if (!result.ok) throw new Error(`bench code refused: ${result.code} ${result.message}`);
    }
    const ms = elapsedMs(started);
    line(
      label,
      `${perSecond(measured.length, ms).padStart(10)}   (${measured.length} codes, ${(ms / measured.length).toFixed(3)} ms each)`,
    );
    return (measured.length / ms) * 1000;
  }

  console.log('\nverifications on one core (every code accepted; replay guard in memory)');
  await verifyAll('noble (pure JS), certificate cache off', nobleEd25519Verify, 0, nobleCodesCount);
  await verifyAll('noble (pure JS), certificate cache on', nobleEd25519Verify, 10_000, nobleCodesCount);
  const opensslCold = await verifyAll(
    'Node/OpenSSL, certificate cache off',
    createNodeEd25519Verify(),
    0,
    codesCount - cardsCount,
  );
  const opensslWarm = await verifyAll(
    'Node/OpenSSL, certificate cache on (default)',
    createNodeEd25519Verify(),
    10_000,
    codesCount - cardsCount,
  );

  // The ceiling: one bare OpenSSL Ed25519 verification, no codec, no checks. With the certificate cache
  // the verifier does exactly one per code, so the gap to this line is the library's own cost.
  const sampleCode = decodeCode(codeFromText(texts[0] ?? '') ?? new Uint8Array());
  if (sampleCode === undefined) throw new Error('bench code does not decode');
  const bareVerify = createNodeEd25519Verify();
  const bareMessage = codeSignedMessage(sampleCode.bytes);
  const bareCount = 5000;
  startedAt = performance.now();
  for (let i = 0; i < bareCount; i++) {
    if (!bareVerify(sampleCode.phoneSignature, bareMessage, sampleCode.certificate.phonePublicKey)) {
      throw new Error('bare verify failed');
    }
  }
  line(
    'ceiling: one bare OpenSSL Ed25519 verification',
    perSecond(bareCount, elapsedMs(startedAt)).padStart(10),
  );

  console.log('\nphone side (noble, measured here in Node; a phone JS engine is slower)');
  line('bind: key pair + certificate (issuer signs)', `${bindMs.toFixed(2)} ms per card`);
  line('make one QR code (sign + Base45)', `${makeMs.toFixed(2)} ms per code`);
  const secret = await createNumericCodeSecret(seededRandom(5));
  startedAt = performance.now();
  const numericCount = 5000;
  const numericCodes: string[] = [];
  for (let i = 0; i < numericCount; i++) {
    numericCodes.push(makeNumericCode({ codeId: i, secret, nowMs: breakfastMs, seq: 0 }));
  }
  line(
    'make one numeric code (HMAC-SHA256)',
    `${(elapsedMs(startedAt) / numericCount).toFixed(3)} ms per code`,
  );
  const numericVerifier = createNumericCodeVerifier({
    secretOf: () => secret,
    replayGuard: createMemoryReplayGuard({ now: () => breakfastMs }),
    now: () => breakfastMs,
  });
  startedAt = performance.now();
  for (const digits of numericCodes) {
    if (!(await numericVerifier.verify(digits)).ok) throw new Error('numeric bench code refused');
  }
  line('verify numeric codes (5 time steps each)', perSecond(numericCount, elapsedMs(startedAt)));

  console.log('\nsize');
  const sample = texts[0] ?? '';
  line('QR payload', `${codeLayout.bytes} bytes → ${codeTextChars} characters (CC: + Base45)`);
  for (const level of ['L', 'M', 'Q'] as const) {
    const qr = QRCode.create(sample, { errorCorrectionLevel: level });
    const modules = 17 + 4 * qr.version;
    line(`QR version at error correction ${level}`, `${qr.version} (${modules}×${modules} modules)`);
  }
  line('numeric code', `${numericCodes[0]?.length ?? 0} digits, e.g. ${numericCodes[1]}`);

  const target = 5000;
  console.log(
    `\ntarget ≥ ${target.toLocaleString('en')} verifications/s on one core: ` +
      `${opensslWarm >= target ? 'met' : 'NOT met'} with OpenSSL and the certificate cache ` +
      `(${Math.round(opensslWarm).toLocaleString('en')} /s); cold path ${Math.round(opensslCold).toLocaleString('en')} /s`,
  );
}

await main();
