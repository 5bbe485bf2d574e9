import {
  createCipheriv,
  createDecipheriv,
  createHmac,
  hkdfSync,
  randomBytes,
  timingSafeEqual,
} from 'node:crypto';

/**
 * The two uses of PHOTO_KEY, each under a key derived for it alone (HKDF-SHA256): sealing photo bytes at
 * rest with AES-256-GCM, and signing the short-lived references exam readers fetch a photo by (HMAC).
 */
export interface PhotoKeys {
  /** v1.<iv>.<tag>.<ciphertext>, base64url: text, so it sits in a text column on MySQL and SQLite alike. */
  seal(plain: Uint8Array): string;
  open(sealed: string): Buffer;
  /** The reference's MAC: 16 bytes of HMAC-SHA256 over what it binds, base64url. */
  mac(fields: readonly (string | number)[]): string;
  macMatches(fields: readonly (string | number)[], mac: string): boolean;
}

export function createPhotoKeys(photoKeyHex: string): PhotoKeys {
  const root = Buffer.from(photoKeyHex, 'hex');
  if (root.length !== 32) throw new Error('PHOTO_KEY must be 32 bytes');
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', root, '', info, 32));
  const sealKey = derive('campus-card photos at rest');
  const refKey = derive('campus-card photo references');
  const mac = (fields: readonly (string | number)[]) =>
    createHmac('sha256', refKey)
      .update(['campus-card/photo-ref/v1', ...fields].join('\n'))
      .digest()
      .subarray(0, 16);
  return {
    seal(plain) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', sealKey, iv);
      const body = Buffer.concat([cipher.update(plain), cipher.final()]);
      return ['v1', iv, cipher.getAuthTag(), body]
        .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
        .join('.');
    },
    open(sealed) {
      const [version, iv, tag, body] = sealed.split('.');
      if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error('not a sealed photo');
      const decipher = createDecipheriv('aes-256-gcm', sealKey, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]);
    },
    mac: (fields) => mac(fields).toString('base64url'),
    macMatches(fields, given) {
      const expected = mac(fields);
      const actual = Buffer.from(given, 'base64url');
      return actual.length === expected.length && timingSafeEqual(actual, expected);
    },
  };
}
