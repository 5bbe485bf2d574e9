// Serves the H5 build from disk the way a deployment would put it behind the BFF's origin: /api goes to
// the BFF, /__mock to the WeChat login stand-in (the H5 demo's stand-in for wx.login), the rest is files.
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

type Handler = (request: IncomingMessage, response: ServerResponse) => Promise<void> | void;

/** Forwards a request to another local server, body and status as they are. */
export function proxyTo(baseUrl: string): Handler {
  return async (request, response) => {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const headers: Record<string, string> = {};
    for (const [key, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && key !== 'host' && key !== 'connection') headers[key] = value;
    }
    const answer = await fetch(`${baseUrl}${request.url ?? '/'}`, {
      method: request.method ?? 'GET',
      headers,
      ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
    });
    response.writeHead(answer.status, {
      'content-type': answer.headers.get('content-type') ?? 'application/octet-stream',
    });
    response.end(Buffer.from(await answer.arrayBuffer()));
  };
}

export async function serveH5(
  root: string,
  routes: { api: Handler; mock: Handler },
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://h5').pathname;
    const handle = async () => {
      if (path.startsWith('/api/')) return routes.api(request, response);
      if (path.startsWith('/__mock/')) return routes.mock(request, response);
      const file = normalize(join(root, path === '/' ? 'index.html' : decodeURIComponent(path)));
      if (!file.startsWith(root)) {
        response.writeHead(403).end();
        return;
      }
      try {
        const content = await readFile(file);
        response.writeHead(200, { 'content-type': types[extname(file)] ?? 'application/octet-stream' });
        response.end(content);
      } catch {
        response.writeHead(404).end();
      }
    };
    handle().catch((error: unknown) => {
      response.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
