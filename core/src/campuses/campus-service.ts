import type { Campus, CampusScope, DeviceCampus, NewCampus } from '../contract/campuses.ts';
import type { Place } from '../contract/passage.ts';
import { isDuplicateKey } from '../db/database.ts';
import type { DeviceService } from '../devices/device-service.ts';
import { CoreError } from '../errors.ts';
import { newId } from '../ids.ts';
import type { MerchantService } from '../merchants/merchant-service.ts';
import type { PassageService } from '../passage/passage-service.ts';
import type { CampusRepository } from './campus-repository.ts';

export type { Campus, CampusScope, DeviceCampus } from '../contract/campuses.ts';

/** The most devices one campus question reads (the devices list's own bound). */
const devicesMax = 1_000;

/**
 * Campuses (校区) within one card centre (docs/campuses.md). The campus domain writes only its campuses
 * table; a merchant's or device's campus is set through that domain's service, and the place tree is the
 * passage domain's: a campus is linked to the root place of its tree, never a copy of it.
 */
export class CampusService {
  constructor(
    private readonly repository: CampusRepository,
    private readonly merchants: MerchantService,
    private readonly devices: DeviceService,
    private readonly passage: PassageService,
  ) {}

  list(): Promise<Campus[]> {
    return this.repository.list();
  }

  async get(id: string): Promise<Campus> {
    const campus = await this.repository.find(id);
    if (!campus) throw new CoreError('CAMPUS_NOT_FOUND', 'no such campus');
    return campus;
  }

  async create(input: NewCampus): Promise<Campus> {
    const now = Date.now();
    const placeId = input.placeId ?? null;
    if (placeId !== null) await this.rootPlace(placeId);
    const campus: Campus = { id: input.id ?? newId(now), code: input.code, name: input.name.trim(), placeId };
    try {
      await this.repository.insert({ ...campus, createdAtMs: now });
    } catch (error) {
      // The same id or code, or a place tree that is already another campus's.
      if (isDuplicateKey(error))
        throw new CoreError('ALREADY_EXISTS', 'a campus with that id, code or place exists');
      throw error;
    }
    return campus;
  }

  /** Links the campus to the root of its place tree (a place of kind campus), or unlinks it. */
  async linkPlace(id: string, placeId: string | null): Promise<Campus> {
    await this.get(id);
    if (placeId !== null) await this.rootPlace(placeId);
    try {
      await this.repository.setPlace(id, placeId);
    } catch (error) {
      if (isDuplicateKey(error)) throw new CoreError('ALREADY_EXISTS', 'that place tree is another campus’s');
      throw error;
    }
    return this.get(id);
  }

  async assignMerchant(merchantId: string, campusId: string | null): Promise<void> {
    if (campusId !== null) await this.get(campusId);
    await this.merchants.setCampus(merchantId, campusId);
  }

  /**
   * Sets a device's own campus. A device bound to a door takes its door's campus, so naming another
   * campus for it is refused (CAMPUS_FIXED_BY_PLACE) rather than stored and silently overridden.
   */
  async assignDevice(deviceId: string, campusId: string | null): Promise<DeviceCampus | null> {
    if (campusId !== null) await this.get(campusId);
    await this.devices.get(deviceId);
    const fromPlace = (await this.placeCampuses()).get(deviceId);
    if (fromPlace !== undefined && fromPlace !== campusId)
      throw new CoreError('CAMPUS_FIXED_BY_PLACE', 'the device is bound to a door of another campus');
    await this.devices.setCampus(deviceId, campusId);
    return (await this.deviceCampuses()).find((d) => d.deviceId === deviceId) ?? null;
  }

  /** Every device that has a campus, by its door's place tree first, else its own row. */
  async deviceCampuses(): Promise<DeviceCampus[]> {
    const fromPlace = await this.placeCampuses();
    const answer: DeviceCampus[] = [];
    for (const device of await this.devices.list(devicesMax)) {
      const placeCampus = fromPlace.get(device.id);
      if (placeCampus !== undefined)
        answer.push({ deviceId: device.id, campusId: placeCampus, source: 'place' });
      else if (device.campusId)
        answer.push({ deviceId: device.id, campusId: device.campusId, source: 'device' });
    }
    return answer;
  }

  /** Everything of one campus as ids: its places, merchants and devices (what a campus admin may touch). */
  async scope(id: string): Promise<CampusScope> {
    const campus = await this.get(id);
    const places = campus.placeId === null ? [] : this.subtree(await this.passage.places(), campus.placeId);
    const devices = await this.deviceCampuses();
    return {
      campusId: id,
      placeIds: places.map((p) => p.id),
      merchantIds: await this.merchants.ids(id),
      deviceIds: devices.filter((d) => d.campusId === id).map((d) => d.deviceId),
    };
  }

  /** The campus of each device bound to a door whose place tree is linked to a campus. */
  private async placeCampuses(): Promise<Map<string, string>> {
    const campuses = await this.repository.list();
    const byRoot = new Map(
      campuses.filter((c) => c.placeId !== null).map((c) => [c.placeId as string, c.id]),
    );
    if (byRoot.size === 0) return new Map();
    const places = new Map((await this.passage.places()).map((p) => [p.id, p]));
    const rootOf = (placeId: string): string | undefined => {
      let place = places.get(placeId);
      // The tree is campus → area → building → door; the bound keeps a damaged tree from looping.
      for (let depth = 0; place && place.parentId !== null && depth < 16; depth += 1)
        place = places.get(place.parentId);
      return place?.id;
    };
    const answer = new Map<string, string>();
    for (const { deviceId, doorId } of await this.passage.doorDevices()) {
      const root = rootOf(doorId);
      const campusId = root === undefined ? undefined : byRoot.get(root);
      if (campusId !== undefined) answer.set(deviceId, campusId);
    }
    return answer;
  }

  private subtree(all: readonly Place[], rootId: string): Place[] {
    const children = new Map<string, Place[]>();
    for (const p of all) {
      if (p.parentId === null) continue;
      const list = children.get(p.parentId) ?? [];
      list.push(p);
      children.set(p.parentId, list);
    }
    const root = all.find((p) => p.id === rootId);
    if (!root) return [];
    const answer: Place[] = [];
    const queue = [root];
    for (let place = queue.shift(); place; place = queue.shift()) {
      answer.push(place);
      queue.push(...(children.get(place.id) ?? []));
    }
    return answer;
  }

  /** The place must exist and be the root of a tree (kind campus). */
  private async rootPlace(placeId: string): Promise<void> {
    const place = (await this.passage.places()).find((p) => p.id === placeId);
    if (!place) throw new CoreError('NOT_FOUND', 'no such place');
    if (place.kind !== 'campus')
      throw new CoreError('VALIDATION_FAILED', 'a campus links to a place of kind campus');
  }
}
