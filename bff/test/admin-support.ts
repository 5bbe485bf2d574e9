import assert from 'node:assert/strict';
import type { AdminRole } from '@campus-card/core/client';
import { seedAdminDemo } from '../src/admin/seed.ts';
import type { TestWorld } from './support.ts';

export type Admins = Record<AdminRole, string>;

/** Signs in with a password (no second factor) and answers the session token. */
export async function adminToken(world: TestWorld, username: string, password: string): Promise<string> {
  const reply = await world.request<{ status: string; token: string }>('POST', '/api/admin/v1/session', {
    body: { username, password },
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  assert.equal(reply.body.status, 'signed_in');
  return reply.body.token;
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
