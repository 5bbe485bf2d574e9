import type { ResealKind, ResealProgress, ResealStep } from '../contract/keys.ts';
import { DomainClient } from './transport.ts';

/** Re-sealing under a new PII_KEY or PHOTO_KEY (docs/operations.md § Key rotation). */
export class KeysClient extends DomainClient {
  /** Re-seals the next rows of the run for the current key, starting one when none is under way. */
  resealStep(kind: ResealKind, step: ResealStep = {}): Promise<ResealProgress> {
    return this.transport.call('POST', `/v1/keys/${kind}/reseal-steps`, step);
  }
  /** Where the run for the current key stands; null before one started. */
  resealProgress(kind: ResealKind): Promise<{ run: ResealProgress | null }> {
    return this.transport.call('GET', `/v1/keys/${kind}/reseal`);
  }
}
