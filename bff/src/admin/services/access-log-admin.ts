import type { CoreClient } from '@campus-card/core/client';
import {
  type AccessLogQuery,
  type AccessLogRow,
  accessDecisionWords,
  accessDirectionWords,
  accessReasonWords,
  accessSourceWords,
  otherReasonWord,
} from '@campus-card/core/contract';
import { formatDateTime } from '@campus-card/core/time';
import { type Download, sheetDownload } from '../../http/download.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

/** The most rows one export holds (the core's page limit); a longer period is exported in parts. */
export const accessLogExportRows = 5_000;

function table(rows: readonly AccessLogRow[]) {
  return {
    header: ['时间', '门', '设备', '学工号', '姓名', '卡号', '方向', '结果', '原因', '来源'],
    rows: rows.map((r) => [
      formatDateTime(r.occurredAtMs),
      r.doorName ?? '',
      r.deviceId,
      r.personNo ?? '',
      r.name ?? '',
      r.cardNo ?? '',
      r.direction === 'none' ? '' : (accessDirectionWords[r.direction] ?? ''),
      accessDecisionWords[r.decision] ?? '',
      r.reason === null ? '' : (accessReasonWords[r.reason] ?? otherReasonWord),
      accessSourceWords[r.source] ?? '',
    ]),
  };
}

/**
 * The access log in the backoffice (保卫处, 宿管): pages of it, and its export, which is audited with
 * the filters it was made with since it carries people's movements.
 */
export class AccessLogAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  page(q: Partial<AccessLogQuery>): Promise<{ items: AccessLogRow[] }> {
    return this.core.passageLog(q);
  }

  async export(admin: AdminSession, q: Partial<AccessLogQuery>, format: 'csv' | 'xlsx'): Promise<Download> {
    const { beforeAtMs: _at, beforeId: _id, limit: _limit, ...filters } = q;
    const { items } = await this.core.passageLog({ ...filters, limit: accessLogExportRows });
    await this.audit.record(admin, 'passage.log_export', 'access_log', null, {
      ...filters,
      rows: items.length,
      format,
    });
    return sheetDownload('access-log', format, table(items));
  }
}
