import type { CoreClient } from '@campus-card/core/client';
import type {
  DoorCommand,
  DoorDevice,
  NewPlace,
  NewRule,
  Place,
  PlaceChange,
  Rule,
} from '@campus-card/core/contract';
import { BffError } from '../../errors.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

/**
 * Campus passage in the backoffice (docs/passage.md): the places tree and its doors' devices, the rules'
 * writes and the remote door commands, each audited with its actor (and a command with its reason)
 * after the core took it.
 */
export class PassageAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  async createPlace(admin: AdminSession, place: NewPlace): Promise<Place> {
    const made = await this.core.createPassagePlace(place);
    await this.audit.record(admin, 'passage.place_create', 'passage_place', made.id, {
      kind: made.kind,
      name: made.name,
      parentId: made.parentId,
    });
    return made;
  }

  async changePlace(admin: AdminSession, placeId: string, change: PlaceChange): Promise<Place> {
    const changed = await this.core.changePassagePlace(placeId, change);
    await this.audit.record(admin, 'passage.place_change', 'passage_place', placeId, { ...change });
    return changed;
  }

  /** Puts a device at a door (moving it from any other door) with the direction it reads. */
  async setDoorDevice(admin: AdminSession, doorId: string, device: DoorDevice): Promise<{ ok: true }> {
    const done = await this.core.setDoorDevice(doorId, device);
    await this.audit.record(admin, 'passage.device_set', 'passage_place', doorId, { ...device });
    return done;
  }

  async removeDoorDevice(admin: AdminSession, deviceId: string): Promise<{ ok: true }> {
    const done = await this.core.removeDoorDevice(deviceId);
    await this.audit.record(admin, 'passage.device_remove', 'device', deviceId);
    return done;
  }

  async createRule(admin: AdminSession, rule: NewRule): Promise<Rule> {
    const made = await this.core.createPassageRule(rule, admin.username);
    await this.audit.record(admin, 'passage.rule_create', 'passage_rule', made.id, {
      name: made.name,
      effect: made.effect,
      who: made.who,
      where: made.where,
    });
    return made;
  }

  async deleteRule(admin: AdminSession, ruleId: string): Promise<{ ok: true }> {
    const rule = (await this.core.passageRules()).items.find((r) => r.id === ruleId);
    if (!rule) throw new BffError('NOT_FOUND', 'no such passage rule');
    const done = await this.core.deletePassageRule(ruleId);
    await this.audit.record(admin, 'passage.rule_delete', 'passage_rule', ruleId, { name: rule.name });
    return done;
  }

  /** A remote door command: the reason is required by the contract and kept in the audit trail. */
  async command(admin: AdminSession, placeId: string, command: DoorCommand) {
    const order = await this.core.doorCommand(placeId, command);
    await this.audit.record(admin, `passage.${command.command}`, 'passage_place', placeId, {
      reason: command.reason,
      ...(command.seconds === undefined ? {} : { seconds: command.seconds }),
      devices: order.deviceIds.length,
    });
    return order;
  }
}
