import type { ApiClient } from './request.ts';
import type { CardView } from './types.ts';

export interface BindingRequest {
  readonly personNo: string;
  readonly name: string;
  /** Campus password or the last 6 characters of the ID number; sent once, never stored here. */
  readonly secret: string;
}

export function bind(api: ApiClient, request: BindingRequest): Promise<{ card: CardView }> {
  return api.request('POST', '/binding', {
    personNo: request.personNo.trim(),
    name: request.name.trim(),
    secret: request.secret,
  });
}

export function unbind(api: ApiClient): Promise<void> {
  return api.request('DELETE', '/binding');
}
