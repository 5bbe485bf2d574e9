// A gate's IDENTITY_CHECK in one call (docs/passage.md): the card's state, the door's rules where the
// device serves a door, and the access event, so the gateway makes one round trip per person at a gate.

import type { CardService } from '../cards/card-service.ts';
import type { CardView } from '../contract/cards.ts';
import type { GateCheck, GateCheckAnswer, GateRefusal } from '../contract/passage.ts';
import type { AccessEvents } from '../devices/access-events.ts';
import { CoreError } from '../errors.ts';
import type { PassageService } from './passage-service.ts';

const refusalOfStatus: Readonly<Record<Exclude<CardView['status'], 'active'>, GateRefusal>> = {
  lost: 'CARD_LOST',
  frozen: 'CARD_FROZEN',
  cancelled: 'CARD_CANCELLED',
};

export class GateChecks {
  constructor(
    private readonly cards: Pick<CardService, 'get'>,
    private readonly passage: Pick<PassageService, 'decide'>,
    private readonly access: Pick<AccessEvents, 'record' | 'under'>,
  ) {}

  /**
   * The answer the online check under this (device, sequence) was given, or null: the same frame retried at
   * another gateway, whose shared replay guard finds the code used by the first try. An allow is answered
   * with the holder's current name and type, as the first answer was made from the card.
   */
  async answered(deviceId: string, sequence: number): Promise<GateCheckAnswer | null> {
    const event = await this.access.under(deviceId, sequence);
    if (event?.source !== 'online' || event.cardNo === null) return null;
    if (event.decision === 'deny')
      return { decision: 'deny', reason: (event.reason ?? 'NO_PASSAGE_RIGHT') as GateRefusal };
    const card = await this.card(event.cardNo);
    if (card === undefined) return null;
    return { decision: 'allow', reason: null, personType: card.personType, name: card.name };
  }

  /**
   * Decided, then recorded before the answer goes out, so nobody passes unrecorded: when the event
   * cannot be stored the call fails and the gateway answers SERVICE_UNAVAILABLE (the device then applies
   * its offline rules and uploads its own record). A repeated (device, sequence) is recorded once.
   */
  async check(q: GateCheck): Promise<GateCheckAnswer> {
    const answer = await this.decide(q);
    await this.access.record({
      deviceId: q.deviceId,
      sequence: q.sequence,
      cardNo: q.cardNo,
      direction: q.direction,
      decision: answer.decision,
      reason: answer.decision === 'deny' ? answer.reason : null,
      source: 'online',
      occurredAtMs: q.atMs,
    });
    return answer;
  }

  private async decide(q: GateCheck): Promise<GateCheckAnswer> {
    const card = await this.card(q.cardNo);
    if (card === undefined) return { decision: 'deny', reason: 'CARD_NOT_FOUND' };
    if (card.status !== 'active') return { decision: 'deny', reason: refusalOfStatus[card.status] };
    // Only the card's current version: an older one is a superseded phone, a newer one was never issued.
    if (card.version !== q.cardVersion) return { decision: 'deny', reason: 'CREDENTIAL_REVOKED' };
    // A device at a door decides by the door's rules (recording the passage); elsewhere the card suffices.
    const passage = await this.passage.decide({
      deviceId: q.deviceId,
      cardNo: q.cardNo,
      atMs: q.atMs,
      record: true,
    });
    if (passage !== undefined && passage.decision === 'deny') {
      return { decision: 'deny', reason: passage.reason ?? 'NO_PASSAGE_RIGHT' };
    }
    return { decision: 'allow', reason: null, personType: card.personType, name: card.name };
  }

  private async card(cardNo: string): Promise<CardView | undefined> {
    try {
      return await this.cards.get(cardNo);
    } catch (error) {
      if (error instanceof CoreError && error.code === 'CARD_NOT_FOUND') return undefined;
      throw error;
    }
  }
}
