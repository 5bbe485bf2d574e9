import { createServer, type Server } from 'node:http';
import { inflateRawSync } from 'node:zlib';
import { close, listen, readRawBody } from '../wechat/http.ts';
import { makeRsaKeyPair, type RsaKeyPair } from './signing.ts';

/**
 * Test-only helpers: an app identity made at runtime, and a notification receiver that does what the
 * BFF's notify route must do first (verify the signature, answer `success` only then). The client is
 * the project's own (core/src/alipay/gateway.ts), so what these tests prove about the stand-in
 * holds for the code that talks to Alipay.
 */
export { AlipayGateway } from '@campus-card/core/alipay';

export const APP_ID = '2021000100000001';

export function makeAppKeys(): RsaKeyPair {
  return makeRsaKeyPair();
}

export interface ReceivedNotification {
  fields: Record<string, string>;
  verified: boolean;
  atMs: number;
}

export interface Receiver {
  url: string;
  received: ReceivedNotification[];
  /** Answers to give, in order; once used up: `success` when verified, `fail` otherwise. */
  answers: string[];
  close(): Promise<void>;
}

export async function startReceiver(verify: (fields: Record<string, string>) => boolean): Promise<Receiver> {
  const received: ReceivedNotification[] = [];
  const answers: string[] = [];
  const server: Server = createServer((request, response) => {
    void (async () => {
      const fields = Object.fromEntries(new URLSearchParams(await readRawBody(request)));
      const verified = verify(fields);
      received.push({ fields, verified, atMs: Date.now() });
      response.writeHead(200, { 'Content-Type': 'text/plain' });
      response.end(answers.shift() ?? (verified ? 'success' : 'fail'));
    })();
  });
  const baseUrl = await listen(server, '127.0.0.1', 0);
  return { url: `${baseUrl}/alipay/notify`, received, answers, close: () => close(server) };
}

export async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/**
 * Reads a zip's entries through its central directory, names as raw bytes (Alipay writes them in GBK
 * without the UTF-8 flag); a deliberately small reader, so the test does not trust the writer's view.
 */
export function unzipEntries(zip: Buffer): { nameBytes: Buffer; data: Buffer; flags: number }[] {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (end < 0) throw new Error('no end of central directory');
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries: { nameBytes: Buffer; data: Buffer; flags: number }[] = [];
  for (let i = 0; i < count; i++) {
    if (zip.readUInt32LE(at) !== 0x02014b50) throw new Error('bad central directory entry');
    const flags = zip.readUInt16LE(at + 8);
    const method = zip.readUInt16LE(at + 10);
    const compressedSize = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extraLength = zip.readUInt16LE(at + 30);
    const commentLength = zip.readUInt16LE(at + 32);
    const localAt = zip.readUInt32LE(at + 42);
    const nameBytes = zip.subarray(at + 46, at + 46 + nameLength);
    const dataAt = localAt + 30 + zip.readUInt16LE(localAt + 26) + zip.readUInt16LE(localAt + 28);
    const raw = zip.subarray(dataAt, dataAt + compressedSize);
    entries.push({ nameBytes, data: method === 8 ? inflateRawSync(raw) : raw, flags });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
