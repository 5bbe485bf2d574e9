import { CoreError } from '../errors.ts';
import type { GuardianLink, GuardianRepository, LinkPatch } from './guardian-repository.ts';

export type { GuardianLink, LinkPatch };

/** How many children one parent account links, and how many parents one child has, at most. */
export const childrenPerParentMax = 10;
export const parentsPerChildMax = 4;

/**
 * Parent links. The BFF proves the child's consent (a one-time invitation the child made) before
 * asking for a link; the core keeps the links, refuses cancelled cards and caps how many there are.
 */
export class GuardianService {
  constructor(private readonly links: GuardianRepository) {}

  /** Links a parent to a child; a repeat answers the existing link with created: false. */
  async link(parentOpenid: string, personNo: string): Promise<GuardianLink & { created: boolean }> {
    const person = await this.links.person(personNo);
    if (!person) throw new CoreError('CARD_NOT_FOUND', 'no such person');
    const existing = await this.links.byParentAndPerson(parentOpenid, person.personId);
    if (existing) return { ...existing, created: false };
    if (person.cardStatus === 'cancelled')
      throw new CoreError('CARD_CANCELLED', 'this card has been cancelled');
    // Counted and inserted under row locks in one transaction: a burst cannot pass a cap.
    const outcome = await this.links.insertCapped(
      parentOpenid,
      person.personId,
      childrenPerParentMax,
      parentsPerChildMax,
    );
    if (outcome === 'parent-full')
      throw new CoreError('LIMIT_EXCEEDED', `a parent links at most ${childrenPerParentMax} children`);
    if (outcome === 'child-full')
      throw new CoreError('LIMIT_EXCEEDED', `a child has at most ${parentsPerChildMax} parents linked`);
    const created = outcome === 'created';
    const link = await this.links.byParentAndPerson(parentOpenid, person.personId);
    if (!link) throw new Error('guardian link vanished right after it was inserted');
    return { ...link, created };
  }

  ofParent(parentOpenid: string): Promise<GuardianLink[]> {
    return this.links.ofParent(parentOpenid);
  }

  ofPerson(personNo: string): Promise<GuardianLink[]> {
    return this.links.ofPerson(personNo);
  }

  async get(id: string): Promise<GuardianLink> {
    const link = await this.links.byId(id);
    if (!link) throw new CoreError('NOT_FOUND', 'no such guardian link');
    return link;
  }

  async update(id: string, patch: LinkPatch): Promise<GuardianLink> {
    if (!(await this.links.update(id, patch))) throw new CoreError('NOT_FOUND', 'no such guardian link');
    return this.get(id);
  }

  /** Removes a link; a repeat answers removed: false. */
  async remove(id: string): Promise<{ removed: boolean }> {
    return { removed: await this.links.remove(id) };
  }
}
