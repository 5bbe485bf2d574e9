// A probe for the core's edge: what it answers before a request's body has been sent.
import { request } from 'node:http';

/**
 * Sends the headers of a body of bytesTotal and only its first 64 KiB, and answers the status, code
 * and Connection header that came back while the rest was never sent (status undefined when none came within waitMs).
 */
export function statusBeforeBody(
  url: string,
  path: string,
  bytesTotal: number,
  headers: Record<string, string> = {},
  waitMs = 3000,
): Promise<{ status: number | undefined; connection: string | undefined; code?: string }> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, url), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(bytesTotal), ...headers },
    });
    const timer = setTimeout(() => {
      req.destroy();
      resolve({ status: undefined, connection: undefined });
    }, waitMs);
    req.on('response', (response) => {
      clearTimeout(timer);
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        let code: string | undefined;
        try {
          code = (JSON.parse(Buffer.concat(chunks).toString()) as { code?: string }).code;
        } catch {}
        resolve({ status: response.statusCode, connection: response.headers.connection, code });
        req.destroy();
      });
    });
    req.on('error', (error) => {
      // The server closing its side after answering may surface here first; the answer decides.
      if (
        (error as NodeJS.ErrnoException).code !== 'ECONNRESET' &&
        (error as NodeJS.ErrnoException).code !== 'EPIPE'
      )
        reject(error);
    });
    req.write(Buffer.alloc(Math.min(bytesTotal, 64 * 1024), 0x20));
  });
}
