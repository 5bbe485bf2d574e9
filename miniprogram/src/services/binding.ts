import type { ApiClient } from './request.ts';
import type { CardView } from './types.ts';

/**
 * Who the student proves to be: the card centre's one-time activation code, or (where the campus allows
 * it) the last 6 characters of the ID number. Sent once, never stored here.
 */
export type IdentityProof = { readonly activationCode: string } | { readonly secret: string };

export type BindingRequest = { readonly personNo: string; readonly name: string } & IdentityProof;

/** The proof from what was typed: the activation code when one was given, else the ID tail. */
export function proofOf(activationCode: string, secret: string): IdentityProof {
  const code = activationCode.replace(/[\s-]/g, '').toUpperCase();
  return code !== '' ? { activationCode: code } : { secret: secret.trim() };
}

export function bind(api: ApiClient, request: BindingRequest): Promise<{ card: CardView }> {
  const { personNo, name, ...proof } = request;
  return api.request('POST', '/binding', { personNo: personNo.trim(), name: name.trim(), ...proof });
}

export function unbind(api: ApiClient): Promise<void> {
  return api.request('DELETE', '/binding');
}
