// Part (a)'s load: planned and signed before it starts, then sent on time by one timer. Phones and tills sign
// on their own CPUs, not the server box's, so each payment's code and frame are made ahead (`planLoad`) and
// the run only writes them at their planned times (`sendLoad`), open loop, noting when each left and how
// it was answered. Each code is dated at its planned send time, as a phone makes it when shown, so it is
// fresh when sent however long the run (valid 60 s + 30 s skew after, 30 s before:
// core/src/credential/verify.ts), and each is a new code of a randomly chosen phone.

import { setTimeout as sleep } from 'node:timers/promises';
import { type Message, MessageType } from '../src/protocol/index.ts';
import { type BenchDevice, isBusy } from './bench-device.ts';
import type { Phone } from './phone.ts';

export interface LoadPlan {
  /** Planned send time of each payment, ms after the start, in send order. */
  readonly atMs: Float64Array;
  /** The till (index into the tills) that sends each payment. */
  readonly till: Uint32Array;
  /** Each payment's frame, ready to write. */
  readonly frames: readonly Uint8Array[];
  /** Per till: the frame sequence of its first payment; its k-th payment has that plus k. */
  readonly firstSequence: Uint32Array;
  /** Per till: the index of its k-th payment. */
  readonly paymentsOf: readonly Uint32Array[];
  /** Wall-clock time (Date.now()) the codes and frames are dated from: start the run then. */
  readonly startWallMs: number;
  /** Time spent signing, ms. */
  readonly signingMs: number;
}

/**
 * Each till pays every `intervalMs` from a random phase in its first interval until `seconds` have
 * passed, as the 1,000 loops of the bench did; sorted by time (all tills share the interval, so by round,
 * then by phase).
 */
function plannedTimes(
  tills: number,
  rate: number,
  seconds: number,
): { atMs: Float64Array; till: Uint32Array } {
  const intervalMs = (1000 * tills) / rate;
  const endMs = seconds * 1000;
  const byPhase = Array.from({ length: tills }, (_, till) => ({
    till,
    phase: Math.random() * intervalMs,
  })).sort((a, b) => a.phase - b.phase);
  const times: number[] = [];
  const order: number[] = [];
  for (let round = 0; round * intervalMs < endMs; round += 1) {
    for (const { till, phase } of byPhase) {
      const at = phase + round * intervalMs;
      if (at >= endMs) break;
      times.push(at);
      order.push(till);
    }
  }
  return { atMs: Float64Array.from(times), till: Uint32Array.from(order) };
}

/** Codes signed, and thrown away, to time the signing by: enough for a steady rate, few enough to be quick. */
const calibrationCodes = 200;

/**
 * Plans `rate` payments a second over `seconds` from the tills, each with a fresh code of a randomly
 * chosen phone. The start is set to when the signing is expected to end (timed on a few throwaway codes),
 * so the codes and frames are dated at their planned send times.
 */
export function planLoad(
  tills: readonly BenchDevice[],
  phones: readonly Phone[],
  rate: number,
  seconds: number,
): LoadPlan {
  const { atMs, till } = plannedTimes(tills.length, rate, seconds);
  const count = atMs.length;
  const firstSequence = new Uint32Array(tills.length);
  const paymentsOf = tills.map(() => [] as number[]);
  const frames: Uint8Array[] = new Array(count);
  const startWallMs = estimatedEnd(phones, count);
  const began = performance.now();
  for (let i = 0; i < count; i += 1) {
    const t = till[i] as number;
    const phone = phones[Math.floor(Math.random() * phones.length)] as Phone;
    const plannedWallMs = startWallMs + (atMs[i] as number);
    const { sequence, frame } = (tills[t] as BenchDevice).prepare(
      {
        kind: 'pay',
        code: { kind: 'qr', text: phone.code(plannedWallMs) },
        amountFen: 1,
        orderNo: i + 1,
        itemNo: 0,
      },
      Math.floor(plannedWallMs),
    );
    const own = paymentsOf[t] as number[];
    if (own.length === 0) firstSequence[t] = sequence;
    own.push(i);
    frames[i] = frame;
  }
  return {
    atMs,
    till,
    frames,
    firstSequence,
    paymentsOf: paymentsOf.map((own) => Uint32Array.from(own)),
    startWallMs,
    signingMs: performance.now() - began,
  };
}

/** When signing `count` codes will be over (Date.now() time), from a few signed first, with a margin. */
function estimatedEnd(phones: readonly Phone[], count: number): number {
  const began = performance.now();
  const phone = phones[0] as Phone;
  for (let i = 0; i < calibrationCodes; i += 1) phone.code(Date.now());
  const msEach = (performance.now() - began) / calibrationCodes;
  return Date.now() + msEach * count * 1.5 + 200;
}

/** How each payment went, kept in typed arrays while the run lasts and read after it. */
export interface LoadRun {
  /** performance.now() when the first payment was due. */
  readonly startedAt: number;
  /** When each payment left (performance.now()). */
  readonly sentAt: Float64Array;
  /** Each payment's end-to-end latency in ms (NaN: no answer). */
  readonly latencyMs: Float64Array;
  /** Each payment's outcome: `outcomeCodes`. */
  readonly outcome: Uint8Array;
  /** How many answers of each kind other than approved and BUSY (`declined <reason>`, `error <code>`). */
  readonly otherKinds: ReadonlyMap<string, number>;
  /** From the start to the last answer, s. */
  readonly elapsedS: number;
}

export const outcomeCodes = { unanswered: 0, approved: 1, busy: 2, other: 3 } as const;

/** How long to wait for the last answers once every payment is sent. */
const drainMs = 30_000;

function outcomeOf(reply: Message): string {
  if (reply.kind === 'pay_declined') return `declined ${reply.reason}`;
  if (reply.kind === 'error') return `error ${reply.code}`;
  return reply.kind;
}

/** Waits for the planned start; returns how late it is (ms), past which the codes are older when sent. */
export async function untilStart(plan: LoadPlan): Promise<number> {
  const early = plan.startWallMs - Date.now();
  if (early > 0) await sleep(early);
  return Math.max(0, Date.now() - plan.startWallMs);
}

/**
 * Sends the plan: every millisecond one timer writes the payments whose time has come, never waiting for
 * answers; an answer is matched to its payment by its till and sequence. Resolves once every payment is
 * answered, or `drainMs` after the last was sent.
 */
export function sendLoad(tills: readonly BenchDevice[], plan: LoadPlan): Promise<LoadRun> {
  const count = plan.atMs.length;
  const sentAt = new Float64Array(count);
  const latencyMs = new Float64Array(count).fill(Number.NaN);
  const outcome = new Uint8Array(count);
  const otherKinds = new Map<string, number>();
  const startedAt = performance.now();
  let next = 0;
  let answered = 0;
  let lastAnswerAt = startedAt;
  return new Promise((resolve) => {
    let drain: NodeJS.Timeout | undefined;
    const finish = () => {
      clearInterval(timer);
      clearTimeout(drain);
      for (const till of tills) till.onAnswer = undefined;
      const elapsedS = (lastAnswerAt - startedAt) / 1000;
      resolve({ startedAt, sentAt, latencyMs, outcome, otherKinds, elapsedS });
    };
    tills.forEach((till, t) => {
      const first = plan.firstSequence[t] as number;
      const own = plan.paymentsOf[t] as Uint32Array;
      till.onAnswer = (sequence, type, frame) => {
        const i = own[sequence - first];
        if (i === undefined || outcome[i] !== outcomeCodes.unanswered) return;
        lastAnswerAt = performance.now();
        latencyMs[i] = lastAnswerAt - (sentAt[i] as number);
        // Told apart by type and code without decoding: checking the answer is the till's work, not the box's.
        if (type === MessageType.PAY_APPROVED) outcome[i] = outcomeCodes.approved;
        else if (isBusy(type, frame)) outcome[i] = outcomeCodes.busy;
        else {
          const reply = till.decode(frame);
          const kind = reply === undefined ? 'undecodable answer' : outcomeOf(reply);
          outcome[i] = outcomeCodes.other;
          otherKinds.set(kind, (otherKinds.get(kind) ?? 0) + 1);
        }
        answered += 1;
        if (answered === count && next === count) finish();
      };
    });
    const timer = setInterval(() => {
      const due = performance.now() - startedAt;
      while (next < count && (plan.atMs[next] as number) <= due) {
        sentAt[next] = performance.now();
        (tills[plan.till[next] as number] as BenchDevice).send(plan.frames[next] as Uint8Array);
        next += 1;
      }
      if (next < count) return;
      clearInterval(timer);
      if (answered === count) finish();
      else drain = setTimeout(finish, drainMs);
    }, 1);
  });
}
