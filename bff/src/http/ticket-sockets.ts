import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@campus-card/core/log';
import { WebSocket, WebSocketServer } from 'ws';

/** What a socket's owner may do with it: send (bounded), or close it with a reason. */
export interface LiveSocket {
  send(message: string): void;
  close(code: number, reason: string): void;
}

/** One WebSocket path opened with a one-time ticket (see socket-tickets.ts). */
export interface TicketSocketRoute<H> {
  path: string;
  /** The ticket's holder if it may open the socket now; undefined answers the upgrade 401. */
  redeem(ticket: string): Promise<H | undefined>;
  /** The socket is open: answers what to do when it closes, or undefined to turn it away (1013). */
  open(socket: LiveSocket, holder: H): (() => void) | undefined;
}

/** A socket that does not answer a ping within this long is closed. */
const pingIntervalMs = 30_000;
/** What a client may send us on these sockets: nothing but pongs, so anything large is abuse. */
const inboundBytesMax = 1024;
/** Messages queued for a slow client before it is cut off rather than buffered without bound. */
const outboundBytesMax = 256 * 1024;

/**
 * The server's WebSocket upgrades, one listener for every ticket-opened path (the students' live
 * view, the backoffice's events): a path no route owns answers 404, a bad ticket 401, a ticket the
 * kv could not check 503. Every open socket is pinged, and one that stops answering is dropped.
 */
export function attachTicketSockets(
  server: Server,
  routes: readonly TicketSocketRoute<unknown>[],
  log: Logger,
): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: inboundBytesMax, perMessageDeflate: false });
  const alive = new WeakSet<WebSocket>();
  const byPath = new Map(routes.map((r) => [r.path, r]));

  const refuse = (socket: Duplex, status: number, reason: string) => {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://bff');
    const route = byPath.get(url.pathname);
    if (!route) return refuse(socket, 404, 'Not Found');
    route.redeem(url.searchParams.get('ticket') ?? '').then(
      (holder) => {
        if (holder === undefined) return refuse(socket, 401, 'Unauthorized');
        wss.handleUpgrade(request, socket, head, (ws) => {
          const live: LiveSocket = {
            send: (message) => {
              if (ws.readyState !== WebSocket.OPEN) return;
              if (ws.bufferedAmount > outboundBytesMax) return ws.terminate();
              ws.send(message);
            },
            close: (code, reason) => ws.close(code, reason),
          };
          const closed = route.open(live, holder);
          if (!closed) {
            ws.close(1013, 'try again later');
            return;
          }
          alive.add(ws);
          ws.on('pong', () => alive.add(ws));
          ws.on('message', () => {});
          ws.on('error', () => ws.terminate());
          ws.on('close', closed);
        });
      },
      (error: unknown) => {
        log.warn(
          { err: { message: (error as Error).message }, path: route.path },
          'socket ticket check failed',
        );
        refuse(socket, 503, 'Service Unavailable');
      },
    );
  };
  server.on('upgrade', onUpgrade);

  const pinger = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, pingIntervalMs);
  pinger.unref();

  return () => {
    clearInterval(pinger);
    server.off('upgrade', onUpgrade);
    for (const ws of wss.clients) ws.terminate();
    wss.close();
  };
}
