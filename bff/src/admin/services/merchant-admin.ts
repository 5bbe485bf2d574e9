import type { CoreClient } from '@campus-card/core/client';
import type { MerchantStatement as Statement, TopUpMismatch } from '@campus-card/core/contract';
import { type Download, sheetDownload } from '../../http/download.ts';
import type { AdminSession } from '../admin-sessions.ts';
import type { AuditTrail } from './audit-trail.ts';

// Merchants and their daily settlement, and the payment platforms' bill reconciliation, for finance.
// The core keeps the merchants, computes each statement twice (operations and journal) and records a
// settled day once (docs/api.md); this service audits every write and every export.

const yuan = (fen: number) => (fen / 100).toFixed(2);
const kindText: Record<string, string> = {
  missing_ours: '我方无此订单',
  missing_theirs: '支付平台账单无此订单',
  amount_differs: '金额不符',
  state_differs: '状态不符',
};
/** A refund's difference, named as a refund's (docs/topups.md § Reconciliation). */
const refundKindText: Record<string, string> = {
  missing_ours: '我方无此退款',
  missing_theirs: '支付平台账单无此退款',
  amount_differs: '退款金额不符',
  state_differs: '退款状态不符',
};
const channelText: Record<'wechat' | 'alipay', string> = { wechat: '微信支付', alipay: '支付宝' };

function statementTable(name: string, s: Statement) {
  return {
    header: [
      '商户编号',
      '商户名称',
      '日期',
      '笔数',
      '交易额(元)',
      '退款笔数',
      '退款额(元)',
      '手续费(元)',
      '结算额(元)',
      '账务核对额(元)',
      '对账',
      '已结算',
    ],
    rows: [
      [
        s.merchantId,
        name,
        s.day,
        s.paymentCount,
        yuan(s.paymentAmount),
        s.refundCount,
        yuan(s.refundAmount),
        yuan(s.feeAmount),
        yuan(s.netAmount),
        yuan(s.journalNetAmount),
        s.reconciled ? '一致' : '不一致',
        s.settled ? '是' : '否',
      ],
    ],
  };
}

function mismatchTable(items: readonly TopUpMismatch[]) {
  return {
    header: ['账单日期', '商户订单号', '退款单号', '渠道', '差异类型', '我方', '支付平台', '发现时间(毫秒)'],
    rows: items.map((m) => [
      m.billDate,
      m.outTradeNo,
      m.outRefundNo ?? '',
      m.channel ? channelText[m.channel] : '',
      (m.outRefundNo ? refundKindText : kindText)[m.kind] ?? m.kind,
      m.ours,
      m.theirs,
      m.foundAtMs,
    ]),
  };
}

/** Merchants for finance: list, create, enable/disable, statements, settlement, bill mismatches. */
export class MerchantAdmin {
  constructor(
    private readonly core: CoreClient,
    private readonly audit: AuditTrail,
  ) {}

  async list() {
    return { items: await this.core.merchants() };
  }

  async create(admin: AdminSession, input: Parameters<CoreClient['createMerchant']>[0]) {
    const merchant = await this.core.createMerchant(input);
    await this.audit.record(admin, 'merchant.create', 'merchant', merchant.id, {
      name: merchant.name,
      category: merchant.category,
      feeRateBp: merchant.feeRateBp,
      campusId: merchant.campusId,
    });
    return merchant;
  }

  /** Enables or disables a merchant; the same status again changes nothing and is not audited. */
  async setStatus(admin: AdminSession, id: string, status: 'active' | 'disabled') {
    const before = await this.core.getMerchant(id);
    if (before.status === status) return { ...before, changed: false };
    await this.core.setMerchantStatus(id, status);
    await this.audit.record(admin, 'merchant.status', 'merchant', id, { from: before.status, to: status });
    return { ...before, status, changed: true };
  }

  /** A merchant's statement of one day, or its export (audited). */
  async statement(
    admin: AdminSession,
    id: string,
    day: string,
    format: 'json' | 'csv' | 'xlsx',
  ): Promise<Statement | Download> {
    const statement = await this.core.statement(id, day);
    if (format === 'json') return statement;
    const merchant = await this.core.getMerchant(id);
    await this.audit.record(admin, 'settlement.export', 'merchant', id, { day, format });
    return sheetDownload(`statement-${id}-${day}`, format, statementTable(merchant.name, statement));
  }

  /** Every merchant's day, or one campus's merchants' (docs/campuses.md). */
  async settleDay(admin: AdminSession, day: string, campusId?: string) {
    const statements = await this.core.settleDay(day, campusId);
    await this.audit.record(admin, 'settlement.run', 'settlement', day, {
      campusId: campusId ?? null,
      merchants: statements.length,
      netAmount: statements.reduce((sum, st) => sum + st.netAmount, 0),
    });
    return { items: statements };
  }

  /** One day's differences against the platforms' bills, or their export (audited). */
  async mismatches(
    admin: AdminSession,
    q: { billDate: string; format: 'json' | 'csv' | 'xlsx'; channel?: 'wechat' | 'alipay' | undefined },
  ): Promise<{ items: TopUpMismatch[] } | Download> {
    const all = (await this.core.topUpMismatches({ billDate: q.billDate, limit: 1000 })).items;
    // A channel keeps the rows of our orders of that channel (one we never made has no channel).
    const items = q.channel ? all.filter((m) => m.channel === q.channel) : all;
    if (q.format === 'json') return { items };
    await this.audit.record(admin, 'reconciliation.export', 'top_up_bill', q.billDate, {
      rows: items.length,
      format: q.format,
    });
    return sheetDownload(`top-up-mismatches-${q.billDate}`, q.format, mismatchTable(items));
  }
}
