import type { Campus, CampusScope, DeviceCampus, NewCampus } from '../contract/campuses.ts';
import { DomainClient } from './transport.ts';

const path = encodeURIComponent;

/** Campuses (校区) within one centre (docs/campuses.md). */
export class CampusesClient extends DomainClient {
  campuses(): Promise<{ items: Campus[] }> {
    return this.transport.call('GET', '/v1/campuses');
  }
  createCampus(input: NewCampus): Promise<Campus> {
    return this.transport.call('POST', '/v1/campuses', input);
  }
  linkCampusPlace(campusId: string, placeId: string | null): Promise<Campus> {
    return this.transport.call('PUT', `/v1/campuses/${path(campusId)}/place`, { placeId });
  }
  /** Everything of one campus as ids: places under its root, merchants, devices by their effective campus. */
  campusScope(campusId: string): Promise<CampusScope> {
    return this.transport.call('GET', `/v1/campuses/${path(campusId)}/scope`);
  }
  /** Every device that has a campus, and where it comes from (its door's place tree, or its own row). */
  deviceCampuses(): Promise<{ items: DeviceCampus[] }> {
    return this.transport.call('GET', '/v1/campuses/devices');
  }
  setMerchantCampus(
    merchantId: string,
    campusId: string | null,
  ): Promise<{ merchantId: string; campusId: string | null }> {
    return this.transport.call('PUT', `/v1/campus-assignments/merchants/${path(merchantId)}`, { campusId });
  }
  setDeviceCampus(
    deviceId: string,
    campusId: string | null,
  ): Promise<{ deviceId: string; campusId: string | null; source: DeviceCampus['source'] | null }> {
    return this.transport.call('PUT', `/v1/campus-assignments/devices/${path(deviceId)}`, { campusId });
  }
}
