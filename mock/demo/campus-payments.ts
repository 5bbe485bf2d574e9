import type { RunningCore } from '../../core/src/app.ts';
import { CoreError } from '../../core/src/errors.ts';
import { addDays, shanghaiToday } from '../../core/src/time.ts';
import { type FinanceStandIn, startFinanceStandIn } from '../finance/server.ts';
import { type NetworkStandIn, startNetworkStandIn } from '../network/server.ts';
import { startUtilityStandIn, type UtilityStandIn } from '../utility/server.ts';

/**
 * The demo's campus payments (#16): the dorm meter system and the network billing stand-ins, dorm rooms
 * for the first demo students (two to a room), network accounts for every student, and two fee items.
 * Safe on every start: rooms are saved again, an item code that exists is kept.
 */
export async function startCampusPaymentStandIns(ports: {
  utility: number;
  network: number;
  finance: number;
}) {
  const meter = await startUtilityStandIn({ port: ports.utility });
  const network = await startNetworkStandIn({ port: ports.network });
  const finance = await startFinanceStandIn({ port: ports.finance });
  return { meter, network, finance };
}

export async function seedCampusPayments(
  core: RunningCore,
  identities: readonly { personNo: string; name: string }[],
  meter: UtilityStandIn,
  network: NetworkStandIn,
  finance: FinanceStandIn,
): Promise<{ rooms: string[] }> {
  const rooms: string[] = [];
  const roommates = identities.slice(0, 12);
  for (let i = 0; i < roommates.length; i += 2) {
    const roomNo = String(301 + i / 2);
    const roomId = `B07-${roomNo}`;
    // A room a little low on electricity, so the alert and the purchase show at once.
    meter.addRoom({ roomId, building: '七号楼', roomNo, balanceCenti: i === 0 ? 850 : 3_000 + i * 500 });
    meter.consume(roomId, 320);
    await core.utilities.saveRoom(roomId, {
      building: '七号楼',
      roomNo,
      residents: roommates.slice(i, i + 2).map((p) => p.personNo),
    });
    rooms.push(roomId);
  }
  for (const p of identities) network.addAccount(p.personNo, p.name, Date.now() + 5 * 86_400_000);
  const due = addDays(shanghaiToday(), 30);
  const items = [
    {
      code: 'DEMO-TEXTBOOK',
      name: '本学期教材费',
      category: 'textbook' as const,
      amount: 16_800,
      allowPartial: false,
    },
    {
      code: 'DEMO-DORM',
      name: '住宿费',
      category: 'accommodation' as const,
      amount: 120_000,
      allowPartial: true,
    },
  ];
  for (const item of items) {
    try {
      await core.feeItems.createItem({
        ...item,
        dueDay: due,
        audience: { persons: identities.slice(0, 20).map((p) => ({ personNo: p.personNo })) },
        createdBy: 'demo',
      });
    } catch (error) {
      if (!(error instanceof CoreError) || error.code !== 'ALREADY_EXISTS') throw error;
    }
  }
  // The finance office's tuition for the first ten students, pulled as the card centre would.
  finance.addItem({
    code: 'DEMO-TUITION',
    name: '2027 春季学费',
    category: 'tuition',
    dueDay: due,
    allowPartial: true,
    bills: identities.slice(0, 10).map((p) => ({ studentNo: p.personNo, amountFen: 550_000 })),
  });
  await core.feeItems.pullFinance('demo');
  return { rooms };
}
