import type { AuditLog } from '../admin/audit-log.ts';
import type {
  Centre,
  CentreKey,
  CentreStatusBody,
  NewCentre,
  OfflinePolicy,
  RevokeCentreKey,
  RotateCentreKey,
  RotateLinkSecret,
  TrustedKeys,
} from '../contract/federation.ts';
import { isDuplicateKey } from '../db/database.ts';
import { CoreError } from '../errors.ts';
import type { LedgerService } from '../ledger/ledger-service.ts';
import type { MerchantService } from '../merchants/merchant-service.ts';
import type { Pii } from '../pii.ts';
import { secretWeakness } from '../secrets.ts';
import { type CentreRow, type FederationRepository, RetireRefused } from './federation-repository.ts';
import { linkSecretsAt, type OpenLinkSecrets } from './link-secrets.ts';

/**
 * How long a trusted centre's row and link secret are reused on the payment path, where every request
 * needs them twice (link signature, then the payment): a suspension or a new secret counts within it.
 */
const centreReuseMs = 1_000;

/**
 * The centres this one federates with (docs/federation.md): their campus keys with rotation and
 * revocation, and their link secrets. Every change is appended to the audit chain, naming the admin.
 */
export class TrustList {
  /** Trusted centres recently read (only ones that exist, so unknown ids cannot grow it). */
  private readonly recent = new Map<string, { atMs: number; centre: CentreRow; secrets: OpenLinkSecrets }>();

  constructor(
    private readonly repository: FederationRepository,
    private readonly merchants: MerchantService,
    private readonly ledger: LedgerService,
    private readonly pii: Pii,
    private readonly audit: AuditLog,
    private readonly ownCentreId: string,
    /** Production: a link URL must be https (the PIN travels on it). */
    private readonly linkTlsRequired = false,
  ) {}

  async add(input: NewCentre): Promise<Centre> {
    if (input.id === this.ownCentreId)
      throw new CoreError('VALIDATION_FAILED', 'a centre does not federate with itself');
    if (this.linkTlsRequired && !input.linkUrl.startsWith('https:'))
      throw new CoreError('VALIDATION_FAILED', 'the link URL must be https in production');
    // The link secret signs money requests both ways: the same rule as the core's service keys, always.
    const weakness = secretWeakness(input.linkSecret);
    if (weakness !== undefined) throw new CoreError('VALIDATION_FAILED', `the link secret ${weakness}`);
    if (await this.repository.centre(input.id))
      throw new CoreError('ALREADY_EXISTS', 'that centre is already trusted');
    await this.assertKidsFree(input.keys.map((k) => k.kid));
    // What our cards spend at its devices is owed to it: it is a merchant in our books. What its cards
    // spend at ours it owes us: a receivable account of its own.
    const merchant = await this.merchants.create({ name: `${input.name}（联盟中心）`, category: 'other' });
    const receivableAccountId = await this.ledger.openCentreReceivable(input.id);
    const nowMs = Date.now();
    const row: CentreRow = {
      id: input.id,
      name: input.name,
      linkUrl: input.linkUrl.replace(/\/+$/, ''),
      linkSecretEnc: this.pii.encrypt(input.linkSecret),
      linkSecretNext: null,
      status: 'active',
      merchantId: merchant.id,
      receivableAccountId,
      offlinePolicy: { paymentMaxFen: 0, cardCapFen: 0, readAtMs: null },
    };
    const keys = input.keys.map((k) => ({
      ...k,
      centreId: input.id,
      validToMs: k.validToMs ?? null,
      revokedAtMs: null,
    }));
    try {
      await this.repository.insertCentre(row, keys, nowMs);
    } catch (error) {
      if (isDuplicateKey(error))
        throw new CoreError('FEDERATION_KEY_CONFLICT', 'a key id or the centre is taken');
      throw error;
    }
    await this.audit.append({
      actorType: 'admin',
      actorId: input.adminId,
      action: 'federation.centre_add',
      targetType: 'centre',
      targetId: input.id,
      detail: { name: input.name, linkUrl: row.linkUrl, kids: keys.map((k) => k.kid) },
    });
    return this.get(input.id);
  }

  async rotate(centreId: string, input: RotateCentreKey): Promise<Centre> {
    await this.centre(centreId);
    await this.assertKidsFree([input.key.kid]);
    const key: CentreKey = {
      ...input.key,
      centreId,
      validToMs: input.key.validToMs ?? null,
      revokedAtMs: null,
    };
    try {
      await this.repository.rotate(key, input.retireKid, Date.now());
    } catch (error) {
      if (isDuplicateKey(error)) throw new CoreError('FEDERATION_KEY_CONFLICT', `key id ${key.kid} is taken`);
      if (error instanceof RetireRefused)
        throw new CoreError('VALIDATION_FAILED', "the key to retire is not this centre's or not older");
      throw error;
    }
    await this.audit.append({
      actorType: 'admin',
      actorId: input.adminId,
      action: 'federation.key_rotate',
      targetType: 'centre',
      targetId: centreId,
      detail: { kid: key.kid, validFromMs: key.validFromMs, retiredKid: input.retireKid ?? null },
    });
    return this.get(centreId);
  }

  /**
   * A new link secret with an overlap (docs/federation.md § Link secret rotation): it signs from
   * signFromMs and both are accepted until retireOldAtMs. A rotation whose old secret is retired is
   * complete and the next one may start; one still under way is refused.
   */
  async rotateLinkSecret(centreId: string, input: RotateLinkSecret): Promise<Centre> {
    const row = await this.centre(centreId);
    const nowMs = Date.now();
    const weakness = secretWeakness(input.linkSecret);
    if (weakness !== undefined) throw new CoreError('VALIDATION_FAILED', `the link secret ${weakness}`);
    if (row.linkSecretNext !== null && nowMs < row.linkSecretNext.oldUntilMs)
      throw new CoreError(
        'INVALID_TRANSITION',
        'a link secret rotation is under way: retire its old secret first',
      );
    const current = row.linkSecretNext?.enc ?? row.linkSecretEnc;
    const secrets = [
      this.pii.decrypt(row.linkSecretEnc),
      ...(row.linkSecretNext ? [this.pii.decrypt(row.linkSecretNext.enc)] : []),
    ];
    if (secrets.includes(input.linkSecret))
      throw new CoreError('VALIDATION_FAILED', 'the new link secret must differ from the ones it replaces');
    const signFromMs = input.signFromMs ?? nowMs;
    const next = {
      enc: this.pii.encrypt(input.linkSecret),
      fromMs: signFromMs,
      oldUntilMs: input.retireOldAtMs,
    };
    if (!(await this.repository.setLinkSecrets(row, current, next, nowMs)))
      throw new CoreError('INVALID_TRANSITION', 'the link secret was changed meanwhile: try again');
    this.recent.delete(centreId);
    await this.audit.append({
      actorType: 'admin',
      actorId: input.adminId,
      action: 'federation.link_secret_rotate',
      targetType: 'centre',
      targetId: centreId,
      detail: { signFromMs, retireOldAtMs: input.retireOldAtMs },
    });
    return this.get(centreId);
  }

  /** Ends a rotation's overlap now: the old secret is refused (only once the new one signs). */
  async retireOldLinkSecret(centreId: string, adminId: string): Promise<Centre> {
    const row = await this.centre(centreId);
    const nowMs = Date.now();
    const next = row.linkSecretNext;
    if (next === null || nowMs >= next.oldUntilMs)
      throw new CoreError('INVALID_TRANSITION', 'no link secret rotation is under way');
    if (nowMs < next.fromMs)
      throw new CoreError('INVALID_TRANSITION', 'the new link secret does not sign yet');
    if (!(await this.repository.setLinkSecrets(row, next.enc, null, nowMs)))
      throw new CoreError('INVALID_TRANSITION', 'the link secret was changed meanwhile: try again');
    this.recent.delete(centreId);
    await this.audit.append({
      actorType: 'admin',
      actorId: adminId,
      action: 'federation.link_secret_retire',
      targetType: 'centre',
      targetId: centreId,
      detail: { retiredAtMs: nowMs },
    });
    return this.get(centreId);
  }

  /** Suspends a centre (its link, keys and cards are refused here) or makes it active again. */
  async setStatus(id: string, input: CentreStatusBody): Promise<Centre> {
    if (!(await this.repository.setStatus(id, input.status, Date.now())))
      throw new CoreError('FEDERATION_CENTRE_NOT_FOUND', 'that centre is not trusted');
    this.recent.delete(id);
    await this.audit.append({
      actorType: 'admin',
      actorId: input.adminId,
      action: 'federation.centre_status',
      targetType: 'centre',
      targetId: id,
      detail: { status: input.status },
    });
    return this.get(id);
  }

  async revoke(kid: number, input: RevokeCentreKey): Promise<CentreKey> {
    if (!(await this.repository.revoke(kid, Date.now())))
      throw new CoreError('FEDERATION_KEY_NOT_FOUND', 'no such key');
    const key = (await this.repository.key(kid)) as CentreKey;
    await this.audit.append({
      actorType: 'admin',
      actorId: input.adminId,
      action: 'federation.key_revoke',
      targetType: 'centre',
      targetId: key.centreId,
      detail: { kid, reason: input.reason },
    });
    return key;
  }

  async list(): Promise<Centre[]> {
    const keys = await this.repository.keys();
    return (await this.repository.centres()).map((c) => toCentre(c, keys));
  }

  async get(id: string): Promise<Centre> {
    const centre = await this.centre(id);
    return toCentre(centre, await this.repository.keys());
  }

  /** What a gateway trusts besides its own keys: the unrevoked keys of active centres. */
  async trustedKeys(): Promise<TrustedKeys> {
    const centres = (await this.repository.centres()).filter((c) => c.status === 'active');
    const active = new Set(centres.map((c) => c.id));
    const keys = (await this.repository.keys()).filter(
      (k) => k.revokedAtMs === null && active.has(k.centreId),
    );
    return {
      centreId: this.ownCentreId,
      keys: keys.map(({ revokedAtMs: _revoked, ...k }) => k),
      policies: centres.map((c) => ({
        centreId: c.id,
        paymentMaxFen: c.offlinePolicy.paymentMaxFen,
        cardCapFen: c.offlinePolicy.cardCapFen,
      })),
    };
  }

  /** A trusted, active centre's row with the link secret our requests are signed with now. */
  async activeCentre(id: string): Promise<CentreRow & { linkSecret: string }> {
    const hit = await this.reused(id);
    if (hit === undefined) throw new CoreError('FEDERATION_CENTRE_NOT_FOUND', 'that centre is not trusted');
    if (hit.centre.status !== 'active')
      throw new CoreError('FEDERATION_CENTRE_NOT_FOUND', 'that centre is suspended');
    return { ...hit.centre, linkSecret: linkSecretsAt(hit.secrets, Date.now()).signing };
  }

  /** A centre's offline policy as just read over its link; counts here at once. */
  async setOfflinePolicy(id: string, policy: OfflinePolicy): Promise<void> {
    await this.repository.setOfflinePolicy(id, policy, Date.now());
    this.recent.delete(id);
  }

  /** The ledger account of the merchant that stands for a centre (what we owe it). */
  async merchantAccountOf(merchantId: string): Promise<string> {
    return (await this.merchants.get(merchantId)).accountId;
  }

  /**
   * The link secrets an incoming request's key id (a centre id) may be signed with, if that centre is
   * trusted now: one, or two during a rotation's overlap. None for an unknown or suspended centre.
   */
  async linkSecrets(centreId: string): Promise<string[]> {
    const hit = await this.reused(centreId);
    return hit?.centre.status === 'active' ? linkSecretsAt(hit.secrets, Date.now()).accepted : [];
  }

  private async reused(id: string): Promise<{ centre: CentreRow; secrets: OpenLinkSecrets } | undefined> {
    const nowMs = Date.now();
    const hit = this.recent.get(id);
    if (hit !== undefined && nowMs - hit.atMs < centreReuseMs) return hit;
    const centre = await this.repository.centre(id);
    if (centre === undefined) return undefined;
    const next = centre.linkSecretNext;
    const secrets: OpenLinkSecrets = {
      current: this.pii.decrypt(centre.linkSecretEnc),
      next: next && { secret: this.pii.decrypt(next.enc), fromMs: next.fromMs, oldUntilMs: next.oldUntilMs },
    };
    const reused = { atMs: nowMs, centre, secrets };
    this.recent.set(id, reused);
    return reused;
  }

  private async centre(id: string): Promise<CentreRow> {
    const centre = await this.repository.centre(id);
    if (!centre) throw new CoreError('FEDERATION_CENTRE_NOT_FOUND', 'that centre is not trusted');
    return centre;
  }

  private async assertKidsFree(kids: readonly number[]): Promise<void> {
    if (new Set(kids).size !== kids.length)
      throw new CoreError('VALIDATION_FAILED', 'a key id is listed twice');
    for (const kid of kids)
      if (await this.repository.key(kid))
        throw new CoreError('FEDERATION_KEY_CONFLICT', `key id ${kid} is already trusted`);
  }
}

function toCentre(c: CentreRow, keys: readonly CentreKey[]): Centre {
  return {
    id: c.id,
    name: c.name,
    linkUrl: c.linkUrl,
    status: c.status,
    merchantId: c.merchantId,
    receivableAccountId: c.receivableAccountId,
    keys: keys.filter((k) => k.centreId === c.id),
    offlinePolicy: c.offlinePolicy,
    linkSecretRotation:
      c.linkSecretNext === null || Date.now() >= c.linkSecretNext.oldUntilMs
        ? null
        : { signFromMs: c.linkSecretNext.fromMs, retireOldAtMs: c.linkSecretNext.oldUntilMs },
  };
}
