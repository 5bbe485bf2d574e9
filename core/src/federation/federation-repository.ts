import type { CentreKey, OfflinePolicy } from '../contract/federation.ts';
import type { Database } from '../db/database.ts';

export interface CentreRow {
  id: string;
  name: string;
  linkUrl: string;
  linkSecretEnc: string;
  /** The secret a rotation brings in (sql/216): signs from nextFromMs, alone from oldUntilMs. */
  linkSecretNext: { enc: string; fromMs: number; oldUntilMs: number } | null;
  status: 'active' | 'suspended';
  merchantId: string;
  receivableAccountId: string;
  /** Its offline policy for its cards here, as last read over its link (sql/190). */
  offlinePolicy: OfflinePolicy & { readAtMs: number | null };
}

const keyColumns = 'kid, centre_id, public_key_hex, valid_from_ms, valid_to_ms, revoked_at_ms';

/** The trust list: federation_centres and federation_keys (sql/160_federation.sql). */
export class FederationRepository {
  constructor(private readonly db: Database) {}

  async centre(id: string): Promise<CentreRow | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM federation_centres WHERE id = ?',
      [id],
    );
    return rows[0] === undefined ? undefined : toCentre(rows[0]);
  }

  async centres(): Promise<CentreRow[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      'SELECT * FROM federation_centres ORDER BY id',
    );
    return rows.map(toCentre);
  }

  /** The centre with its keys, in one transaction: a kid taken (here or by another centre) throws duplicate. */
  async insertCentre(centre: CentreRow, keys: readonly CentreKey[], nowMs: number): Promise<void> {
    await this.db.transaction(async (tx) => {
      await this.db.execute(
        `INSERT INTO federation_centres (id, name, link_url, link_secret_enc, status, merchant_id, receivable_account_id, created_at_ms, updated_at_ms)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          centre.id,
          centre.name,
          centre.linkUrl,
          centre.linkSecretEnc,
          centre.status,
          centre.merchantId,
          centre.receivableAccountId,
          nowMs,
          nowMs,
        ],
        tx,
      );
      for (const key of keys) await this.insertKeyIn(key, nowMs, tx);
    });
  }

  /**
   * Sets a centre's link secrets as a rotation leaves them, only if they are still the ones read (the
   * sealed values, each sealed with its own IV): false when another rotation came first.
   */
  async setLinkSecrets(
    read: CentreRow,
    currentEnc: string,
    next: NonNullable<CentreRow['linkSecretNext']> | null,
    nowMs: number,
  ): Promise<boolean> {
    const changed = await this.db.execute(
      `UPDATE federation_centres SET link_secret_enc = ?, link_secret_next_enc = ?, link_secret_next_from_ms = ?,
         link_secret_old_until_ms = ?, updated_at_ms = ?
       WHERE id = ? AND link_secret_enc = ? AND COALESCE(link_secret_next_enc, '') = ?`,
      [
        currentEnc,
        next?.enc ?? null,
        next?.fromMs ?? null,
        next?.oldUntilMs ?? null,
        nowMs,
        read.id,
        read.linkSecretEnc,
        read.linkSecretNext?.enc ?? '',
      ],
    );
    return changed === 1;
  }

  /** A new key and, when named, the key it replaces stops signing at the new one's valid-from. */
  async rotate(key: CentreKey, retireKid: number | undefined, nowMs: number): Promise<boolean> {
    return this.db.transaction(async (tx) => {
      await this.insertKeyIn(key, nowMs, tx);
      if (retireKid === undefined) return true;
      const retired = await this.db.execute(
        'UPDATE federation_keys SET valid_to_ms = ? WHERE kid = ? AND centre_id = ? AND valid_from_ms < ?',
        [key.validFromMs, retireKid, key.centreId, key.validFromMs],
        tx,
      );
      if (retired !== 1) throw new RetireRefused();
      return true;
    });
  }

  async setStatus(id: string, status: CentreRow['status'], nowMs: number): Promise<boolean> {
    const updated = await this.db.execute(
      'UPDATE federation_centres SET status = ?, updated_at_ms = ? WHERE id = ?',
      [status, nowMs, id],
    );
    return updated === 1 || (await this.centre(id)) !== undefined;
  }

  /** The centre's offline policy as just read over its link. */
  async setOfflinePolicy(id: string, policy: OfflinePolicy, nowMs: number): Promise<void> {
    await this.db.execute(
      'UPDATE federation_centres SET offline_payment_max_fen = ?, offline_card_cap_fen = ?, offline_policy_at_ms = ? WHERE id = ?',
      [policy.paymentMaxFen, policy.cardCapFen, nowMs, id],
    );
  }

  /** Marks a key revoked once; false when there is no such key. */
  async revoke(kid: number, nowMs: number): Promise<boolean> {
    await this.db.execute(
      'UPDATE federation_keys SET revoked_at_ms = ? WHERE kid = ? AND revoked_at_ms IS NULL',
      [nowMs, kid],
    );
    return (await this.key(kid)) !== undefined;
  }

  async key(kid: number): Promise<CentreKey | undefined> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${keyColumns} FROM federation_keys WHERE kid = ?`,
      [kid],
    );
    return rows[0] === undefined ? undefined : toKey(rows[0]);
  }

  async keys(): Promise<CentreKey[]> {
    const rows = await this.db.select<Record<string, unknown>>(
      `SELECT ${keyColumns} FROM federation_keys ORDER BY centre_id, kid`,
    );
    return rows.map(toKey);
  }

  private async insertKeyIn(key: CentreKey, nowMs: number, tx: Parameters<Database['execute']>[2]) {
    await this.db.execute(
      `INSERT INTO federation_keys (kid, centre_id, public_key_hex, valid_from_ms, valid_to_ms, revoked_at_ms, created_at_ms)
       VALUES (?, ?, ?, ?, ?, NULL, ?)`,
      [key.kid, key.centreId, key.publicKeyHex, key.validFromMs, key.validToMs, nowMs],
      tx,
    );
  }
}

/** The key named to retire is not this centre's, or not older than the new one. */
export class RetireRefused extends Error {}

function toCentre(r: Record<string, unknown>): CentreRow {
  return {
    id: String(r.id),
    name: String(r.name),
    linkUrl: String(r.link_url),
    linkSecretEnc: String(r.link_secret_enc),
    linkSecretNext:
      r.link_secret_next_enc === null || r.link_secret_next_enc === undefined
        ? null
        : {
            enc: String(r.link_secret_next_enc),
            fromMs: Number(r.link_secret_next_from_ms),
            oldUntilMs: Number(r.link_secret_old_until_ms),
          },
    status: r.status === 'suspended' ? 'suspended' : 'active',
    merchantId: String(r.merchant_id),
    receivableAccountId: String(r.receivable_account_id),
    offlinePolicy: {
      paymentMaxFen: Number(r.offline_payment_max_fen ?? 0),
      cardCapFen: Number(r.offline_card_cap_fen ?? 0),
      readAtMs:
        r.offline_policy_at_ms === null || r.offline_policy_at_ms === undefined
          ? null
          : Number(r.offline_policy_at_ms),
    },
  };
}

function toKey(r: Record<string, unknown>): CentreKey {
  return {
    kid: Number(r.kid),
    centreId: String(r.centre_id),
    publicKeyHex: String(r.public_key_hex),
    validFromMs: Number(r.valid_from_ms),
    validToMs: r.valid_to_ms === null ? null : Number(r.valid_to_ms),
    revokedAtMs: r.revoked_at_ms === null ? null : Number(r.revoked_at_ms),
  };
}
