import { createHmac, hkdfSync, timingSafeEqual } from 'node:crypto';
import { keysFromHex, sealer } from '../pii.ts';

/**
 * The two uses of PHOTO_KEY, each under a key derived for it alone (HKDF-SHA256): sealing photo bytes at
 * rest with AES-256-GCM, and signing the short-lived references exam readers fetch a photo by (HMAC).
 *
 * Key rotation (docs/operations.md § Key rotation): the current key seals and signs; the previous keys
 * (PHOTO_KEYS_PREVIOUS) still open photos sealed before and accept references signed before, until the
 * re-seal job (`npm run job -- reseal photos`) has sealed every photo again under the current key.
 */
export interface PhotoKeys {
  /** v1.<iv>.<tag>.<ciphertext>, base64url: text, so it sits in a text column on MySQL and SQLite alike. */
  seal(plain: Uint8Array): string;
  open(sealed: string): Buffer;
  /** The photo sealed again under the current key, or undefined when it already is. */
  reseal(sealed: string): string | undefined;
  /** Names the current sealing key without revealing it (the re-seal job's progress row). */
  readonly keyCheck: string;
  /** The reference's MAC: 16 bytes of HMAC-SHA256 over what it binds, base64url. */
  mac(fields: readonly (string | number)[]): string;
  macMatches(fields: readonly (string | number)[], mac: string): boolean;
}

export function createPhotoKeys(photoKeyHex: string, previousKeysHex: readonly string[] = []): PhotoKeys {
  const roots = keysFromHex('PHOTO_KEY', photoKeyHex, previousKeysHex);
  const derive = (root: Buffer, info: string) => Buffer.from(hkdfSync('sha256', root, '', info, 32));
  const sealing = sealer(
    roots.map((root) => derive(root, 'campus-card photos at rest')),
    'photo',
  );
  const refKeys = roots.map((root) => derive(root, 'campus-card photo references'));
  const macUnder = (key: Buffer, fields: readonly (string | number)[]) =>
    createHmac('sha256', key)
      .update(['campus-card/photo-ref/v1', ...fields].join('\n'))
      .digest()
      .subarray(0, 16);
  return {
    seal: sealing.seal,
    open: sealing.open,
    reseal: sealing.reseal,
    keyCheck: sealing.keyCheck,
    mac: (fields) => macUnder(refKeys[0] as Buffer, fields).toString('base64url'),
    macMatches(fields, given) {
      const actual = Buffer.from(given, 'base64url');
      // A reference signed by a core still on the previous key (a rolling restart) stays good for its 90 s.
      return refKeys.some((key) => {
        const expected = macUnder(key, fields);
        return actual.length === expected.length && timingSafeEqual(actual, expected);
      });
    },
  };
}
