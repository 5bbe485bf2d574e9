import type { Binding, CoreClient } from '@campus-card/core/client';
import { CoreError } from '@campus-card/core/client';
import type { PersonInsight } from '@campus-card/core/contract/insight';

/** GET /api/v1/my-data: what campus insight holds about the student, or that it holds nothing. */
export type MyData = ({ held: true } & PersonInsight) | { held: false };

/**
 * The signed-in student's own 我的数据 (docs/analytics.md): only the card bound to the session is ever
 * asked for. Where insight is off or has not copied the card yet, the answer is that nothing is held.
 */
export class MyDataService {
  constructor(private readonly core: CoreClient) {}

  async of(binding: Binding): Promise<MyData> {
    try {
      return { held: true, ...(await this.core.insightPerson(binding.cardNo)) };
    } catch (error) {
      if (error instanceof CoreError && error.code === 'NOT_FOUND') return { held: false };
      throw error;
    }
  }
}
