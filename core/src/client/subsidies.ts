import type {
  SubsidySource as BatchSource,
  SubsidyBatch,
  SubsidyClearing,
  SubsidyPreview,
  SubsidyRow,
} from '../contract/subsidies.ts';
import { DomainClient, query } from './transport.ts';

/** Subsidy batches with maker–checker, and term-end clearing. */
export class SubsidiesClient extends DomainClient {
  // Funds (the BFF's admin API): subsidy batches with maker–checker, term-end clearing, reports.
  /** Validates a batch's rows (per-row errors) without storing anything or moving money. */
  previewSubsidyBatch(source: BatchSource): Promise<SubsidyPreview> {
    return this.transport.call('POST', '/v1/subsidy-batches/preview', { source });
  }
  createSubsidyBatch(input: {
    title: string;
    createdBy: string;
    source: BatchSource;
  }): Promise<SubsidyBatch & { rows: SubsidyRow[] }> {
    return this.transport.call('POST', '/v1/subsidy-batches', input);
  }
  subsidyBatches(
    q: { status?: SubsidyBatch['status']; limit?: number; beforeId?: string } = {},
  ): Promise<{ items: SubsidyBatch[]; next: { beforeId: string } | null }> {
    return this.transport.call('GET', `/v1/subsidy-batches${query(q)}`);
  }
  /** The batch with its progress, and a page of its rows (only those with errors when asked). */
  subsidyBatch(
    id: string,
    q: { errorsOnly?: boolean; afterRowNo?: number; limit?: number } = {},
  ): Promise<SubsidyBatch & { rows: SubsidyRow[]; nextRowNo: number | null }> {
    const { errorsOnly, ...rest } = q;
    return this.transport.call(
      'GET',
      `/v1/subsidy-batches/${encodeURIComponent(id)}${query({ ...rest, errorsOnly: errorsOnly === undefined ? undefined : String(errorsOnly) })}`,
    );
  }
  approveSubsidyBatch(id: string, actorId: string): Promise<SubsidyBatch> {
    return this.transport.call('POST', `/v1/subsidy-batches/${encodeURIComponent(id)}/approve`, { actorId });
  }
  rejectSubsidyBatch(id: string, actorId: string, reason: string): Promise<SubsidyBatch> {
    return this.transport.call('POST', `/v1/subsidy-batches/${encodeURIComponent(id)}/reject`, {
      actorId,
      reason,
    });
  }
  /** Starts (or resumes) posting; answers at once — follow the progress with subsidyBatch. */
  postSubsidyBatch(id: string, actorId: string): Promise<SubsidyBatch> {
    return this.transport.call('POST', `/v1/subsidy-batches/${encodeURIComponent(id)}/post`, { actorId });
  }
  startSubsidyClearing(actorId: string, reason: string): Promise<SubsidyClearing> {
    return this.transport.call('POST', '/v1/subsidy-clearings', { actorId, reason });
  }
  /** The cards with subsidy left and their total (fen): what a clearing started now would take. */
  subsidyClearingPreview(): Promise<{ cardCount: number; totalAmount: number }> {
    return this.transport.call('GET', '/v1/subsidy-clearings/preview');
  }
  subsidyClearing(id: string): Promise<SubsidyClearing> {
    return this.transport.call('GET', `/v1/subsidy-clearings/${encodeURIComponent(id)}`);
  }
  subsidyClearings(limit?: number): Promise<{ items: SubsidyClearing[] }> {
    return this.transport.call('GET', `/v1/subsidy-clearings${query({ limit })}`);
  }
}
