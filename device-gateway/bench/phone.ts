// Phones for the load: each signs a fresh QR code per payment, so the gateway verifies a signature each time.

import { createPrivateKey, sign } from 'node:crypto';
import { encodeCodeBody } from '../../core/src/credential/code.ts';
import {
  codeToText,
  generatePhoneKeyPair,
  issueCertificate,
  webCryptoRandom,
} from '../../core/src/credential/index.ts';
import { signatureTags } from '../../core/src/credential/layout.ts';
import { taggedMessage } from '../../core/src/credential/signature.ts';
import { campusKey } from './options.ts';

/** A phone that signs codes with OpenSSL (the app's noble signer takes ~1.3 ms, too slow for a load generator). */
export interface Phone {
  code(nowMs: number): string;
}

export async function bindPhone(cardNo: string): Promise<Phone> {
  const keyPair = await generatePhoneKeyPair(webCryptoRandom);
  const certificate = issueCertificate(campusKey, {
    card: { cardNo, personType: 'student', cardVersion: 1 },
    phonePublicKey: keyPair.publicKey,
    validFromMs: Date.now() - 60_000,
  });
  const key = createPrivateKey({
    key: Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), keyPair.secretKey]),
    format: 'der',
    type: 'pkcs8',
  });
  let counter = 0;
  return {
    code(nowMs) {
      counter = (counter + 1) & 0xffff;
      const body = encodeCodeBody(certificate, nowMs, counter);
      const signature = sign(null, taggedMessage(signatureTags.code, body), key);
      return codeToText(Buffer.concat([body, signature]));
    },
  };
}
