import type { Place } from '../contract/passage.ts';
import { CoreError } from '../errors.ts';

/**
 * A place and every place under it (a campus's areas, buildings and doors); an unknown place is NOT_FOUND
 * rather than nothing, so a filter by it never reads as "no rows".
 */
export function placesAtOrUnder(places: readonly Place[], placeId: string): Place[] {
  if (!places.some((p) => p.id === placeId)) throw new CoreError('NOT_FOUND', 'no such place');
  const children = new Map<string, Place[]>();
  for (const p of places) {
    if (p.parentId === null) continue;
    const list = children.get(p.parentId) ?? [];
    list.push(p);
    children.set(p.parentId, list);
  }
  const found: Place[] = [];
  const stack = places.filter((p) => p.id === placeId);
  while (stack.length > 0) {
    const place = stack.pop() as Place;
    found.push(place);
    stack.push(...(children.get(place.id) ?? []));
  }
  return found;
}
