import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Logger } from '@campus-card/core/log';
import { WebSocket, WebSocketServer } from 'ws';
import type { PushHub } from './push-hub.ts';
import type { PushTickets } from './push-tickets.ts';

export const eventsPath = '/api/v1/events';
/** A live view that does not answer a ping within this long is closed. */
const pingIntervalMs = 30_000;
/** What a phone may send us on this socket: nothing but pongs, so anything large is abuse. */
const inboundBytesMax = 1024;
/** Messages queued for a slow phone before it is cut off rather than buffered without bound. */
const outboundBytesMax = 256 * 1024;

/**
 * The live-view WebSocket at /api/v1/events?ticket=…: WeChat and Alipay mini-programs and browsers
 * all speak WebSocket, and none can set an Authorization header on it, so the phone first trades its
 * access token for a one-time ticket (POST /api/v1/events/ticket) and opens the socket with that.
 */
export function attachEventsSocket(
  server: Server,
  hub: PushHub,
  tickets: PushTickets,
  log: Logger,
): () => void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: inboundBytesMax, perMessageDeflate: false });
  const alive = new WeakSet<WebSocket>();

  const refuse = (socket: Duplex, status: number, reason: string) => {
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  };

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://bff');
    if (url.pathname !== eventsPath) return refuse(socket, 404, 'Not Found');
    const ticket = url.searchParams.get('ticket') ?? '';
    tickets.redeem(ticket).then(
      (holder) => {
        if (!holder) return refuse(socket, 401, 'Unauthorized');
        wss.handleUpgrade(request, socket, head, (ws) => {
          const remove = hub.add({
            cardNos: holder.cardNos,
            ...(holder.alerts ? { alerts: holder.alerts } : {}),
            send: (message) => {
              if (ws.readyState !== WebSocket.OPEN) return;
              if (ws.bufferedAmount > outboundBytesMax) return ws.terminate();
              ws.send(message);
            },
          });
          if (!remove) {
            ws.close(1013, 'try again later');
            return;
          }
          alive.add(ws);
          ws.on('pong', () => alive.add(ws));
          ws.on('message', () => {});
          ws.on('error', () => ws.terminate());
          ws.on('close', remove);
          ws.send(JSON.stringify({ type: 'hello', cardNos: holder.cardNos }));
        });
      },
      (error: unknown) => {
        log.warn({ err: { message: (error as Error).message } }, 'push ticket check failed');
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
