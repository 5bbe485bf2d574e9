import type { CoreClient } from '@campus-card/core/client';
import type { AccessLogQuery, AccessLogRow } from '@campus-card/core/contract';
import { formatDateTime } from '@campus-card/core/time';
import { type Download, sheetDownload } from '../../http/download.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

/** The most rows one export holds (the core's page limit); a longer period is exported in parts. */
export const accessLogExportRows = 5_000;

/** Why a door or reader refused, as the security office reads it (docs/protocol.md §8.3 and §16). */
const reasonWords: Record<string, string> = {
  CARD_LOST: '卡已挂失',
  CARD_FROZEN: '卡已冻结',
  CARD_CANCELLED: '卡已注销',
  CARD_NOT_FOUND: '卡不存在',
  CREDENTIAL_REVOKED: '码已失效（卡片已变更）',
  CODE_INVALID: '码无效',
  CODE_EXPIRED: '码已过期',
  CODE_REPLAYED: '码已被使用',
  NOT_PERMITTED: '人员类别不允许',
  OUTSIDE_WINDOW: '不在开放时段',
  SERVICE_UNAVAILABLE: '服务暂不可用',
  NO_PASSAGE_RIGHT: '无通行权限',
  PASSAGE_DENIED: '被规则禁止',
  CURFEW: '宿舍门禁时段',
  PASSBACK: '反潜回',
};
const directionWords: Record<string, string> = { in: '进', out: '出', none: '—' };

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
      directionWords[r.direction] ?? '',
      r.decision === 'allow' ? '通过' : '拒绝',
      r.reason === null ? '' : (reasonWords[r.reason] ?? '其他原因'),
      r.source === 'online' ? '在线' : '脱机上传',
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
