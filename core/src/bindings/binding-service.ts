import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { CardService } from '../cards/card-service.ts';
import type { BindRequest, BindResult, IdentityProof } from '../contract/bindings.ts';
import { isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import type { Pii } from '../pii.ts';
import type { ActivationCodes } from './activation-codes.ts';
import {
  type Binding,
  type BindingRepository,
  channelOf,
  type PersonForBinding,
} from './binding-repository.ts';

export type { Binding, BindRequest, BindResult, IdentityProof };

const alreadyBound = () =>
  new CoreError('ALREADY_BOUND', 'this person is already bound to another account of this app');

/** One answer for every way an identity check fails, so the answer does not tell which part was wrong. */
const mismatch = () =>
  new CoreError('IDENTITY_MISMATCH', 'the person number, name and secret do not match our records');

/**
 * Binding a WeChat or Alipay account (one of each per person) to a person who proves who they are: with the card centre's one-time
 * activation code (activation-codes.ts), or with the last 6 ID characters, checked as a keyed digest
 * (HMAC-SHA256 under a key derived from PII_KEY) against person_secrets; the sealed ID number is
 * opened only when no digest was made from its current sealed value yet (a person the sync opened or
 * changed), once. How many proofs may be tried is counted by the BFF, per person, account and address.
 */
export class BindingService {
  readonly #secretKey: Buffer;

  constructor(
    private readonly bindings: BindingRepository,
    private readonly cards: CardService,
    private readonly pii: Pii,
    piiKeyHex: string,
    private readonly activationCodes: ActivationCodes,
  ) {
    this.#secretKey = createHmac('sha256', Buffer.from(piiKeyHex, 'hex'))
      .update('campus-card binding secret v1')
      .digest();
  }

  /**
   * Checks a person's identity proof, with one answer for every way it fails. An activation code is
   * taken (one of its attempts) before it is compared; it is spent only by the caller's spend().
   */
  async prove(personNo: string, name: string, proof: IdentityProof): Promise<PersonForBinding> {
    const person = await this.bindings.personByNo(personNo);
    if (!person || person.name.normalize('NFC') !== name.trim().normalize('NFC')) throw mismatch();
    if ('activationCode' in proof) {
      if ((await this.activationCodes.check(person.cardNo, proof.activationCode)) !== 'ok') throw mismatch();
      return person;
    }
    if (!person.idNumberEnc) throw mismatch();
    const sealedDigest = sha256(person.idNumberEnc);
    let digest = person.sealedDigest === sealedDigest ? person.digest : null;
    if (digest === null) {
      digest = this.digestOf(person.personId, this.pii.decrypt(person.idNumberEnc).slice(-6));
      await this.bindings.saveSecret(person.personId, digest, sealedDigest);
    }
    const offered = Buffer.from(this.digestOf(person.personId, proof.secret), 'hex');
    if (!timingSafeEqual(offered, Buffer.from(digest, 'hex'))) throw mismatch();
    return person;
  }

  /** Spends an activation code that prove() accepted; another request spending it first is a mismatch. */
  async spend(person: PersonForBinding, proof: IdentityProof): Promise<void> {
    if ('activationCode' in proof && !(await this.activationCodes.use(person.cardNo, proof.activationCode)))
      throw mismatch();
  }

  /** Issues a card's one-time activation code (the card centre), replacing any earlier one. */
  async issueActivationCode(cardNo: string, issuedBy: string | null) {
    await this.cards.get(cardNo);
    return this.activationCodes.issue(cardNo, issuedBy);
  }

  async bind(request: BindRequest): Promise<BindResult> {
    const { openid, personNo } = request;
    let proof: IdentityProof | null = null;
    let person: PersonForBinding;
    if ('provenBy' in request) {
      // Single sign-on proved the person at the campus identity provider; no other account may skip
      // the proof, so a WeChat or Alipay account cannot be bound this way.
      if (channelOf(openid) !== 'sso')
        throw new CoreError('IDENTITY_REQUIRED', 'only single sign-on accounts bind without a proof');
      const found = await this.bindings.personByNo(personNo);
      if (!found) throw new CoreError('NOT_FOUND', 'no person with this person number on this campus');
      person = found;
    } else {
      const { name, openid: _o, personNo: _p, ...rest } = request;
      proof = rest as IdentityProof;
      person = await this.prove(personNo, name, proof);
    }
    // Identity proven: only now may the answer say anything about the person's card or bindings.
    if (person.personStatus !== 'active' || person.cardStatus === 'cancelled')
      throw new CoreError('CARD_CANCELLED', 'this card has been cancelled');

    const existing = await this.bindings.byOpenid(openid);
    if (existing) return this.repeated(existing, person.personId);
    // One account per person in each app: a student may bind from WeChat and from Alipay.
    const other = await this.bindings.byPerson(person.personId, channelOf(openid));
    if (other) throw alreadyBound();
    // The code is spent only now, when nothing else can refuse the binding but a race at the insert.
    if (proof) await this.spend(person, proof);
    try {
      await this.bindings.insert(openid, person.personId, person.cardNo);
    } catch (error) {
      if (!isDuplicateKey(error)) throw error;
      const raced = await this.bindings.byOpenid(openid);
      if (raced) return this.repeated(raced, person.personId);
      throw alreadyBound();
    }
    // A new phone: bump the card's version so certificates issued to any earlier phone stop working.
    const version = await this.bumpVersion(person.cardNo, person.cardStatus, personNo, 'bound');
    const bound = await this.bindings.byOpenid(openid);
    if (!bound) throw new Error('binding vanished right after it was inserted');
    return { ...bound, created: true, cardVersion: version };
  }

  async get(openid: string): Promise<Binding> {
    const binding = await this.bindings.byOpenid(openid);
    if (!binding) throw new CoreError('BINDING_NOT_FOUND', 'this WeChat account is not bound');
    return binding;
  }

  /** Removes the binding and kills the phone's credential (version bump); a repeat answers unbound: false. */
  async unbind(openid: string): Promise<{ unbound: boolean; cardNo: string | null }> {
    const binding = await this.bindings.byOpenid(openid);
    if (!binding) return { unbound: false, cardNo: null };
    if (!(await this.bindings.remove(openid))) return { unbound: false, cardNo: binding.cardNo };
    const card = await this.cards.get(binding.cardNo);
    await this.bumpVersion(card.cardNo, card.status, binding.personNo, 'unbound');
    return { unbound: true, cardNo: binding.cardNo };
  }

  private async repeated(existing: Binding, personId: string): Promise<BindResult> {
    if (existing.personId !== personId)
      throw new CoreError('ALREADY_BOUND', 'this WeChat account is already bound to another person');
    const card = await this.cards.get(existing.cardNo);
    return { ...existing, created: false, cardVersion: card.version };
  }

  /**
   * Bumps the version of an active card through the card service (so the blacklist follows),
   * recorded as a binding change, never as a reissue (#19.3). A lost or frozen card keeps its
   * status: its credentials are refused already, and the next status change bumps the version again.
   */
  private async bumpVersion(
    cardNo: string,
    status: string,
    personNo: string,
    kind: 'bound' | 'unbound',
  ): Promise<number> {
    if (status !== 'active') return (await this.cards.get(cardNo)).version;
    return (await this.cards.rekey(cardNo, kind, { type: 'self', id: personNo })).version;
  }

  private digestOf(personId: string, secret: string): string {
    return createHmac('sha256', this.#secretKey)
      .update(`${personId}\n${secret.trim().toUpperCase()}`)
      .digest('hex');
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
