import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  campusSigningKeyFromSecret,
  issueVisitorPass,
  visitorPassToText,
} from '@campus-card/core/credential';
import type { Message } from '../src/protocol/index.ts';
import { registerDevice, startWorld, TestDevice, type TestWorld } from './support.ts';

// Goal: a gate sends VISITOR_CHECK with a visitor pass; the gateway lets the visitor in only at the pass's
// places, within its window, with the right ID tail and while the visit stands, records each frame once,
// and a POS may not send the message at all.
const campusKey = campusSigningKeyFromSecret(1, new Uint8Array(32).fill(1));

describe('visitor passes at a gate', () => {
  let world: TestWorld;
  let gate: TestDevice;
  let gateId: number;
  let hostCard: string;
  before(async () => {
    world = await startWorld();
    const g = await registerDevice(world, 'gate');
    gateId = g.deviceId;
    gate = await TestDevice.connect(world.gateway.port, g.deviceId, g.key);
    assert.equal((await gate.signIn('gate')).message.kind, 'sign_in_accepted');
    hostCard = (
      await world.client.openCard({
        personNo: `VH${process.pid}${Date.now().toString(36)}`,
        name: '王老师',
        type: 'staff',
        department: '物理学院',
      })
    ).cardNo;
  });
  after(async () => {
    gate.close();
    await world.stop();
  });

  let serial = 0;
  async function visit(places: string[]) {
    serial += 1;
    const now = Date.now();
    const { visit: v } = await world.client.registerVisit({
      requestId: `visit-req-${process.pid}-${serial}`,
      hostCardNo: hostCard,
      visitorName: '李来宾',
      visitorPhone: '13700001111',
      idTail: '765X',
      purpose: '面试',
      validFromMs: now - 60_000,
      validUntilMs: now + 3_600_000,
      places,
    });
    const text = visitorPassToText(
      issueVisitorPass(campusKey, {
        passId: v.passId,
        validFromMs: v.validFromMs,
        validUntilMs: v.validUntilMs,
        idTail: '765X',
        places: v.places,
      }),
    );
    return { visit: v, text };
  }
  async function check(text: string, direction: 'in' | 'out', idTail: string) {
    const reply = await gate.request({
      kind: 'visitor_check',
      code: { kind: 'qr', text },
      direction,
      idTail,
    });
    assert.equal(reply.message.kind, 'visitor_result', JSON.stringify(reply.message));
    return reply.message as Extract<Message, { kind: 'visitor_result' }>;
  }

  test('when the pass names this gate and the tail is right, then in and out are allowed and recorded once', async () => {
    const { visit: v, text } = await visit([`device:${gateId}`]);
    const entry = await check(text, 'in', '765X');
    assert.deepEqual(entry, {
      kind: 'visitor_result',
      decision: 'allow',
      reason: 'NONE',
      visitorName: '李*宾',
      hostName: '王老师',
    });
    assert.equal((await world.client.visit(v.id)).onCampus, true);
    // The same frame again (a retry after a lost answer): the first answer, one passage.
    gate.send(
      { kind: 'visitor_check', code: { kind: 'qr', text }, direction: 'in', idTail: '765X' },
      gate.sequence,
    );
    assert.equal((await gate.next()).message.kind, 'visitor_result');
    const exit = await check(text, 'out', '');
    assert.equal(exit.decision, 'allow');
    assert.equal((await world.client.visit(v.id)).onCampus, false);
    assert.deepEqual(
      (await world.client.visitPassages(v.id)).items.map((p) => [p.direction, p.deviceId]),
      [
        ['in', String(gateId)],
        ['out', String(gateId)],
      ],
    );
  });

  test('when anything is off, then the gate refuses with the reason and nothing is recorded', async () => {
    const elsewhere = await visit(['device:999999']);
    assert.equal((await check(elsewhere.text, 'in', '765X')).reason, 'WRONG_PLACE');
    const here = await visit([`device:${gateId}`]);
    assert.equal((await check(here.text, 'in', '7650')).reason, 'ID_TAIL_MISMATCH');
    assert.equal((await check(here.text, 'in', '')).reason, 'ID_TAIL_REQUIRED');
    assert.equal((await check(`${here.text.slice(0, -2)}AA`, 'in', '765X')).reason, 'PASS_INVALID');
    await world.client.cancelVisit(here.visit.id, hostCard);
    const cancelled = await check(here.text, 'in', '765X');
    assert.equal(cancelled.reason, 'VISIT_CANCELLED');
    assert.equal(cancelled.decision, 'deny');
    assert.deepEqual((await world.client.visitPassages(here.visit.id)).items, []);
    assert.deepEqual((await world.client.visitPassages(elsewhere.visit.id)).items, []);
  });

  test('when a till sends VISITOR_CHECK, then UNEXPECTED_MESSAGE', async () => {
    const p = await registerDevice(world, 'pos');
    const pos = await TestDevice.connect(world.gateway.port, p.deviceId, p.key);
    try {
      assert.equal((await pos.signIn('pos')).message.kind, 'sign_in_accepted');
      const { text } = await visit([`device:${p.deviceId}`]);
      const reply = await pos.request({
        kind: 'visitor_check',
        code: { kind: 'qr', text },
        direction: 'in',
        idTail: '765X',
      });
      assert.equal(reply.message.kind === 'error' && reply.message.code, 'UNEXPECTED_MESSAGE');
    } finally {
      pos.close();
    }
  });
});
