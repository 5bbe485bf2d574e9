import { randomBytes } from 'node:crypto';
import { crc32, deflateRawSync } from 'node:zlib';
import { dayBoundsMs, formatDateTime, parseDay, shanghaiToday } from '@campus-card/core/time';
import { fenToYuan, type Trade } from './orders.ts';

/**
 * The merchant bill alipay.data.dataservice.bill.downloadurl.query points to: a zip holding the
 * detail CSV (`<pid>_<date>_业务明细.csv`) and its summary (`…_业务明细(汇总).csv`), GBK-encoded with
 * CRLF, entry names in GBK bytes without the UTF-8 flag, as Alipay sends them. The layout follows
 * public parsers of real bills (docs/alipay.md); readers should find columns by their header names.
 */
export interface BillFile {
  token: string;
  zipName: string;
  zip: Buffer;
}

export const DETAIL_COLUMNS = [
  '支付宝交易号',
  '商户订单号',
  '业务类型',
  '商品名称',
  '创建时间',
  '完成时间',
  '门店编号',
  '门店名称',
  '操作员',
  '终端号',
  '对方账户',
  '订单金额（元）',
  '商家实收（元）',
  '支付宝红包（元）',
  '集分宝（元）',
  '支付宝优惠（元）',
  '商家优惠（元）',
  '券核销金额（元）',
  '券名称',
  '商家红包消费金额（元）',
  '卡消费金额（元）',
  '退款批次号/请求号',
  '服务费（元）',
  '分润（元）',
  '备注',
] as const;

const SUMMARY_COLUMNS = [
  '门店编号',
  '门店名称',
  '交易订单总笔数',
  '退款订单总笔数',
  '订单金额（元）',
  '商家实收（元）',
  '支付宝优惠（元）',
  '商家优惠（元）',
  '卡消费金额（元）',
  '服务费（元）',
  '分润（元）',
  '实收净额（元）',
];

export interface BillRequest {
  appId: string;
  sellerId: string;
  /** 'YYYY-MM-DD' for a day's bill, 'YYYY-MM' for a month's. */
  billDate: string;
  trades: readonly Trade[];
  nowMs: number;
  /** True serves today's (this month's) bill at once; Alipay serves a day's bill from the next day. */
  sameDay: boolean;
}

/** The bill for a day or month, or undefined when Alipay would answer that no bill exists. */
export function billOf(request: BillRequest): BillFile | undefined {
  const range = rangeOf(request.billDate);
  if (range === undefined) return undefined;
  const today = shanghaiToday(request.nowMs);
  const current = request.billDate.length === 7 ? today.slice(0, 7) : today;
  if (request.sameDay ? request.billDate > current : request.billDate >= current) return undefined;
  const rows: string[][] = [];
  let tradeCount = 0;
  let tradeFen = 0;
  let refundCount = 0;
  let refundFen = 0;
  const within = (atMs: number | undefined) =>
    atMs !== undefined && atMs >= range.startMs && atMs < range.endMs;
  const time = (atMs: number) => formatDateTime(atMs);
  for (const trade of request.trades) {
    if (within(trade.paidAtMs)) {
      tradeCount += 1;
      tradeFen += trade.totalFen;
      rows.push(row(trade, '交易', trade.totalFen, time(trade.createdAtMs), time(trade.paidAtMs ?? 0), ''));
    }
    for (const refund of trade.refunds) {
      if (!within(refund.atMs)) continue;
      refundCount += 1;
      refundFen += refund.amountFen;
      rows.push(
        row(
          trade,
          '退款',
          -refund.amountFen,
          time(trade.createdAtMs),
          time(refund.atMs),
          refund.outRequestNo,
        ),
      );
    }
  }
  if (rows.length === 0) return undefined;
  const compact = request.billDate.replaceAll('-', '');
  const cn = (atMs: number) => {
    const t = formatDateTime(atMs);
    return `${t.slice(0, 4)}年${t.slice(5, 7)}月${t.slice(8, 10)}日 ${t.slice(11)}`;
  };
  const head = (title: string) => [
    `#支付宝${title}查询`,
    `#账号：[${request.sellerId}0156]`,
    `#起始日期：[${cn(range.startMs)}]   终止日期：[${cn(range.endMs)}]`,
  ];
  const detail = [
    ...head('业务明细'),
    `#${'-'.repeat(41)}业务明细列表${'-'.repeat(40)}`,
    DETAIL_COLUMNS.join(','),
    ...rows.map((fields) => fields.join(',')),
    `#${'-'.repeat(41)}业务明细列表结束${'-'.repeat(36)}`,
    `#交易合计：${tradeCount}笔，商家实收共${fenToYuan(tradeFen)}元，商家优惠共0.00元`,
    `#退款合计：${refundCount}笔，商家实收共${fenToYuan(-refundFen)}元，商家优惠共0.00元`,
    `#导出时间：[${cn(request.nowMs)}]`,
  ];
  const net = fenToYuan(tradeFen - refundFen);
  const summary = [
    ...head('业务汇总'),
    `#${'-'.repeat(41)}业务汇总列表${'-'.repeat(40)}`,
    SUMMARY_COLUMNS.join(','),
    [
      '',
      '',
      String(tradeCount),
      String(refundCount),
      net,
      net,
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      '0.00',
      net,
    ].join(','),
    `#${'-'.repeat(41)}业务汇总列表结束${'-'.repeat(36)}`,
    `#导出时间：[${cn(request.nowMs)}]`,
  ];
  const crlf = (lines: string[]) => `${lines.join('\r\n')}\r\n`;
  const zip = zipOf([
    { name: `${request.sellerId}0156_${compact}_业务明细.csv`, data: encodeGbk(crlf(detail)) },
    { name: `${request.sellerId}0156_${compact}_业务明细(汇总).csv`, data: encodeGbk(crlf(summary)) },
  ]);
  return {
    token: randomBytes(16).toString('hex'),
    zipName: `${request.sellerId}0156_${compact}.csv.zip`,
    zip,
  };
}

/** One detail row; text fields carry the tab Alipay pads them with (an Excel guard), readers trim. */
function row(
  trade: Trade,
  kind: '交易' | '退款',
  fen: number,
  created: string,
  done: string,
  requestNo: string,
): string[] {
  const yuan = fenToYuan(fen);
  const buyer = trade.buyer.userId ?? trade.buyer.openId ?? '';
  return [
    `${trade.tradeNo}\t`,
    `${trade.outTradeNo}\t`,
    kind,
    trade.subject.replace(/[,\r\n]/g, ' '),
    created,
    done,
    '',
    '',
    '',
    '',
    `${buyer}\t`,
    yuan,
    yuan,
    '0.00',
    '0.00',
    '0.00',
    '0.00',
    '0.00',
    '',
    '0.00',
    '0.00',
    requestNo === '' ? '' : `${requestNo}\t`,
    '0.00',
    '0.00',
    '',
  ];
}

function rangeOf(billDate: string): { startMs: number; endMs: number } | undefined {
  if (/^\d{4}-\d{2}$/.test(billDate)) {
    const first = parseDay(`${billDate}-01`);
    if (first === undefined) return undefined;
    const [y = 0, m = 1] = billDate.split('-').map(Number);
    const next = parseDay(m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, '0')}-01`);
    if (next === undefined) return undefined;
    return { startMs: dayBoundsMs(first).startMs, endMs: dayBoundsMs(next).startMs };
  }
  const day = parseDay(billDate);
  return day === undefined ? undefined : dayBoundsMs(day);
}

let gbkTable: Map<string, number> | undefined;

/**
 * GBK bytes of a text. Node decodes GBK (full ICU) but does not encode it, so the table is built once
 * by decoding every two-byte sequence; characters GBK lacks become '?'.
 */
export function encodeGbk(text: string): Buffer {
  if (gbkTable === undefined) {
    const table = new Map<string, number>();
    const decoder = new TextDecoder('gbk', { fatal: true });
    for (let lead = 0x81; lead <= 0xfe; lead++)
      for (let trail = 0x40; trail <= 0xfe; trail++) {
        if (trail === 0x7f) continue;
        try {
          const char = decoder.decode(Uint8Array.of(lead, trail));
          if (char.length === 1 && !table.has(char)) table.set(char, (lead << 8) | trail);
        } catch {
          // Not a GBK sequence.
        }
      }
    gbkTable = table;
  }
  const bytes: number[] = [];
  for (const char of text) {
    const code = char.codePointAt(0) ?? 0x3f;
    if (code < 0x80) bytes.push(code);
    else {
      const pair = gbkTable.get(char);
      if (pair === undefined) bytes.push(0x3f);
      else bytes.push(pair >> 8, pair & 0xff);
    }
  }
  return Buffer.from(bytes);
}

/** A plain zip (deflate, no UTF-8 flag), its entry names in GBK like the ones Alipay makes. */
function zipOf(entries: readonly { name: string; data: Buffer }[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = encodeGbk(entry.name);
    const compressed = deflateRawSync(entry.data);
    const crc = crc32(entry.data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt16LE(0, 10);
    local.writeUInt16LE(0x21, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.length, 18);
    local.writeUInt32LE(entry.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0, 12);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(compressed.length, 20);
    central.writeUInt32LE(entry.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, compressed);
    centrals.push(central, name);
    offset += local.length + name.length + compressed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}
