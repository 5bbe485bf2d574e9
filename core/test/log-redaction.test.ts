import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, test } from 'node:test';
import { freshDatabase } from '@campus-card/tests/kit';
import { type Database, openDatabase } from '../src/db/database.ts';
import { loggable } from '../src/http/edge.ts';
import { createLogger } from '../src/log.ts';

/** A logger whose lines are kept in memory. */
function capturingLogger(): { log: ReturnType<typeof createLogger>; text(): string } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { log: createLogger('test', 'info', stream), text: () => lines.join('') };
}

const idNumber = '110101199003071234';
const name = '韩梅梅';

let database: { url: string; drop(): Promise<void> };
let db: Database;
before(async () => {
  database = await freshDatabase('mysql');
  db = openDatabase(database.url);
  await db.execute('CREATE TABLE people (id_number VARCHAR(32) PRIMARY KEY, name VARCHAR(64) NOT NULL)');
  await db.execute('INSERT INTO people (id_number, name) VALUES (?, ?)', [idNumber, name]);
});
after(async () => {
  await db.close();
  await database.drop();
});

test('#12.14 class: when a MariaDB error carrying an ID number and a name is logged whole under err (as the subsidy run and the blacklist hook do), then the log line has neither, only the kind, code and message', async () => {
  const error = await db.execute('INSERT INTO people (id_number, name) VALUES (?, ?)', [idNumber, name]).then(
    () => assert.fail('the duplicate was inserted'),
    (e: unknown) => e as Error,
  );
  // The driver's error does carry them: this is what a logger must not write.
  assert.match(JSON.stringify({ ...error, message: error.message }), new RegExp(idNumber));

  const { log, text } = capturingLogger();
  log.error({ err: error, id: 'batch-1' }, 'subsidy run stopped; post again to resume');
  log.error({ err: loggable(error) }, 'request failed');
  const { log: wrapped, text: wrappedText } = capturingLogger();
  wrapped.warn(
    { err: new Error('blacklist did not follow', { cause: error }) },
    'blacklist did not follow a card change',
  );

  for (const written of [text(), wrappedText()]) {
    assert.ok(written.length > 0);
    assert.doesNotMatch(written, new RegExp(idNumber), written);
    assert.doesNotMatch(written, new RegExp(name), written);
    assert.doesNotMatch(written, /INSERT INTO/, 'no statement text');
  }
  const line = JSON.parse(text().split('\n')[0] as string) as { err: Record<string, unknown>; id: string };
  assert.equal(line.err.code, 'ER_DUP_ENTRY');
  assert.match(String(line.err.message), /^Duplicate entry '…' for key/);
  assert.equal(line.id, 'batch-1');
  assert.deepEqual(Object.keys(line.err).sort(), ['code', 'message', 'name', 'stack']);
});

test('#12.14 class: when an error of our own is logged under err, then its message and code are kept as they were', () => {
  const { log, text } = capturingLogger();
  const error = Object.assign(new Error("card 'C1' is frozen"), { code: 'CARD_FROZEN', details: { x: 1 } });
  log.warn({ err: error }, 'refused');
  log.warn({ err: { message: 'plain' } }, 'plain object');
  const [first, second] = text()
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { err: Record<string, unknown> });
  assert.equal(first?.err.message, "card 'C1' is frozen");
  assert.equal(first?.err.code, 'CARD_FROZEN');
  assert.equal(first?.err.details, undefined, 'attached properties are not logged');
  assert.deepEqual(second?.err, { message: 'plain' });
});
