import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { CoreClient, ResolvedException } from '@campus-card/core/client';

let serial = 0;

/**
 * A device took an offline payment of `amount` fen from a card holding `held`: the core charges what the
 * wallet holds and books the rest as a receivable, listing the open exception this answers. The device,
 * its merchant and the card are made here; the record is what the gateway would upload after its checks.
 */
export async function offlineException(
  core: CoreClient,
  options: { amount: number; held: number; name?: string; deviceId?: string },
): Promise<ResolvedException & { cardNo: string }> {
  serial += 1;
  const merchant = await core.createMerchant({ name: `脱机窗口 ${serial}`, category: 'canteen' });
  const deviceId = options.deviceId ?? String(6_000_000 + (process.pid % 1000) * 100 + serial);
  await core.registerDevice({ id: deviceId, kind: 'pos', merchantId: merchant.id });
  const card = await core.openCard({
    personNo: `OX${process.pid}${Date.now().toString(36)}${serial}`.slice(0, 32),
    name: options.name ?? '钱欠欠',
    type: 'student',
    department: '计算机学院',
  });
  if (options.held > 0) {
    await core.topUp({
      id: `ox-top-${card.cardNo}`,
      cardNo: card.cardNo,
      amount: options.held,
      channel: 'cash',
    });
  }
  const upload = await core.uploadOfflineRecords(deviceId, [
    {
      offlineNo: 1,
      sequence: 1,
      recordKind: 'payment',
      decision: 'accepted',
      takenAtMs: Date.now() - 3_600_000,
      amount: options.amount,
      orderNo: 1,
      sessionId: null,
      recordHash: createHash('sha256').update(`${deviceId}:${card.cardNo}`).digest('hex'),
      macOk: true,
      cardNo: card.cardNo,
      cardVersion: null,
      codeRefusal: null,
    },
  ]);
  assert.equal(upload.results[0]?.status, 'exception', JSON.stringify(upload));
  const found = (await core.offlineExceptions('open', 100)).items.find((e) => e.deviceId === deviceId);
  assert.ok(found, 'the exception is listed');
  return { ...found, cardNo: card.cardNo };
}
