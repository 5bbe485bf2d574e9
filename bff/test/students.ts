import assert from 'node:assert/strict';
import { type TestWorld, testAppId } from './support.ts';

/** A signed-in WeChat user as a test holds one. */
export interface SignedIn {
  openid: string;
  accessToken: string;
  refreshToken: string;
}

/** Logs in through the real code2session stand-in, as the mini-program does after wx.login. */
export async function logIn(world: TestWorld, openid?: string): Promise<SignedIn> {
  const minted = world.login.mintCode(testAppId, openid === undefined ? {} : { openid });
  const reply = await world.request<{ accessToken: string; refreshToken: string }>(
    'POST',
    '/api/v1/session',
    {
      body: { code: minted.code },
    },
  );
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  return {
    openid: minted.openid,
    accessToken: reply.body.accessToken,
    refreshToken: reply.body.refreshToken,
  };
}

let serial = 0;
/** An ID number ending in the given 6 characters (the checksum is not what these tests are about). */
export const idNumberEndingIn = (last6: string) => `110105194912${last6}`;

/** Opens a person with a card in the core; answers what the person would type to bind. */
export async function openPerson(
  world: TestWorld,
  options: { last6?: string; name?: string; type?: 'student' | 'staff'; department?: string } = {},
): Promise<{ personNo: string; name: string; secret: string; cardNo: string }> {
  serial += 1;
  const personNo = `P${process.pid}${Date.now().toString(36)}${serial}`.slice(0, 32);
  const name = options.name ?? '李同学';
  const secret = options.last6 ?? '31002X';
  const card = await world.core.client.openCard({
    personNo,
    name,
    type: options.type ?? 'student',
    ...(options.department ? { department: options.department } : {}),
    idNumber: idNumberEndingIn(secret),
  });
  return { personNo, name, secret, cardNo: card.cardNo };
}

/** Logs in a new WeChat user and binds them to a new person: the state every student route starts from. */
export async function boundStudent(world: TestWorld, options: Parameters<typeof openPerson>[1] = {}) {
  const person = await openPerson(world, options);
  const user = await logIn(world);
  const reply = await world.request('POST', '/api/v1/binding', {
    token: user.accessToken,
    body: { personNo: person.personNo, name: person.name, secret: person.secret },
  });
  assert.equal(reply.status, 201, JSON.stringify(reply.body));
  return { ...person, ...user };
}
