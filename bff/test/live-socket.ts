import { WebSocket } from 'ws';

export interface Socket {
  ws: WebSocket;
  messages: Record<string, unknown>[];
  next(
    matching: (m: Record<string, unknown>) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
}

/** Opens a live view the way the mini-program does; resolves once the hello arrived. */
export async function openSocket(baseUrl: string, path: string): Promise<Socket> {
  const ws = new WebSocket(`${baseUrl.replace('http', 'ws')}${path}`);
  const messages: Record<string, unknown>[] = [];
  const waiters: {
    matching: (m: Record<string, unknown>) => boolean;
    resolve: (m: Record<string, unknown>) => void;
  }[] = [];
  ws.on('message', (data) => {
    const message = JSON.parse(String(data)) as Record<string, unknown>;
    messages.push(message);
    for (const w of [...waiters])
      if (w.matching(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
  });
  const socket: Socket = {
    ws,
    messages,
    next(matching, timeoutMs = 1_000) {
      const seen = messages.find(matching);
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching message within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          matching,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
  };
  await socket.next((m) => m.type === 'hello', 5_000);
  return socket;
}
