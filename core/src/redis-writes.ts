// A service's Redis commands of one turn of the event loop leave in one socket write (issue #20). The
// gateway claims every payment's code in Redis (the replay guard's SET NX) and reads dozens of tills' frames
// in one turn; the core claims every signed request's nonce and publishes every committed payment on the
// card-activity channel, dozens of them from one batch's answers. ioredis writes each command at once, one
// write syscall a command, which the CPU profiles put at a tenth of the gateway's and of the core's time a
// payment. Its own auto-pipelining flushes on process.nextTick, that is after each socket's callback, so it
// does not join the work of different sockets. Corking the connection's socket at the turn's first command
// and uncorking it in setImmediate (as the core client sends the money operations of a turn in one batch)
// does: the commands keep their order, and each is answered as before.

import type { Redis } from 'ioredis';

export function oneWritePerTurn(redis: Redis): void {
  const send = redis.sendCommand.bind(redis);
  let corked: Redis['stream'] | undefined;
  const uncork = () => {
    const socket = corked;
    corked = undefined;
    socket?.uncork();
  };
  redis.sendCommand = ((...args: Parameters<Redis['sendCommand']>) => {
    // Only a connection ready to write takes commands now; before that ioredis queues them itself.
    if (corked === undefined && redis.status === 'ready' && redis.stream?.writable === true) {
      corked = redis.stream;
      corked.cork();
      setImmediate(uncork);
    }
    return send(...args);
  }) as Redis['sendCommand'];
}
