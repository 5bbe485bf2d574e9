import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A bank front-end (银行前置) stand-in for 圈存 (docs/funds.md § Bank): the usual interface of a
 * Chinese bank's campus-card link, over signed JSON on HTTP.
 *
 * - Binding: `POST /bind/verify` checks the card number, holder's name, ID number and phone against
 *   the bank's own records and sends an SMS code; `POST /bind/confirm` with that code answers an
 *   agreement token (签约号) that stands for the card from then on.
 * - Transfers: `POST /transfers` debits the bound account (圈存) or credits it (a payout), once per
 *   transfer id; `GET /transfers/:id` answers what became of one; `POST /transfers/:id/reversal` is
 *   the 冲正 of a transfer whose answer was lost: the bank gives a debit back, and an id it never saw
 *   is recorded as reversed so that a late original is refused.
 * - `GET /reconciliation?date=YYYY-MM-DD`: the end-of-day file (CSV) of the day's transfers, Shanghai
 *   day of the bank's booking.
 * - Test and demo switches under `/_`: accounts, the SMS outbox, fault switches.
 */

export interface BankAccount {
  cardNumber: string;
  name: string;
  idNumber: string;
  phone: string;
  /** fen */
  balance: number;
}

export interface BankFaults {
  /** The debit is booked but no answer comes back (the caller's timeout fires). */
  transfer?: 'timeout_after_debit' | 'timeout_before_debit' | 'decline';
  /** A reversal is not answered (and not applied). */
  reversal?: 'timeout';
  /** Status queries are not answered. */
  query?: 'timeout';
  /** Every transfer is booked at once and answered this many ms later (a kill lands in between). */
  delayMs?: number;
  /** The end-of-day file leaves out this transfer id. */
  reconOmit?: string;
  /** The end-of-day file lists a debit no one asked for. */
  reconExtra?: boolean;
  /** The end-of-day file shows every amount this many fen off. */
  reconAmountDelta?: number;
}

export interface BankTransfer {
  id: string;
  kind: 'debit' | 'credit';
  token: string;
  amount: number;
  status: 'succeeded' | 'failed' | 'reversed';
  serial: string;
  atMs: number;
  code?: string;
}

interface Pending {
  cardNumber: string;
  phone: string;
  code: string;
  atMs: number;
}

const bodyBytesMax = 16 * 1024;
const heldAnswerMsMax = 30_000;
const timestampSkewMsMax = 300_000;
const shanghaiOffsetMs = 8 * 3600_000;

export interface BankStandIn {
  url: string;
  port: number;
  accounts: Map<string, BankAccount>;
  transfers: Map<string, BankTransfer>;
  faults: BankFaults;
  addAccount(account: BankAccount): void;
  /** The last SMS code sent to a phone. */
  smsFor(phone: string): string | undefined;
  close(): Promise<void>;
}

/** Signs a request the way the bank wants it: HMAC-SHA256 over timestamp, method, path and body. */
export function bankSignature(
  secret: string,
  timestampMs: string,
  method: string,
  path: string,
  body: string,
): string {
  return createHmac('sha256', secret).update(`${timestampMs}\n${method}\n${path}\n${body}`).digest('hex');
}

export function shanghaiDay(ms: number): string {
  return new Date(ms + shanghaiOffsetMs).toISOString().slice(0, 10);
}

export async function startBank(options: {
  port?: number;
  host?: string;
  secret: string;
}): Promise<BankStandIn> {
  const accounts = new Map<string, BankAccount>();
  const pending = new Map<string, Pending>();
  const agreements = new Map<string, string>();
  const transfers = new Map<string, BankTransfer>();
  const outbox = new Map<string, string>();
  const held = new Set<ServerResponse>();
  const state = { faults: {} as BankFaults, serial: 0 };

  const hold = (res: ServerResponse) => {
    held.add(res);
    const timer = setTimeout(() => res.destroy(), heldAnswerMsMax);
    timer.unref();
    res.on('close', () => {
      clearTimeout(timer);
      held.delete(res);
    });
  };
  const reply = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const nextSerial = () => `B${Date.now()}${String(++state.serial).padStart(6, '0')}`;

  const handle = async (req: IncomingMessage, res: ServerResponse, raw: string) => {
    const url = new URL(req.url ?? '/', 'http://bank');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    // The test and demo switches: no signature (the stand-in's own back door, never the bank's API).
    if (path.startsWith('/_')) return testRoutes(method, path, raw, res);
    const timestamp = String(req.headers['x-bank-timestamp'] ?? '');
    const signature = String(req.headers['x-bank-signature'] ?? '');
    const expected = bankSignature(options.secret, timestamp, method, `${path}${url.search}`, raw);
    if (
      Math.abs(Date.now() - Number(timestamp)) > timestampSkewMsMax ||
      signature.length !== expected.length ||
      !timingSafeEqual(Buffer.from(signature), Buffer.from(expected))
    )
      return reply(res, 401, { code: 'SIGNATURE_INVALID' });
    const body = raw ? (JSON.parse(raw) as Record<string, unknown>) : {};

    if (method === 'POST' && path === '/bind/verify') {
      const account = accounts.get(String(body.cardNumber));
      if (!account) return reply(res, 200, { result: 'refused', code: 'CARD_UNKNOWN' });
      if (account.name !== body.name || account.idNumber !== body.idNumber || account.phone !== body.phone)
        return reply(res, 200, { result: 'refused', code: 'HOLDER_MISMATCH' });
      const requestId = `V${randomBytes(8).toString('hex')}`;
      const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
      pending.set(requestId, {
        cardNumber: account.cardNumber,
        phone: account.phone,
        code,
        atMs: Date.now(),
      });
      outbox.set(account.phone, code);
      return reply(res, 200, { result: 'sent', requestId, phoneTail: account.phone.slice(-4) });
    }
    if (method === 'POST' && path === '/bind/confirm') {
      const entry = pending.get(String(body.requestId));
      if (!entry) return reply(res, 200, { result: 'refused', code: 'REQUEST_UNKNOWN' });
      if (entry.code !== body.smsCode) return reply(res, 200, { result: 'refused', code: 'SMS_CODE_WRONG' });
      pending.delete(String(body.requestId));
      const token = `AGR${randomBytes(12).toString('hex')}`;
      agreements.set(token, entry.cardNumber);
      const n = entry.cardNumber;
      return reply(res, 200, { result: 'bound', token, masked: `${n.slice(0, 6)}******${n.slice(-4)}` });
    }
    if (method === 'POST' && path === '/transfers') {
      const id = String(body.transferId);
      const seen = transfers.get(id);
      // The same transfer id is booked once: a retry answers what the first got.
      if (seen) return reply(res, 200, answerOf(seen));
      const fault = state.faults.transfer;
      if (fault === 'timeout_before_debit') return hold(res);
      const cardNumber = agreements.get(String(body.token));
      const amount = Number(body.amount);
      const kind = body.kind === 'credit' ? 'credit' : 'debit';
      const transfer: BankTransfer = {
        id,
        kind,
        token: String(body.token),
        amount,
        status: 'succeeded',
        serial: nextSerial(),
        atMs: Date.now(),
      };
      const account = cardNumber ? accounts.get(cardNumber) : undefined;
      if (!account || !Number.isSafeInteger(amount) || amount <= 0)
        Object.assign(transfer, { status: 'failed', code: 'AGREEMENT_UNKNOWN' });
      else if (fault === 'decline') Object.assign(transfer, { status: 'failed', code: 'DECLINED' });
      else if (kind === 'debit' && account.balance < amount)
        Object.assign(transfer, { status: 'failed', code: 'INSUFFICIENT_FUNDS' });
      else account.balance += kind === 'debit' ? -amount : amount;
      transfers.set(id, transfer);
      if (fault === 'timeout_after_debit') return hold(res);
      const delayMs = state.faults.delayMs ?? 0;
      if (delayMs > 0) {
        setTimeout(() => reply(res, 200, answerOf(transfer)), delayMs).unref();
        return;
      }
      return reply(res, 200, answerOf(transfer));
    }
    const one = /^\/transfers\/([A-Za-z0-9:_-]{1,64})(\/reversal)?$/.exec(path);
    if (one) {
      const id = one[1] as string;
      if (method === 'GET' && !one[2]) {
        if (state.faults.query === 'timeout') return hold(res);
        const seen = transfers.get(id);
        return reply(res, 200, seen ? answerOf(seen) : { transferId: id, status: 'unknown' });
      }
      if (method === 'POST' && one[2]) {
        if (state.faults.reversal === 'timeout') return hold(res);
        const seen = transfers.get(id);
        if (!seen) {
          // 冲正 of a transfer the bank never booked: recorded, so the original, arriving late, is refused.
          transfers.set(id, {
            id,
            kind: 'debit',
            token: '',
            amount: 0,
            status: 'reversed',
            serial: nextSerial(),
            atMs: Date.now(),
          });
        } else if (seen.status === 'succeeded') {
          const account = accounts.get(agreements.get(seen.token) ?? '');
          if (account) account.balance += seen.kind === 'debit' ? seen.amount : -seen.amount;
          seen.status = 'reversed';
        }
        return reply(res, 200, answerOf(transfers.get(id) as BankTransfer));
      }
    }
    if (method === 'GET' && path === '/reconciliation') {
      const date = url.searchParams.get('date') ?? '';
      const lines = ['transfer_id,kind,amount,status,serial'];
      const { reconOmit, reconExtra, reconAmountDelta = 0 } = state.faults;
      for (const t of transfers.values()) {
        if (shanghaiDay(t.atMs) !== date || t.id === reconOmit || t.status === 'failed') continue;
        lines.push([t.id, t.kind, t.amount + reconAmountDelta, t.status, t.serial].join(','));
      }
      if (reconExtra) lines.push(['bk-extra-0000', 'debit', 100, 'succeeded', nextSerial()].join(','));
      res.writeHead(200, { 'content-type': 'text/csv' }).end(`${lines.join('\n')}\n`);
      return;
    }
    reply(res, 404, { code: 'NOT_FOUND' });
  };

  const testRoutes = (method: string, path: string, raw: string, res: ServerResponse) => {
    if (method === 'POST' && path === '/_accounts') {
      const a = JSON.parse(raw) as BankAccount;
      accounts.set(a.cardNumber, { ...a });
      return reply(res, 200, { ok: true });
    }
    const account = /^\/_accounts\/(\d{12,19})$/.exec(path);
    if (method === 'GET' && account) {
      const a = accounts.get(account[1] as string);
      return a ? reply(res, 200, { balance: a.balance }) : reply(res, 404, { code: 'NOT_FOUND' });
    }
    const sms = /^\/_sms\/(\d{6,20})$/.exec(path);
    if (method === 'GET' && sms) {
      const code = outbox.get(sms[1] as string);
      return code ? reply(res, 200, { code }) : reply(res, 404, { code: 'NOT_FOUND' });
    }
    if (method === 'POST' && path === '/_faults') {
      state.faults = JSON.parse(raw || '{}') as BankFaults;
      return reply(res, 200, { ok: true });
    }
    reply(res, 404, { code: 'NOT_FOUND' });
  };

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > bodyBytesMax) req.destroy();
      else chunks.push(chunk);
    });
    req.on('end', () => {
      handle(req, res, Buffer.concat(chunks).toString('utf8')).catch(() => {
        if (!res.headersSent) reply(res, 400, { code: 'BAD_REQUEST' });
      });
    });
  });
  await new Promise<void>((resolve, reject) =>
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve).once('error', reject),
  );
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    port,
    accounts,
    transfers,
    get faults() {
      return state.faults;
    },
    set faults(value: BankFaults) {
      state.faults = value;
    },
    addAccount(account) {
      accounts.set(account.cardNumber, { ...account });
    },
    smsFor: (phone) => outbox.get(phone),
    async close() {
      for (const res of held) res.destroy();
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

function answerOf(t: BankTransfer) {
  return {
    transferId: t.id,
    status: t.status,
    serial: t.serial,
    amount: t.amount,
    ...(t.code ? { code: t.code } : {}),
  };
}
