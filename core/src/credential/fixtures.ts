// Deterministic keys, cards and clocks for the credential tests and the bench. Not part of the API:
// the seeded random source below is predictable by design and must never mint a real key.

import type { CampusKeyring } from './campus-keys.ts';
import { createCampusKeyring } from './campus-keys.ts';
import type { CardCredential } from './card.ts';
import { type CampusSigningKey, createCampusSigningKey, issueCertificate } from './issuer.ts';
import { generatePhoneKeyPair, type PhoneKeyPair } from './phone.ts';
import type { RandomSource } from './random.ts';
import { createMemoryReplayGuard, type MemoryReplayGuard } from './replay-guard.ts';
import { createVerifier, type Verifier, type VerifierOptions } from './verify.ts';

/** mulberry32: the same seed gives the same bytes, so failures reproduce. */
export function seededRandom(seed: number): RandomSource {
  let state = seed >>> 0;
  return (byteLength) => {
    const bytes = new Uint8Array(byteLength);
    for (let i = 0; i < byteLength; i++) {
      state = (state + 0x6d2b79f5) >>> 0;
      let t = state;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      bytes[i] = ((t ^ (t >>> 14)) >>> 0) & 0xff;
    }
    return bytes;
  };
}

/** 1 September 2025, 08:30 in Beijing: breakfast on the first day of term. */
export const breakfastMs = Date.UTC(2025, 8, 1, 0, 30, 0);

export const aliceCard: CardCredential = { cardNo: '2024000137', personType: 'student', cardVersion: 3 };
export const bobCard: CardCredential = { cardNo: '0000190042', personType: 'staff', cardVersion: 1 };

export interface FakeClock {
  now(): number;
  set(ms: number): void;
  advance(ms: number): void;
}

export function createFakeClock(startMs: number): FakeClock {
  let nowMs = startMs;
  return {
    now: () => nowMs,
    set: (ms) => {
      nowMs = ms;
    },
    advance: (ms) => {
      nowMs += ms;
    },
  };
}

export interface Holder {
  readonly card: CardCredential;
  readonly keyPair: PhoneKeyPair;
  readonly certificate: Uint8Array;
}

export interface World {
  readonly campusKey: CampusSigningKey;
  readonly keyring: CampusKeyring;
  readonly clock: FakeClock;
  readonly replayGuard: MemoryReplayGuard;
  readonly alice: Holder;
  readonly bob: Holder;
  holder(card: CardCredential, seed: number, issuedAtMs?: number, key?: CampusSigningKey): Promise<Holder>;
  verifier(overrides?: Partial<VerifierOptions>): Verifier;
}

/** One campus key (kid 1), Alice and Bob with certificates issued at breakfast, a clock set to breakfast. */
export async function createWorld(seed = 1): Promise<World> {
  const campusKey = await createCampusSigningKey(1, seededRandom(seed));
  const keyring = createCampusKeyring([{ kid: campusKey.kid, publicKey: campusKey.publicKey }]);
  const clock = createFakeClock(breakfastMs);
  const replayGuard = createMemoryReplayGuard({ now: clock.now });

  async function holder(card: CardCredential, holderSeed: number, issuedAtMs = breakfastMs, key = campusKey) {
    const keyPair = await generatePhoneKeyPair(seededRandom(holderSeed));
    const certificate = issueCertificate(key, {
      card,
      phonePublicKey: keyPair.publicKey,
      validFromMs: issuedAtMs,
    });
    return { card, keyPair, certificate };
  }

  return {
    campusKey,
    keyring,
    clock,
    replayGuard,
    alice: await holder(aliceCard, seed * 1000 + 1),
    bob: await holder(bobCard, seed * 1000 + 2),
    holder,
    verifier: (overrides = {}) => createVerifier({ keyring, replayGuard, now: clock.now, ...overrides }),
  };
}
