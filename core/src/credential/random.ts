// The phone and the issuer get randomness from the platform, injected, because there is no single API:
// the browser and Node 20 have crypto.getRandomValues, WeChat has wx.getRandomValues (asynchronous),
// Alipay has its own. A weak source here would give away the card, so we check what we can.

/** Returns `byteLength` cryptographically secure random bytes, synchronously or not. */
export type RandomSource = (byteLength: number) => Uint8Array | Promise<Uint8Array>;

/** The source for runtimes with Web Crypto (browsers, H5 builds, Node 20). */
export const webCryptoRandom: RandomSource = (byteLength) => {
  const bytes = new Uint8Array(byteLength);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
};

/**
 * Takes bytes from the source and checks the obvious failures (wrong length, all bytes equal): those
 * are programmer errors in the adapter, so they throw rather than mint a guessable key.
 */
export async function takeRandomBytes(random: RandomSource, byteLength: number): Promise<Uint8Array> {
  const bytes = await random(byteLength);
  if (!(bytes instanceof Uint8Array) || bytes.length !== byteLength) {
    throw new Error(`random source returned ${bytes?.length ?? 'no'} bytes, expected ${byteLength}`);
  }
  if (byteLength >= 16 && bytes.every((byte) => byte === bytes[0])) {
    throw new Error('random source returned constant bytes; refusing to use them as a key');
  }
  return Uint8Array.from(bytes);
}
