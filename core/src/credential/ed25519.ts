// Ed25519 (RFC 8032) assembled from noble's generic Edwards-curve code.
//
// Why not `@noble/curves/ed25519.js`: that module also builds FROST, Ristretto and hash-to-curve helpers
// when it is imported, and FROST calls `TextEncoder` at that moment. Mini-program engines do not all have
// TextEncoder, so merely importing it could crash the page. Here we take the same curve constants and the
// same square-root routine from that module (noble-curves 2.x, MIT licence) and nothing else.
// ed25519.test.ts checks this instance against noble's own ed25519, RFC 8032 vectors and OpenSSL.

import { type EdDSA, eddsa, edwards } from '@noble/curves/abstract/edwards.js';
import { isNegativeLE, mod, pow2 } from '@noble/curves/abstract/modular.js';
import { sha512 } from '@noble/hashes/sha2.js';

const p = BigInt('0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffed');

const curve = {
  p,
  n: BigInt('0x1000000000000000000000000000000014def9dea2f79cd65812631a5cf5d3ed'),
  h: BigInt(8),
  a: BigInt('0x7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffec'),
  d: BigInt('0x52036cee2b6ffe738cc740797779e89800700a4d4141d8ab75eb4dca135978a3'),
  Gx: BigInt('0x216936d3cd6e53fec0a4e231fdd6dc5c692cc7609525a7b2c9562d608f25d51a'),
  Gy: BigInt('0x6666666666666666666666666666666666666666666666666666666666666658'),
};

/** √(−1) mod p. */
const sqrtMinusOne = BigInt('19681161376707505956807079304988542015446066515923890162744021073123829784752');

/** x^((p−5)/8) by the fixed addition chain of RFC 8032 §5.1.3. */
function powP58(x: bigint): bigint {
  const x2 = (x * x) % p;
  const b2 = (x2 * x) % p;
  const b4 = (pow2(b2, 2n, p) * b2) % p;
  const b5 = (pow2(b4, 1n, p) * x) % p;
  const b10 = (pow2(b5, 5n, p) * b5) % p;
  const b20 = (pow2(b10, 10n, p) * b10) % p;
  const b40 = (pow2(b20, 20n, p) * b20) % p;
  const b80 = (pow2(b40, 40n, p) * b40) % p;
  const b160 = (pow2(b80, 80n, p) * b80) % p;
  const b240 = (pow2(b160, 80n, p) * b80) % p;
  const b250 = (pow2(b240, 10n, p) * b10) % p;
  return (pow2(b250, 2n, p) * x) % p;
}

/** √(u/v) for point decompression, in constant time; `isValid` false when there is no root. */
function uvRatio(u: bigint, v: bigint): { isValid: boolean; value: bigint } {
  const v3 = mod(v * v * v, p);
  const v7 = mod(v3 * v3 * v, p);
  let x = mod(u * v3 * powP58(u * v7), p);
  const vx2 = mod(v * x * x, p);
  const root1 = x;
  const root2 = mod(x * sqrtMinusOne, p);
  const useRoot1 = vx2 === u;
  const useRoot2 = vx2 === mod(-u, p);
  const noRoot = vx2 === mod(-u * sqrtMinusOne, p);
  if (useRoot1) x = root1;
  if (useRoot2 || noRoot) x = root2;
  if (isNegativeLE(x, p)) x = mod(-x, p);
  return { isValid: useRoot1 || useRoot2, value: x };
}

/** Clamping of RFC 8032 §5.1.5 (the same as X25519's). */
function adjustScalarBytes(bytes: Uint8Array): Uint8Array {
  bytes[0] = (bytes[0] ?? 0) & 248;
  bytes[31] = ((bytes[31] ?? 0) & 127) | 64;
  return bytes;
}

const point = edwards(curve, { uvRatio });

/**
 * Plain Ed25519 with strict RFC 8032 decoding (zip215 off): one valid encoding per signature, the set
 * OpenSSL accepts too.
 */
export const ed25519: EdDSA = eddsa(point, sha512, { adjustScalarBytes, zip215: false });
