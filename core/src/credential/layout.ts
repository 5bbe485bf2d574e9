// The byte layout of the certificate and of the QR code payload, in one place so the codec, the tests and
// docs/credential.md agree. All integers are big-endian; times are whole seconds since the Unix epoch.

/**
 * Certificate, 120 bytes; the campus signs bytes [0, 56) prefixed with the tag in `signatureTags`.
 *
 * | offset | size | field                                  |
 * |-------:|-----:|----------------------------------------|
 * |      0 |    1 | format, 0x01                           |
 * |      1 |    2 | kid: which campus key signed           |
 * |      3 |    8 | card number, packed BCD, 0xF padded    |
 * |     11 |    1 | person type                            |
 * |     12 |    4 | card version                           |
 * |     16 |    4 | valid from, seconds                    |
 * |     20 |    4 | valid until, seconds (exclusive)       |
 * |     24 |   32 | phone public key, Ed25519              |
 * |     56 |   64 | campus signature, Ed25519              |
 */
export const certificateLayout = {
  format: 0,
  kid: 1,
  cardNo: 3,
  personType: 11,
  cardVersion: 12,
  validFrom: 16,
  validUntil: 20,
  phonePublicKey: 24,
  campusSignature: 56,
  signedBytes: 56,
  bytes: 120,
} as const;

export const certificateFormat = 0x01;

/**
 * QR code payload, 191 bytes; the phone signs bytes [0, 127) prefixed with its tag.
 *
 * | offset | size | field                                  |
 * |-------:|-----:|----------------------------------------|
 * |      0 |    1 | format, 0x01                           |
 * |      1 |  120 | certificate, as above                  |
 * |    121 |    4 | made at, seconds (phone clock)         |
 * |    125 |    2 | counter                                |
 * |    127 |   64 | phone signature, Ed25519               |
 */
export const codeLayout = {
  format: 0,
  certificate: 1,
  madeAt: 121,
  counter: 125,
  phoneSignature: 127,
  signedBytes: 127,
  bytes: 191,
} as const;

export const codeFormat = 0x01;

/**
 * Every signature covers a fixed ASCII tag followed by the signed bytes, so a signature made for one
 * purpose (a certificate, a code) can never be replayed as the other, or by another protocol that happens
 * to use the same key.
 */
export const signatureTags = {
  certificate: 'campus-card/certificate/v1',
  code: 'campus-card/code/v1',
} as const;

/** Text form: this prefix, then Base45 of the payload. The prefix tells a scanner's caller what it got. */
export const codeTextPrefix = 'CC:';
