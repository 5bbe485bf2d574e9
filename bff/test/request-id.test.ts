import assert from 'node:assert/strict';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { Writable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { createLogger } from '@campus-card/core/log';
import { logIn } from './students.ts';
import { startWorld, type TestWorld } from './support.ts';

/**
 * A pass-through in front of the real core that writes down the request id of every call, so the
 * test sees what the core receives.
 */
async function recordingProxy(target: string): Promise<{ url: string; ids: string[]; server: Server }> {
  const ids: string[] = [];
  const to = new URL(target);
  const server = createServer((req, res) => {
    ids.push(String(req.headers['x-request-id'] ?? ''));
    const upstream = httpRequest(
      { host: to.hostname, port: to.port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address() as { port: number };
  return { url: `http://127.0.0.1:${address.port}`, ids, server };
}

describe('request ids across bff and core', () => {
  const lines: Record<string, unknown>[] = [];
  const logs = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  let world: TestWorld;
  let proxy: Awaited<ReturnType<typeof recordingProxy>>;
  before(async () => {
    world = await startWorld();
    proxy = await recordingProxy(world.core.core.url);
  });
  after(async () => {
    await world.stop();
    proxy.server.close();
  });

  test('when a request carries an id, then every core call made for it carries the same id', async () => {
    const viaProxy = await (async () => {
      const { startBff } = await import('../src/app.ts');
      const { loadConfig } = await import('../src/config.ts');
      return startBff(loadConfig({ ...world.env, CORE_URL: proxy.url }), createLogger('bff', 'debug', logs));
    })();
    try {
      const user = await logIn(world);
      const reply = await world.request('GET', '/api/v1/card', {
        token: user.accessToken,
        headers: { 'x-request-id': 'trace-bff-core-1' },
        bff: viaProxy,
      });
      assert.equal(reply.body.code, 'NOT_BOUND', 'the core was asked for the binding');
      assert.equal(reply.headers.get('x-request-id'), 'trace-bff-core-1');
      assert.ok(proxy.ids.length >= 1);
      assert.ok(
        proxy.ids.every((id) => id === 'trace-bff-core-1'),
        JSON.stringify(proxy.ids),
      );
      // The refusal tells the client the id support finds the log lines by, and the BFF's line has it.
      assert.equal(reply.body.requestId, 'trace-bff-core-1');
      assert.ok(
        lines.some((line) => line.msg === 'request answered' && line.requestId === 'trace-bff-core-1'),
        JSON.stringify(lines.slice(-3)),
      );

      // A malformed id is replaced, and the replacement is what the core receives.
      const calls = proxy.ids.length;
      const bad = await world.request('GET', '/api/v1/card', {
        token: user.accessToken,
        headers: { 'x-request-id': 'has spaces;and=more' },
        bff: viaProxy,
      });
      const replaced = bad.headers.get('x-request-id');
      assert.match(String(replaced), /^[0-9a-f-]{36}$/);
      assert.equal(bad.body.requestId, replaced);
      assert.deepEqual(new Set(proxy.ids.slice(calls)), new Set([replaced]));
    } finally {
      await viaProxy.close();
    }
  });
});
