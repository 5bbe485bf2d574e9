// The devices of `npm start`: the gateway in the demo's process (blacklist and configuration announced in
// process, no Redis needed) and a POS, a gate, an attendance reader and a shower meter that sign in over
// real TCP and, every few seconds, serve a demo student, printing what happened.

import {
  type CardView,
  CoreClient,
  CoreError,
  type DeviceWithKey,
  type DoorCommandOrder,
} from '@campus-card/core/client';
import {
  campusSigningKeyFromSecret,
  createCodeMaker,
  generatePhoneKeyPair,
  issueCertificate,
  webCryptoRandom,
} from '@campus-card/core/credential';
import { loadConfig } from '@campus-card/device-gateway/config';
import type { DeviceKind } from '@campus-card/device-gateway/protocol';
import { startGateway } from '@campus-card/device-gateway/server';
import { AttendanceReader } from './attendance-reader.ts';
import { BusReader } from './bus-reader.ts';
import { DoorController } from './door-controller.ts';
import { GateReader } from './gate.ts';
import { Kiosk } from './kiosk.ts';
import { PosTerminal } from './pos.ts';
import { ShowerMeter } from './shower-meter.ts';

export interface DeviceDemoOptions {
  readonly coreUrl: string;
  readonly serviceKey: { readonly keyId: string; readonly secret: string };
  /** The demo's card numbers. */
  readonly students: readonly string[];
  /** The core's in-process announcements, so the gateway needs no Redis. */
  readonly onBlacklistVersion: (listener: (version: number) => void) => void;
  readonly onDeviceConfig: (listener: (deviceId: string) => void) => void;
  /** New passage versions and door commands (docs/passage.md), for the door controller 1006. */
  readonly onPassageVersion?: (listener: (version: number) => void) => void;
  readonly onDoorCommand?: (listener: (order: DoorCommandOrder) => void) => void;
  readonly onMeetingReaders?: (listener: (deviceIds: string[]) => void) => void;
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly intervalMs?: number;
  readonly print?: (line: string) => void;
}

const yuan = (fen: number) => (fen / 100).toFixed(2);

/** The development campus key (secret 32 × 0x01), which the gateway trusts by default. Never for production. */
const campusKey = campusSigningKeyFromSecret(1, new Uint8Array(32).fill(1));

export async function startDeviceDemo(
  options: DeviceDemoOptions,
): Promise<{ port: number; stop(): Promise<void> }> {
  const print = options.print ?? ((line: string) => console.log(line));
  const config = loadConfig({
    LOG_LEVEL: 'warn',
    ...(options.env ?? {}),
    CORE_URL: options.coreUrl,
    CORE_KEY_ID: options.serviceKey.keyId,
    CORE_SECRET: options.serviceKey.secret,
  });
  const gateway = await startGateway(config, {
    blacklistFeed: options.onBlacklistVersion,
    deviceConfigFeed: options.onDeviceConfig,
    ...(options.onPassageVersion ? { passageFeed: options.onPassageVersion } : {}),
    ...(options.onDoorCommand ? { doorCommandFeed: options.onDoorCommand } : {}),
    ...(options.onMeetingReaders ? { meetingSessionFeed: options.onMeetingReaders } : {}),
  });
  const client = new CoreClient({ url: options.coreUrl, ...options.serviceKey });

  // Registered once; on later starts the key is re-issued (the demo keeps no keys on disk).
  const device = async (id: string, kind: DeviceKind, merchantId: string | null): Promise<DeviceWithKey> => {
    try {
      return await client.registerDevice({ id, kind, merchantId });
    } catch (error) {
      if (error instanceof CoreError && error.code === 'ALREADY_EXISTS') return client.rekeyDevice(id);
      throw error;
    }
  };
  const terminal = (d: DeviceWithKey) => ({
    port: gateway.port,
    deviceId: Number(d.id),
    key: new Uint8Array(Buffer.from(d.keyHex, 'hex')),
  });
  const posDevice = await device('1001', 'pos', 'CANTEEN-1-W01');
  await client.putDeviceConfig('1001', {
    paymentMaxFen: 20_000,
    offline: {
      enabled: true,
      codeValiditySeconds: 60,
      clockSkewSeconds: 30,
      paymentMaxFen: 3_000,
      perCardDailyMaxFen: 5_000,
      deviceTotalMaxFen: 200_000,
      recordsMax: 2_000,
      durationMaxSeconds: 72 * 3_600,
    },
  });
  const pos = await PosTerminal.connect(terminal(posDevice));
  const gate = await GateReader.connect(terminal(await device('1002', 'gate', null)));
  const now = Date.now();
  const firstStudents = await Promise.all(options.students.slice(0, 30).map((no) => client.getCard(no)));
  await client.putAttendanceSession({
    id: 'DEMO-CS101',
    kind: 'class',
    title: '数据结构（演示）',
    location: '教三-201',
    startsAtMs: now,
    endsAtMs: now + 8 * 3_600_000,
    signInFromMs: now - 600_000,
    signInUntilMs: now + 8 * 3_600_000,
    roster: firstStudents.slice(0, 20).map((c) => c.personNo),
  });
  const reader = await AttendanceReader.connect(
    terminal(await device('1003', 'attendance', null)),
    'DEMO-CS101',
  );
  reader.onMeeting((m) =>
    print(m.sessionKind === 'none' ? '[考勤 1003] 当前无会议或考试' : `[考勤 1003] 当前场次：${m.title}`),
  );
  const shower = await ShowerMeter.connect(terminal(await device('1004', 'shower', 'SHOWER-N1')));
  const kiosk = await Kiosk.connect(terminal(await device('1005', 'kiosk', null)));
  // A door controller at the demo dorm's door, deciding from its own rule table when offline.
  const doorDevice = await device('1006', 'gate', null);
  await demoDoor(client, '1006');
  const door = await DoorController.connect(terminal(doorDevice));
  // A school-bus reader for the bus's merchant on a demo run, deciding from its run table when offline.
  const busDevice = await device('1007', 'gate', 'BUS');
  await client.putDeviceConfig('1007', {
    paymentMaxFen: 1_000,
    offline: {
      enabled: true,
      codeValiditySeconds: 60,
      clockSkewSeconds: 30,
      paymentMaxFen: 3_000,
      perCardDailyMaxFen: 5_000,
      deviceTotalMaxFen: 200_000,
      recordsMax: 2_000,
      durationMaxSeconds: 72 * 3_600,
    },
  });
  const bus = await BusReader.connect(terminal(busDevice), await demoBusRun(client));

  // Phones for the demo students: a key pair and a certificate each, codes made on demand.
  const phones = await Promise.all(
    firstStudents.map(async (card: CardView) => {
      const keyPair = await generatePhoneKeyPair(webCryptoRandom);
      const certificate = issueCertificate(campusKey, {
        card: { cardNo: card.cardNo, personType: 'student', cardVersion: card.version },
        phonePublicKey: keyPair.publicKey,
        validFromMs: Date.now() - 1_000,
      });
      return { card, maker: createCodeMaker(keyPair, certificate, 0) };
    }),
  );
  const pick = () => phones[Math.floor(Math.random() * phones.length)] as (typeof phones)[number];
  print(
    `校园卡 device gateway on 127.0.0.1:${gateway.port}; simulated POS 1001, gate 1002, reader 1003, shower 1004, kiosk 1005, door controller 1006, bus reader 1007`,
  );

  let step = 0;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    step += 1;
    const phone = pick();
    const who = `${phone.card.name} (${phone.card.cardNo})`;
    const act = async () => {
      switch (step % 6) {
        case 1: {
          const amount = 600 + Math.floor(Math.random() * 1_200);
          const r = await pos.pay(phone.maker.next(Date.now()), amount);
          print(
            r.kind === 'pay_approved'
              ? `[POS 1001] ${who} 付 ${yuan(amount)} 元 → 成功，余额 ${yuan(r.balanceAfterFen)} 元`
              : `[POS 1001] ${who} 付 ${yuan(amount)} 元 → ${r.kind === 'pay_declined' ? r.reason : r.kind}`,
          );
          return;
        }
        case 2: {
          const r = await gate.check(phone.maker.next(Date.now()), 'in');
          print(`[闸机 1002] ${who} → ${r.kind === 'identity_result' ? r.decision : r.kind}`);
          return;
        }
        case 3: {
          const r = await reader.signIn(phone.maker.next(Date.now()));
          // At an exam the reader shows the seat and the photo for the invigilator (protocol § 7.28).
          const exam = r.kind === 'exam_photo_attendance_result' ? r : undefined;
          const seat = exam && exam.seat !== '' ? `，座位 ${exam.seat}` : '';
          const photo = exam ? (exam.photo ? `，照片 ${exam.photo.bytes.byteLength} 字节` : '，无照片') : '';
          print(`[考勤 1003] ${who} → ${r.kind === 'offline' ? r.kind : r.status}${seat}${photo}`);
          return;
        }
        case 4: {
          const account = await kiosk.identify(phone.maker.next(Date.now()));
          if (account.reason !== 'NONE') {
            print(`[自助机 1005] ${who} → ${account.reason}`);
            return;
          }
          const r = await kiosk.insertCash([5_000]);
          print(
            r.status === 'credited'
              ? `[自助机 1005] ${who} 投币 50.00 元 → 到账，余额 ${yuan(r.balanceAfterFen)} 元`
              : `[自助机 1005] ${who} 投币 50.00 元 → ${r.reason}，退回纸币`,
          );
          return;
        }
        case 5: {
          const r = await bus.ride(phone.maker.next(Date.now()));
          const how = { booked: '预约座位', free: '免费', fare: '购票', none: '' };
          print(
            r.kind === 'bus_ride_result'
              ? r.decision === 'allow'
                ? `[校车 1007] ${who} → ${how[r.rideKind]}上车${r.rideKind === 'fare' ? `，扣 ${yuan(r.chargedFen)} 元` : ''}`
                : `[校车 1007] ${who} → ${r.reason}`
              : `[校车 1007] ${who} → 离线${r.accepted ? '放行' : `拒绝 ${r.reason}`}`,
          );
          return;
        }
        default: {
          const started = await shower.start(phone.maker.next(Date.now()), 600);
          if (started.kind !== 'meter_started') {
            print(`[浴室 1004] ${who} → ${started.reason}`);
            return;
          }
          const settled = await shower.stop(60 + Math.floor(Math.random() * 240));
          if (settled.kind !== 'meter_settled') {
            print(`[浴室 1004] ${who} → ${settled.reason}`);
            return;
          }
          print(
            `[浴室 1004] ${who} 洗浴 → 扣 ${yuan(settled.chargedFen)} 元，退回 ${yuan(settled.releasedFen)} 元`,
          );
        }
      }
    };
    act()
      .catch((error: unknown) => print(`[设备] ${error instanceof Error ? error.message : String(error)}`))
      .finally(() => {
        busy = false;
      });
  }, options.intervalMs ?? 4_000);

  return {
    port: gateway.port,
    async stop() {
      clearInterval(timer);
      for (const t of [pos, gate, reader, shower, kiosk, door, bus]) t.close();
      await client.close();
      await gateway.close();
    },
  };
}

/** The demo bus route (made once, fare 2 元) and a run leaving in an hour, made at each start. */
async function demoBusRun(client: CoreClient): Promise<string> {
  const name = '东区—西区（演示）';
  const route =
    (await client.busRoutes()).items.find((r) => r.name === name) ??
    (await client.addBusRoute({ name, stops: ['东门', '图书馆', '西区宿舍'], fareFen: 200 }));
  return (await client.addBusRun({ routeId: route.id, departsAtMs: Date.now() + 3_600_000, seats: 40 })).id;
}

/**
 * The demo's passage places, made once: 主校区 → 宿舍区 → 1号宿舍楼 (curfew 23:00–06:00, late returns
 * recorded) → 大门, with the device at the door reading in, and students allowed through it.
 */
async function demoDoor(client: CoreClient, deviceId: string): Promise<void> {
  const places = (await client.passagePlaces()).items;
  const existing = places.find((p) => p.kind === 'door' && p.name === '1号宿舍楼大门');
  if (existing) {
    await client.setDoorDevice(existing.id, { deviceId, direction: 'in' });
    return;
  }
  const campus = await client.createPassagePlace({ kind: 'campus', parentId: null, name: '主校区' });
  const area = await client.createPassagePlace({ kind: 'area', parentId: campus.id, name: '宿舍区' });
  const building = await client.createPassagePlace({
    kind: 'building',
    parentId: area.id,
    name: '1号宿舍楼',
    curfew: { fromMinute: 23 * 60, toMinute: 6 * 60, mode: 'late' },
  });
  const door = await client.createPassagePlace({
    kind: 'door',
    parentId: building.id,
    name: '1号宿舍楼大门',
    doorKind: 'door',
  });
  await client.setDoorDevice(door.id, { deviceId, direction: 'in' });
  await client.createPassageRule(
    {
      name: '学生进出宿舍区',
      effect: 'allow',
      who: { kind: 'person_type', value: 'student' },
      where: { kind: 'area', id: area.id },
      windows: [],
    },
    'system:demo',
  );
}
