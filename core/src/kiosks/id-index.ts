import { createHmac, hkdfSync } from 'node:crypto';

/**
 * The searchable form of an ID number (sql/063): HMAC-SHA256 of the normalised number (spaces gone, the
 * check letter upper-case) under a key derived from PII_KEY for this use only, so the index reveals
 * nothing without the key and cannot be matched against another table's hashes.
 */
export function idNumberHasher(piiKeyHex: string): (idNumber: string) => string {
  const key = Buffer.from(
    hkdfSync('sha256', Buffer.from(piiKeyHex, 'hex'), '', 'campus-card kiosk id-number index', 32),
  );
  return (idNumber) =>
    createHmac('sha256', key).update(idNumber.replace(/\s+/g, '').toUpperCase()).digest('hex');
}
