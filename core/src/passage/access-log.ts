// The access log (docs/passage.md): the passes and refusals of doors, gates and readers, filtered by a place
// (a door, or everything under a building, an area or a campus), a person, a card, the decision, the
// direction and the source, newest first in pages.

import type { AccessLogQuery, AccessLogRow, Place } from '../contract/passage.ts';
import { CoreError } from '../errors.ts';
import type { AccessLogRepository } from './access-log-repository.ts';

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
    const places = await this.places();
    if (!places.some((p) => p.id === placeId)) throw new CoreError('NOT_FOUND', 'no such place');
    const children = new Map<string, string[]>();
    for (const p of places) {
      if (p.parentId === null) continue;
      const list = children.get(p.parentId) ?? [];
      list.push(p.id);
      children.set(p.parentId, list);
    }
    const kindOf = new Map(places.map((p) => [p.id, p.kind]));
    const doors: string[] = [];
    const stack = [placeId];
    while (stack.length > 0) {
      const id = stack.pop() as string;
      if (kindOf.get(id) === 'door') doors.push(id);
      stack.push(...(children.get(id) ?? []));
    }
    return doors;
  }
}
