// The phone side of the virtual card: the key pair made here and kept in storage (the secret never leaves
// the phone), the certificate the BFF signs for it, and the codes made from both with no network at all.
import {
  createCodeMaker,
  decodeCertificate,
  fromHex,
  generatePhoneKeyPair,
  makeNumericCode,
  type PhoneKeyPair,
  phoneKeyPairFromSecret,
  type RandomSource,
  sizeBaseTableForPhone,
  toHex,
} from '@campus-card/core/credential';
import { requestCertificate } from '../services/credential.ts';
import { type ApiClient, ApiError } from '../services/request.ts';
import type { CredentialAnswer } from '../services/types.ts';
import { type KeyValueStorage, storageKeys } from './storage.ts';

// The phone signs a code every 30 s: a small base-point table, built in a third of the time, so the first
// QR is not kept waiting for a table sized for a server (core/src/credential/phone.ts).
sizeBaseTableForPhone();

/** How often the page makes a new code; docs/credential.md: a code on screen keeps ≥ 60 s of validity. */
export const codeRefreshMs = 30_000;
/** Ask for a new certificate once less than this is left (they last 7 days). */
export const certificateRenewBeforeMs = 2 * 24 * 3_600_000;

interface CachedCredential {
  readonly certificate: string;
  readonly validUntilMs: number;
  readonly cardNo: string;
  /** The card version the certificate carries: a newer card version (reissue, loss) needs a new one. */
  readonly cardVersion: number;
  /** Server clock minus phone clock at the last sync; codes carry the corrected time. */
  readonly clockOffsetMs: number;
  readonly numericCode?: CredentialAnswer['numericCode'];
}

export interface ShownCode {
  /** The QR text ("CC:" + Base45). */
  readonly text: string;
  /** 18 digits, or undefined when the BFF issued no numeric secret. */
  readonly numeric?: string;
  readonly madeAtMs: number;
}

export type SyncResult = 'renewed' | 'fresh' | 'offline';

export interface CredentialStore {
  /**
   * Online: renews the certificate when due, when it is for another card or an older card version than
   * `card` says, or always when `force`. Offline: keeps the cached one.
   */
  sync(force?: boolean, card?: { readonly cardNo: string; readonly version: number }): Promise<SyncResult>;
  /** True when a cached certificate can still make codes. */
  canMakeCodes(): boolean;
  /** The next code, offline; undefined when there is no usable certificate. */
  nextCode(): ShownCode | undefined;
  /** Forgets the certificate (after unbinding, or when the card changed); the key pair stays. */
  clear(): void;
}

export interface CredentialStoreOptions {
  readonly storage: KeyValueStorage;
  readonly api: ApiClient;
  readonly random: RandomSource;
  readonly nowMs?: () => number;
}

export function createCredentialStore(options: CredentialStoreOptions): CredentialStore {
  const { storage } = options;
  const nowMs = options.nowMs ?? (() => Date.now());
  let keyPair: PhoneKeyPair | undefined;
  let numericSeq = 0;

  async function ensureKeyPair(): Promise<PhoneKeyPair> {
    if (keyPair !== undefined) return keyPair;
    const saved = storage.get(storageKeys.phoneSecret);
    const secret = saved === undefined ? undefined : fromHex(saved);
    if (secret !== undefined && secret.length === 32) {
      keyPair = phoneKeyPairFromSecret(secret);
    } else {
      keyPair = await generatePhoneKeyPair(options.random);
      storage.set(storageKeys.phoneSecret, toHex(keyPair.secretKey));
    }
    return keyPair;
  }

  function cached(): CachedCredential | undefined {
    const text = storage.get(storageKeys.certificate);
    if (text === undefined) return undefined;
    try {
      return JSON.parse(text) as CachedCredential;
    } catch {
      return undefined;
    }
  }

  function counterStart(): number {
    const saved = Number(storage.get(storageKeys.codeCounter));
    return Number.isInteger(saved) && saved >= 0 && saved <= 0xffff
      ? saved
      : Math.floor(Math.random() * 0x10000);
  }

  function loadKeyPairSync(): PhoneKeyPair | undefined {
    if (keyPair !== undefined) return keyPair;
    const saved = storage.get(storageKeys.phoneSecret);
    const secret = saved === undefined ? undefined : fromHex(saved);
    if (secret === undefined || secret.length !== 32) return undefined;
    keyPair = phoneKeyPairFromSecret(secret);
    return keyPair;
  }

  return {
    async sync(force = false, card) {
      const pair = await ensureKeyPair();
      const current = cached();
      const due =
        force ||
        current === undefined ||
        current.validUntilMs - nowMs() < certificateRenewBeforeMs ||
        (card !== undefined && (card.cardNo !== current.cardNo || card.version > current.cardVersion));
      if (!due) return 'fresh';
      let answer: CredentialAnswer;
      const askedAtMs = nowMs();
      try {
        answer = await requestCertificate(options.api, toHex(pair.publicKey));
      } catch (error) {
        if (error instanceof ApiError && error.offline) return 'offline';
        throw error;
      }
      const bytes = fromHex(answer.certificate);
      const certificate = bytes === undefined ? undefined : decodeCertificate(bytes);
      if (certificate === undefined) throw new Error('the BFF answered a certificate that does not decode');
      // Half the round trip is the best guess of when the server read its clock.
      const receivedAtMs = nowMs();
      const next: CachedCredential = {
        certificate: answer.certificate,
        validUntilMs: certificate.validUntilMs,
        cardNo: certificate.card.cardNo,
        cardVersion: certificate.card.cardVersion,
        clockOffsetMs: answer.serverTimeMs - Math.round((askedAtMs + receivedAtMs) / 2),
        ...(answer.numericCode ? { numericCode: answer.numericCode } : {}),
      };
      storage.set(storageKeys.certificate, JSON.stringify(next));
      return 'renewed';
    },

    canMakeCodes() {
      const current = cached();
      return (
        current !== undefined &&
        loadKeyPairSync() !== undefined &&
        nowMs() + current.clockOffsetMs < current.validUntilMs
      );
    },

    nextCode() {
      const current = cached();
      const pair = loadKeyPairSync();
      if (current === undefined || pair === undefined) return undefined;
      const certificate = fromHex(current.certificate);
      if (certificate === undefined) return undefined;
      const madeAtMs = nowMs() + current.clockOffsetMs;
      if (madeAtMs >= current.validUntilMs) return undefined;
      const maker = createCodeMaker(pair, certificate, counterStart());
      const text = maker.next(madeAtMs);
      storage.set(storageKeys.codeCounter, String(maker.counter));
      let numeric: string | undefined;
      const numericSecret = current.numericCode ? fromHex(current.numericCode.secret) : undefined;
      if (current.numericCode && numericSecret !== undefined) {
        numeric = makeNumericCode({
          codeId: current.numericCode.codeId,
          secret: numericSecret,
          nowMs: madeAtMs,
          seq: numericSeq,
          ...(current.numericCode.prefix ? { prefix: current.numericCode.prefix } : {}),
        });
        numericSeq = (numericSeq + 1) % 10;
      }
      return { text, madeAtMs, ...(numeric ? { numeric } : {}) };
    },

    clear() {
      storage.remove(storageKeys.certificate);
    },
  };
}
