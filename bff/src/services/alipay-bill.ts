import { crc32, inflateRawSync } from 'node:zlib';
import { parse } from 'csv-parse/sync';
import { BffError } from '../errors.ts';
import { yuanToFen } from './alipay-pay.ts';
import type { DayBill } from './top-ups/wechat-pay.ts';

/**
 * Alipay's merchant bill as alipay.data.dataservice.bill.downloadurl.query hands it out: a zip holding
 * the detail CSV (`…_业务明细.csv`) and its summary (`…_业务明细(汇总).csv`), GBK-encoded, entry names
 * in GBK bytes without the UTF-8 flag. The detail's 交易 (payment) and 退款 (refund) rows are read;
 * columns are found by their header names, since Alipay publishes no fixed layout.
 */

/** A bill zip is small; anything past this is refused rather than inflated. */
const ZIP_BYTES_MAX = 64 * 1024 * 1024;
const ENTRY_BYTES_MAX = 256 * 1024 * 1024;

interface ZipEntry {
  name: string;
  data: Buffer;
}

const unreadable = (what: string) => new BffError('UPSTREAM_FAILED', `the Alipay bill ${what}`);

/**
 * The entries of a zip, read through its central directory (stored or deflated, CRC checked). A
 * deliberately small reader: the bill is two entries, and each entry's size is bounded before inflating.
 */
export function unzip(zip: Buffer): ZipEntry[] {
  if (zip.length > ZIP_BYTES_MAX) throw unreadable('is too large');
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0 || end + 22 > zip.length) throw unreadable('is not a zip');
  const gbk = new TextDecoder('gbk');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (at + 46 > zip.length || zip.readUInt32LE(at) !== 0x02014b50)
      throw unreadable('has a broken directory');
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const crc = zip.readUInt32LE(at + 16);
    const compressedSize = zip.readUInt32LE(at + 20);
    const size = zip.readUInt32LE(at + 24);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localAt = zip.readUInt32LE(at + 42);
    const nameBytes = zip.subarray(at + 46, at + 46 + nameLength);
    // Bit 11 says UTF-8; Alipay leaves it off and writes GBK.
    const name = flags & 0x800 ? nameBytes.toString('utf8') : gbk.decode(nameBytes);
    if (localAt + 30 > zip.length || zip.readUInt32LE(localAt) !== 0x04034b50)
      throw unreadable('has a broken entry');
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    if (dataAt + compressedSize > zip.length || size > ENTRY_BYTES_MAX)
      throw unreadable('has a broken entry');
    const raw = zip.subarray(dataAt, dataAt + compressedSize);
    let data: Buffer;
    if (method === 0) data = raw;
    else if (method === 8) data = inflateRawSync(raw, { maxOutputLength: ENTRY_BYTES_MAX });
    else throw unreadable('uses a compression we do not read');
    if (data.length !== size || crc32(data) !== crc) throw unreadable('failed its CRC check');
    entries.push({ name, data });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}

/**
 * The payment and refund rows of a bill zip as the core compares them: 商户订单号, 支付宝交易号 and
 * 订单金额（元） of every 业务类型 = 交易 row; of every 退款 row also 退款批次号/请求号 (our out_request_no,
 * which the caller turns back into our refund id) and the amount, negative on the bill, as positive
 * fen. Amounts are converted to fen exactly. Text fields carry a tab Alipay adds for Excel; it is trimmed.
 */
export function parseAlipayBill(zip: Buffer): DayBill {
  const detail = unzip(zip).find((e) => e.name.endsWith('业务明细.csv'));
  if (!detail) throw unreadable('has no 业务明细 entry');
  const text = new TextDecoder('gbk').decode(detail.data);
  const lines = text.split(/\r?\n/).filter((line) => line !== '' && !line.startsWith('#'));
  let records: string[][];
  try {
    records = parse(lines.join('\n'), { relax_column_count: true, relax_quotes: true, trim: true });
  } catch {
    throw unreadable('is not CSV we can read');
  }
  const [header, ...body] = records;
  const column = (name: string) => {
    const index = header?.indexOf(name) ?? -1;
    if (index < 0) throw unreadable(`has no column ${name}`);
    return index;
  };
  const tradeNo = column('支付宝交易号');
  const outTradeNo = column('商户订单号');
  const kind = column('业务类型');
  const amount = column('订单金额（元）');
  const requestNo = column('退款批次号/请求号');
  const bill: DayBill = { rows: [], refunds: [] };
  for (const record of body) {
    const orderNo = (record[outTradeNo] ?? '').replace(/[^\x21-\x7e]/g, '?').slice(0, 32) || '?';
    const transactionId = (record[tradeNo] ?? '').slice(0, 64);
    // An amount we cannot read is compared as 0, so the row shows up as amount_differs.
    if (record[kind] === '交易')
      bill.rows.push({
        outTradeNo: orderNo,
        transactionId,
        state: 'SUCCESS',
        amount: yuanToFen(record[amount]) ?? 0,
      });
    else if (record[kind] === '退款') {
      const refunded = (record[amount] ?? '').replace(/^-/, '');
      bill.refunds.push({
        outTradeNo: orderNo,
        outRefundNo: (record[requestNo] ?? '').replace(/[^\x21-\x7e]/g, '?').slice(0, 64) || '?',
        refundId: transactionId,
        state: 'SUCCESS',
        amount: yuanToFen(refunded) ?? 0,
      });
    }
  }
  return bill;
}
