import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Personal data at rest (ID numbers, phones, device keys, TOTP and link secrets) is sealed with
 * AES-256-GCM under PII_KEY. Format: v1.<iv>.<tag>.<ciphertext>, base64url.
 *
 * Key rotation (docs/operations.md § Key rotation): new values are sealed under the current key; the
 * previous keys (PII_KEYS_PREVIOUS) still open the values sealed before, until the re-seal job
 * (`npm run job -- reseal pii`) has sealed every value again under the current key. GCM's tag tells
 * the keys apart: a value opens under the key it was sealed with and under no other.
 */
export interface Pii {
  encrypt(plain: string): string;
  decrypt(sealed: string): string;
  /** The value sealed again under the current key, or undefined when it already is; throws when no key opens it. */
  reseal(sealed: string): string | undefined;
  /** Names the current key without revealing it (the re-seal job's progress row). */
  readonly keyCheck: string;
}

/** AES-256-GCM with a list of keys: the first seals, each opens what it sealed. */
export function sealer(keys: readonly Buffer[], label: string) {
  const [current] = keys;
  if (!current) throw new Error(`${label}: no key`);
  const parse = (sealed: string) => {
    const [version, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !iv || !tag || body === undefined) throw new Error(`not a sealed ${label}`);
    return {
      iv: Buffer.from(iv, 'base64url'),
      tag: Buffer.from(tag, 'base64url'),
      body: Buffer.from(body, 'base64url'),
    };
  };
  const openWith = (key: Buffer, p: ReturnType<typeof parse>): Buffer | undefined => {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, p.iv);
      decipher.setAuthTag(p.tag);
      return Buffer.concat([decipher.update(p.body), decipher.final()]);
    } catch {
      return undefined;
    }
  };
  const seal = (plain: Uint8Array) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', current, iv);
    const body = Buffer.concat([cipher.update(plain), cipher.final()]);
    return ['v1', iv, cipher.getAuthTag(), body]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  };
  /** The plain bytes and whether the current key opened them. */
  const open = (sealed: string): { plain: Buffer; current: boolean } => {
    const p = parse(sealed);
    for (const [i, key] of keys.entries()) {
      const plain = openWith(key, p);
      if (plain) return { plain, current: i === 0 };
    }
    throw new Error(`no ${label} key opens this value`);
  };
  return {
    seal,
    /** Names the current key without revealing it: 16 bytes of HMAC under it, hex. */
    keyCheck: createHmac('sha256', current).update('campus-card key check').digest('hex').slice(0, 32),
    open: (sealed: string) => open(sealed).plain,
    reseal(sealed: string): string | undefined {
      const { plain, current: isCurrent } = open(sealed);
      return isCurrent ? undefined : seal(plain);
    },
  };
}

/** Parses 32-byte hex keys: the current one first, then the previous ones that still open old values. */
export function keysFromHex(
  label: string,
  currentHex: string,
  previousHex: readonly string[] = [],
): Buffer[] {
  return [currentHex, ...previousHex].map((hex) => {
    const key = Buffer.from(hex, 'hex');
    if (key.length !== 32) throw new Error(`${label} must be 32 bytes`);
    return key;
  });
}

export function createPii(keyHex: string, previousKeysHex: readonly string[] = []): Pii {
  const s = sealer(keysFromHex('PII key', keyHex, previousKeysHex), 'PII');
  return {
    encrypt: (plain) => s.seal(Buffer.from(plain, 'utf8')),
    decrypt: (sealed) => s.open(sealed).toString('utf8'),
    reseal: s.reseal,
    keyCheck: s.keyCheck,
  };
}
