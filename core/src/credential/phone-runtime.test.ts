import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** Every module reachable from index.ts through relative imports: what the mini-program bundles. */
function publicModuleGraph(): Map<string, string> {
  const sources = new Map<string, string>();
  const pending = ['index.ts'];
  while (pending.length > 0) {
    const file = pending.pop() ?? '';
    if (sources.has(file)) continue;
    const source = readFileSync(join(here, file), 'utf8');
    sources.set(file, source);
    for (const match of source.matchAll(/from '(\.\/[^']+)'/g)) pending.push((match[1] ?? '').slice(2));
  }
  return sources;
}

function withoutComments(source: string): string {
  return source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
}

describe('phone-side runtime', () => {
  test('when the public modules are read, then none imports Node or uses Buffer, TextEncoder or process', () => {
    // Goal: nothing the mini-program imports needs an API its JS engine lacks; the Node backend stays apart.
    const graph = publicModuleGraph();
    assert.ok(graph.has('phone.ts') && graph.has('verify.ts') && graph.has('numeric-code.ts'));
    assert.ok(!graph.has('node-ed25519.ts'), 'the Node-only verifier must not be reachable from index.ts');
    for (const [file, source] of graph) {
      for (const match of source.matchAll(/from '([^']+)'/g)) {
        const specifier = match[1] ?? '';
        const allowed = specifier.startsWith('./') || /^@noble\/(curves\/abstract|hashes)\//.test(specifier);
        assert.ok(allowed, `${file} imports ${specifier}`);
      }
      const code = withoutComments(source);
      for (const forbidden of [
        /\bBuffer\b/,
        /\bTextEncoder\b/,
        /\bTextDecoder\b/,
        /\bprocess\./,
        /\brequire\(/,
      ]) {
        assert.doesNotMatch(code, forbidden, `${file} uses ${forbidden}`);
      }
    }
  });

  test('when Buffer, TextEncoder and Web Crypto are removed, then a phone still makes codes that verify', () => {
    // Goal: prove it by running: a child process deletes the globals a mini-program may lack, then binds,
    // makes a QR code and a numeric code, and verifies both with the pure verifier.
    const script = `
      for (const name of ['Buffer', 'TextEncoder', 'TextDecoder', 'crypto']) delete globalThis[name];
      const c = await import(${JSON.stringify(join(here, 'index.ts'))});
      const random = (n) => { const b = new Uint8Array(n); for (let i = 0; i < n; i++) b[i] = (i * 89 + n * 7 + 13) & 255; return b; };
      const campusKey = await c.createCampusSigningKey(1, random);
      const phone = await c.generatePhoneKeyPair(async (n) => random(n).reverse());
      const nowMs = Date.UTC(2025, 8, 1);
      const certificate = c.issueCertificate(campusKey, {
        card: { cardNo: '2024000137', personType: 'student', cardVersion: 1 },
        phonePublicKey: phone.publicKey,
        validFromMs: nowMs,
      });
      const text = c.createCodeMaker(phone, certificate, 0).next(nowMs + 1000);
      const verifier = c.createVerifier({
        keyring: c.createCampusKeyring([{ kid: 1, publicKey: campusKey.publicKey }]),
        replayGuard: c.createMemoryReplayGuard({ now: () => nowMs }),
        now: () => nowMs + 2000,
      });
      const qr = await verifier.verify(text);
      const secret = await c.createNumericCodeSecret(random);
      const digits = c.makeNumericCode({ codeId: 7, secret, nowMs, seq: 0 });
      const numeric = await c.createNumericCodeVerifier({
        secretOf: () => secret,
        replayGuard: c.createMemoryReplayGuard(),
        now: () => nowMs,
      }).verify(digits);
      console.log(JSON.stringify({
        missing: [typeof Buffer, typeof TextEncoder, typeof TextDecoder, typeof crypto],
        qr: qr.ok,
        numeric: numeric.ok,
      }));
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: here,
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    assert.deepEqual(JSON.parse(child.stdout), {
      missing: ['undefined', 'undefined', 'undefined', 'undefined'],
      qr: true,
      numeric: true,
    });
  });
});
