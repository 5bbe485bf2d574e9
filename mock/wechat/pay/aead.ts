import { createCipheriv, createDecipheriv } from 'node:crypto';
import { makeNonce } from './signing.ts';

/** AEAD_AES_256_GCM as WeChat uses it: the APIv3 key's 32 ASCII bytes, a 12-character nonce, ct‖tag in base64. */
export interface EncryptedResource {
  algorithm: 'AEAD_AES_256_GCM';
  ciphertext: string;
  associated_data: string;
  nonce: string;
}

const TAG_BYTES = 16;

export function encryptResource(
  apiV3Key: string,
  plaintext: string,
  associatedData: string,
): EncryptedResource {
  const nonce = makeNonce(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(apiV3Key, 'utf8'), Buffer.from(nonce, 'utf8'));
  cipher.setAAD(Buffer.from(associatedData, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return {
    algorithm: 'AEAD_AES_256_GCM',
    ciphertext: ciphertext.toString('base64'),
    associated_data: associatedData,
    nonce,
  };
}

/** Decrypts and checks the GCM tag (unlike the SDK's decipher_gcm): throws on a tampered ciphertext or wrong key. */
export function decryptResource(apiV3Key: string, resource: Omit<EncryptedResource, 'algorithm'>): string {
  const bytes = Buffer.from(resource.ciphertext, 'base64');
  const decipher = createDecipheriv(
    'aes-256-gcm',
    Buffer.from(apiV3Key, 'utf8'),
    Buffer.from(resource.nonce, 'utf8'),
  );
  decipher.setAAD(Buffer.from(resource.associated_data, 'utf8'));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  return Buffer.concat([
    decipher.update(bytes.subarray(0, bytes.length - TAG_BYTES)),
    decipher.final(),
  ]).toString('utf8');
}

/** Flips one ciphertext bit, for the tampered-ciphertext fault: the tag no longer matches. */
export function tamper(resource: EncryptedResource): EncryptedResource {
  const bytes = Buffer.from(resource.ciphertext, 'base64');
  bytes[0] = (bytes[0] ?? 0) ^ 0x01;
  return { ...resource, ciphertext: bytes.toString('base64') };
}
