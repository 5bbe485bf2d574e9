import type { ApiClient } from './request.ts';
import type { CredentialAnswer } from './types.ts';

/** Sends the phone's public key (hex); the BFF answers the certificate its campus key signed. */
export function requestCertificate(api: ApiClient, publicKeyHex: string): Promise<CredentialAnswer> {
  return api.request('POST', '/credential', { publicKey: publicKeyHex });
}
