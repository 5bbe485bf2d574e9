import assert from 'node:assert/strict';
import type { AdminRole } from '@campus-card/core/client';
import { totpAtStep, totpStep, totpStepSeconds } from '../../core/src/admin/totp.ts';
import { demoTotpSecret, seedAdminDemo } from '../src/admin/seed.ts';
import type { TestWorld } from './support.ts';

export type Admins = Record<AdminRole, string>;

/** Second-factor secrets (base32) of accounts enrolled by these helpers, by world and username. */
const enrolledSecrets = new Map<string, string>();
/** The last TOTP step used per world and username: a code is accepted once, so never reuse one. */
const lastSteps = new Map<string, number>();

/**
 * A fresh code for an account's second factor: this step, or the next (the core takes one step of
 * drift) when this one was used already, waiting for the clock when both were.
 */
export async function nextTotpCode(key: string, secretBase32: string): Promise<string> {
  let step = Math.max(totpStep(Date.now()), (lastSteps.get(key) ?? 0) + 1);
  while (step > totpStep(Date.now()) + 1) {
    await new Promise((resolve) =>
      setTimeout(resolve, (step - 1) * totpStepSeconds * 1000 - Date.now() + 50),
    );
    step = Math.max(totpStep(Date.now()), (lastSteps.get(key) ?? 0) + 1);
  }
  lastSteps.set(key, step);
  return totpAtStep(secretBase32, step);
}

/** The second factor's secret a helper knows for an account: the demo's, or one it enrolled. */
export function knownTotpSecret(origin: string, username: string): string | undefined {
  return (
    enrolledSecrets.get(`${origin}|${username}`) ??
    (['super', 'finance', 'counter'].includes(username) ? demoTotpSecret : undefined)
  );
}

/** Remembers the secret an account enrolled at its first sign-in, for its later sign-ins. */
export function rememberTotpSecret(origin: string, username: string, secret: string): void {
  enrolledSecrets.set(`${origin}|${username}`, secret);
}

/**
 * Signs in and answers the session token: the password, then for a role that must have a second
 * factor the code (from the demo's secret, or enrolling one at the first sign-in and keeping it).
 */
export async function adminToken(world: TestWorld, username: string, password: string): Promise<string> {
  const origin = world.env.CORE_URL ?? world.bff.url;
  const key = `${origin}|${username}`;
  const reply = await world.request<{
    status: string;
    token: string;
    challenge: string;
    totpSecret?: string;
  }>('POST', '/api/admin/v1/session', { body: { username, password } });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  if (reply.body.status === 'signed_in') return reply.body.token;
  const secret = reply.body.totpSecret ?? knownTotpSecret(origin, username);
  assert.ok(secret, `no known second factor for ${username}`);
  if (reply.body.totpSecret) rememberTotpSecret(origin, username, reply.body.totpSecret);
  const code = await nextTotpCode(key, secret);
  const done = await world.request<{ status: string; token: string }>('POST', '/api/admin/v1/session/totp', {
    body: { challenge: reply.body.challenge, code },
  });
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.status, 'signed_in');
  return done.body.token;
}

/** The demo accounts, one per role, each signed in. */
export async function signedInAdmins(world: TestWorld): Promise<Admins> {
  const demo = await seedAdminDemo(world.core.client);
  const tokens = {} as Admins;
  for (const a of demo) tokens[a.role] = await adminToken(world, a.username, a.password);
  return tokens;
}

let serial = 0;
/** Opens a student card in a department and answers its number. */
export async function openCard(world: TestWorld, department: string, name = '王小明'): Promise<string> {
  serial += 1;
  const card = await world.core.client.openCard({
    personNo: `A${process.pid}${Date.now().toString(36)}${serial}`.slice(0, 32),
    name,
    type: 'student',
    department,
  });
  return card.cardNo;
}

let requests = 0;
export const requestId = () => `req${process.pid}x${Date.now().toString(36)}x${++requests}`;
