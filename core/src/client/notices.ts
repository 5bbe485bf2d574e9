import type { Notice } from '../contract/notices.ts';
import { DomainClient, query } from './transport.ts';

/** Kept notices (monthly statements, alerts). */
export class NoticesClient extends DomainClient {
  /** A person's kept notices (monthly statements, alerts), newest first. */
  personNotices(personId: string, limit = 30): Promise<{ items: Notice[] }> {
    return this.transport.call(
      'GET',
      `/v1/persons/${encodeURIComponent(personId)}/notices${query({ limit })}`,
    );
  }
  /** Sends a month's statement notices now (they also go out on the first of each month). */
  sendMonthlyStatements(month: string): Promise<{ sent: number }> {
    return this.transport.call('POST', '/v1/notices/monthly-statements', { month });
  }
}
