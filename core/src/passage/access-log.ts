// The access log (docs/passage.md): the passes and refusals of doors, gates and readers, filtered by a place
// (a door, or everything under a building, an area or a campus), a person, a card, the decision, the
// direction and the source, newest first in pages.

import type { AccessLogQuery, AccessLogRow, Place } from '../contract/passage.ts';
import type { AccessLogRepository } from './access-log-repository.ts';
import { placesAtOrUnder } from './place-subtree.ts';

export class AccessLog {
  constructor(
    private readonly repo: AccessLogRepository,
    private readonly places: () => Promise<Place[]>,
  ) {}

  async page(q: AccessLogQuery): Promise<AccessLogRow[]> {
    const { placeId, ...rest } = q;
    return this.repo.page(rest, placeId === undefined ? null : await this.doorsAtOrUnder(placeId));
  }

  /** The doors at or under a place; an unknown place is NOT_FOUND rather than an empty log. */
  private async doorsAtOrUnder(placeId: string): Promise<string[]> {
    return placesAtOrUnder(await this.places(), placeId)
      .filter((p) => p.kind === 'door')
      .map((p) => p.id);
  }
}
