import type { CoreClient } from '@campus-card/core/client';
import type { Campus, CampusScope, NewCampus } from '@campus-card/core/contract';
import { BffError } from '../../errors.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// Campuses (校区) within one centre for the backoffice (docs/campuses.md): the list every page's picker
// reads, making a campus and linking it to its place tree (super admin), and moving a merchant or a
// device to a campus. Every write is audited. What a campus-scoped admin may reach is enforced in
// ../campus-scope.ts with the scope answered here.

/** The campus an admin is scoped to; null: the whole centre. */
export const campusOf = (admin: AdminSession): string | null => admin.campusId ?? null;

export class CampusAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  async list(): Promise<{ items: Campus[] }> {
    return this.core.campuses();
  }

  async create(admin: AdminSession, input: NewCampus): Promise<Campus> {
    const campus = await this.core.createCampus(input);
    await this.audit.record(admin, 'campus.create', 'campus', campus.id, {
      code: campus.code,
      name: campus.name,
      placeId: campus.placeId,
    });
    return campus;
  }

  async linkPlace(admin: AdminSession, id: string, placeId: string | null): Promise<Campus> {
    const campus = await this.core.linkCampusPlace(id, placeId);
    await this.audit.record(admin, 'campus.place', 'campus', id, { placeId });
    return campus;
  }

  /** Everything of one campus as ids, for the scope checks. */
  scope(campusId: string): Promise<CampusScope> {
    return this.core.campusScope(campusId);
  }

  async assignMerchant(admin: AdminSession, merchantId: string, campusId: string | null) {
    const before = await this.core.getMerchant(merchantId);
    if (before.campusId === campusId) return { merchantId, campusId, changed: false };
    await this.core.setMerchantCampus(merchantId, campusId);
    await this.audit.record(admin, 'merchant.campus', 'merchant', merchantId, {
      from: before.campusId,
      to: campusId,
    });
    return { merchantId, campusId, changed: true };
  }

  async assignDevice(admin: AdminSession, deviceId: string, campusId: string | null) {
    const before = await this.core.getDevice(deviceId);
    const after = await this.core.setDeviceCampus(deviceId, campusId);
    if ((before.campusId ?? null) !== campusId)
      await this.audit.record(admin, 'device.campus', 'device', deviceId, {
        from: before.campusId ?? null,
        to: campusId,
      });
    return after;
  }

  /** A campus a request names must exist (CAMPUS_NOT_FOUND), so nothing is put on a campus of nobody. */
  async known(campusId: string | null | undefined): Promise<void> {
    if (campusId === null || campusId === undefined) return;
    if (!(await this.core.campuses()).items.some((c) => c.id === campusId))
      throw new BffError('CAMPUS_NOT_FOUND', 'no such campus');
  }
}
