import type { CoreClient, PlaceDecision } from '@campus-card/core/client';
import type { BindingService } from './bindings.ts';

/** My passage rights (docs/passage.md): the doors the caller's own bound card opens now. */
export class PassageRights {
  constructor(
    private readonly core: CoreClient,
    private readonly bindings: BindingService,
  ) {}

  /** Always the bound card's, never a card number the caller names. */
  async mine(openid: string): Promise<{ cardNo: string; items: PlaceDecision[] }> {
    const { cardNo } = await this.bindings.require(openid);
    const { items } = await this.core.passageRightsOfCard(cardNo);
    return { cardNo, items };
  }
}
