// The demo's web front: the H5 build and the backoffice as static files, with /api (HTTP and the live
// WebSocket) passed to the BFF and /__mock to the WeChat login stand-in — one origin, as a deployment
// behind nginx would have it.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { basename, extname, join, normalize, sep } from 'node:path';
import type { Duplex } from 'node:stream';
import { promisify } from 'node:util';
import { brotliCompress, gzip, constants as zlib } from 'node:zlib';

const types: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
};

export interface WebOptions {
  host?: string;
  port?: number;
  /** Path prefix → folder of static files; an unknown path under it gets its index.html. */
  sites: Record<string, string>;
  /** Path prefix → origin (http://host:port) that requests and socket upgrades are passed to. */
  proxies: Record<string, string>;
  /**
   * The demo launcher's own switch: only with it may a proxy reach a stand-in's /__mock routes (the
   * WeChat login stand-in mints a login code for any user there); never under NODE_ENV=production.
   */
  demo?: boolean;
}

/** The stand-ins' back doors: mounted on the web origin only by the demo launcher. */
const mockPrefix = '/__mock';

/**
 * Headers on every static answer: the apps may run only their own scripts (plus the inline ones
 * their index.html carries, by hash), may not be framed, sniffed or leak a referrer.
 * Ant Design and Taro set inline styles, so styles allow them; nothing else is inline.
 */
function staticHeaders(inlineScriptHashes: readonly string[] = []): Record<string, string> {
  const csp = [
    "default-src 'self'",
    `script-src 'self'${inlineScriptHashes.map((h) => ` '${h}'`).join('')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "media-src 'self' blob:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
  return {
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
  };
}

/** sha256 sources of the inline <script> elements of an HTML page, for its CSP. */
export function inlineScriptHashes(html: string): string[] {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/gi))
    if ((match[1] ?? '').length > 0)
      hashes.push(
        `sha256-${createHash('sha256')
          .update(match[1] ?? '', 'utf8')
          .digest('base64')}`,
      );
  return hashes;
}

export interface Web {
  url: string;
  server: Server;
  close(): Promise<void>;
}

const prefixOf = (table: Record<string, string>, path: string) =>
  Object.keys(table)
    .sort((a, b) => b.length - a.length)
    .find((prefix) => path === prefix || path.startsWith(prefix.endsWith('/') ? prefix : `${prefix}/`));

/** Passes one request to another local server and streams its answer back as it comes. */
async function proxy(origin: string, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(request.headers))
    if (typeof value === 'string' && !['host', 'connection', 'content-length'].includes(key))
      headers[key] = value;
  // As a reverse proxy does: the BFF (TRUSTED_PROXY_HOPS=1) counts sign-in failures per real client.
  const client = request.socket.remoteAddress ?? '';
  headers['x-forwarded-for'] = headers['x-forwarded-for']
    ? `${headers['x-forwarded-for']}, ${client}`
    : client;
  const answer = await fetch(`${origin}${request.url ?? '/'}`, {
    method: request.method ?? 'GET',
    headers,
    redirect: 'manual',
    ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
  });
  const out: Record<string, string> = {};
  answer.headers.forEach((value, key) => {
    if (!['content-encoding', 'content-length', 'transfer-encoding', 'connection'].includes(key))
      out[key] = value;
  });
  response.writeHead(answer.status, out);
  response.end(Buffer.from(await answer.arrayBuffer()));
}

/** A socket upgrade (the live WebSocket) passed through byte for byte. */
function proxyUpgrade(origin: string, request: IncomingMessage, socket: Duplex, head: Buffer): void {
  const { hostname, port } = new URL(origin);
  const upstream = connect(Number(port), hostname, () => {
    const lines = [`${request.method} ${request.url} HTTP/1.1`];
    for (let i = 0; i < request.rawHeaders.length; i += 2)
      lines.push(`${request.rawHeaders[i]}: ${request.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length > 0) upstream.write(head);
    upstream.pipe(socket).pipe(upstream);
  });
  const end = () => {
    upstream.destroy();
    socket.destroy();
  };
  upstream.on('error', end);
  socket.on('error', end);
}

const brotli = promisify(brotliCompress);
const gzipped = promisify(gzip);
/** Text worth compressing; images and fonts are compressed already. */
const compressible = new Set(['.html', '.js', '.css', '.json', '.svg']);
const compressBytesMin = 1024;
/** Compressed copies kept, newest last: each file compressed once per build and encoding. */
const compressedMax = 500;
const compressedCache = new Map<string, Buffer>();

/**
 * A file name carrying its content hash (app.3f9a21c7.js, 612.8c1d0e4f.css): it never changes under
 * the same name, so browsers may keep it a year without asking again.
 */
export function isHashedAsset(file: string): boolean {
  return /\.[0-9a-f]{8,}\.(js|css|png|svg|woff2|jpg|mp4)$/.test(basename(file));
}

/** br when the browser takes it, else gzip, else none (as an nginx with gzip_static/brotli_static would). */
function encodingFor(request: IncomingMessage, file: string, size: number): 'br' | 'gzip' | undefined {
  if (!compressible.has(extname(file)) || size < compressBytesMin) return undefined;
  const accepted = String(request.headers['accept-encoding'] ?? '');
  if (/\bbr\b/.test(accepted)) return 'br';
  if (/\bgzip\b/.test(accepted)) return 'gzip';
  return undefined;
}

async function compressed(
  file: string,
  mtimeMs: number,
  encoding: 'br' | 'gzip',
  body: Buffer,
): Promise<Buffer> {
  const key = `${encoding}:${mtimeMs}:${file}`;
  const cached = compressedCache.get(key);
  if (cached) return cached;
  const out =
    encoding === 'br'
      ? await brotli(body, {
          params: { [zlib.BROTLI_PARAM_QUALITY]: 9, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length },
        })
      : await gzipped(body, { level: 9 });
  compressedCache.set(key, out);
  if (compressedCache.size > compressedMax)
    compressedCache.delete(compressedCache.keys().next().value as string);
  return out;
}

async function sendFile(
  root: string,
  path: string,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const base = normalize(root);
  let file = normalize(join(base, decodeURIComponent(path)));
  if (file !== base && !file.startsWith(base + sep)) {
    response.writeHead(403, staticHeaders()).end();
    return;
  }
  let info = await stat(file).catch(() => undefined);
  if (!info?.isFile()) {
    // Single-page apps: any unknown path is the app's own route.
    file = join(base, 'index.html');
    info = await stat(file).catch(() => undefined);
  }
  if (!info?.isFile()) {
    response
      .writeHead(404, { ...staticHeaders(), 'content-type': 'text/plain; charset=utf-8' })
      .end('not built yet');
    return;
  }
  const html = extname(file) === '.html';
  const encoding = encodingFor(request, file, info.size);
  const headers: Record<string, string | number> = {
    ...staticHeaders(html ? inlineScriptHashes(await readFile(file, 'utf8')) : []),
    'content-type': types[extname(file)] ?? 'application/octet-stream',
    // Hashed assets for a year; the page, the service worker and unhashed files are asked again each time.
    'cache-control': isHashedAsset(file) ? 'public, max-age=31536000, immutable' : 'no-cache',
    vary: 'accept-encoding',
  };
  if (encoding === undefined) {
    response.writeHead(200, { ...headers, 'content-length': info.size });
    createReadStream(file).pipe(response);
    return;
  }
  const body = await compressed(file, info.mtimeMs, encoding, await readFile(file));
  response.writeHead(200, { ...headers, 'content-encoding': encoding, 'content-length': body.length });
  response.end(body);
}

export async function startWeb(options: WebOptions): Promise<Web> {
  const mocks = Object.keys(options.proxies).filter(
    (prefix) => prefix === mockPrefix || prefix.startsWith(`${mockPrefix}/`),
  );
  if (mocks.length > 0 && options.demo !== true)
    throw new Error(`${mocks.join(', ')} is mounted only by the demo launcher (demo: true)`);
  if (mocks.length > 0 && process.env.NODE_ENV === 'production')
    throw new Error(
      `${mocks.join(', ')} (the stand-ins' back doors) is never mounted under NODE_ENV=production`,
    );
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://web').pathname;
    const handle = async () => {
      const proxied = prefixOf(options.proxies, path);
      if (proxied !== undefined) return proxy(options.proxies[proxied] as string, request, response);
      const site = prefixOf(options.sites, path);
      if (site === undefined) {
        response.writeHead(404, staticHeaders()).end();
        return;
      }
      return sendFile(
        options.sites[site] as string,
        path.slice(site.length) || '/index.html',
        request,
        response,
      );
    };
    handle().catch(() => {
      if (!response.headersSent) response.writeHead(502);
      response.end();
    });
  });
  server.on('upgrade', (request, socket, head) => {
    const path = new URL(request.url ?? '/', 'http://web').pathname;
    const proxied = prefixOf(options.proxies, path);
    if (proxied === undefined) socket.destroy();
    else proxyUpgrade(options.proxies[proxied] as string, request, socket, head);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
