import assert from 'node:assert/strict';
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { after, before, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { testServiceKey } from '@campus-card/tests/kit';
import { type RunningCore, startCore } from '../../core/src/app.ts';
import { CoreClient } from '../../core/src/client/index.ts';
import { loadConfig } from '../../core/src/config.ts';
import { createLogger } from '../../core/src/log.ts';

/**
 * Backup and point-in-time restore of the ledger with the scripts in deploy/backup, on a MariaDB
 * instance of its own (loopback port PITR_PORT, default 3397, its own datadir under /tmp; the shared
 * server on 3306 is never touched): payments, a full backup, more payments, a recorded moment, more
 * payments, the binary logs archived, the database dropped, then restored to the moment — every
 * balance is what it was at the moment and `npm run ledger:check` is clean. Run with
 * `npm run cluster:test` (not part of `npm test`).
 */
const run = promisify(execFile);
const backupDir = new URL('../../deploy/backup/', import.meta.url).pathname;
const coreDir = new URL('../../core/', import.meta.url).pathname;
const port = Number(process.env.PITR_PORT ?? 3397);
const database = 'campus_card_pitr';
const dir = mkdtempSync('/tmp/campus-card-pitr-');
const cnf = `${dir}/my.cnf`;
const databaseUrl = `mysql://app:app@127.0.0.1:${port}/${database}`;
let server: ChildProcess | undefined;
let core: RunningCore | undefined;

const sql = (statement: string) => run('mariadb', [`--defaults-file=${cnf}`, '-N', '-B', '-e', statement]);
const script = (name: string, ...args: string[]) =>
  run('bash', [`${backupDir}${name}`, ...args], {
    env: { ...process.env, DB_DEFAULTS: cnf, DB_NAME: database },
    timeout: 120_000,
  });

before(async () => {
  chmodSync(dir, 0o755); // the mysql user runs the server and must reach its datadir
  writeFileSync(
    cnf,
    [
      '[mysqld]',
      'user=mysql',
      `datadir=${dir}/data`,
      `socket=${dir}/mysqld.sock`,
      `pid-file=${dir}/mysqld.pid`,
      `log-error=${dir}/error.log`,
      `port=${port}`,
      'bind-address=127.0.0.1',
      'skip-name-resolve',
      'innodb_buffer_pool_size=64M',
      'performance_schema=OFF',
      `!include ${backupDir}binlog.cnf`,
      '[client]',
      `socket=${dir}/mysqld.sock`,
      'user=root',
      '',
    ].join('\n'),
  );
  await run('mariadb-install-db', [
    '--no-defaults',
    '--user=mysql',
    `--datadir=${dir}/data`,
    '--skip-test-db',
  ]);
  await run('chown', ['-R', 'mysql:mysql', dir]);
  server = spawn('mariadbd', [`--defaults-file=${cnf}`], { stdio: 'ignore' });
  for (let i = 0; ; i++) {
    if (
      await sql('SELECT 1').then(
        () => true,
        () => false,
      )
    )
      break;
    if (i > 300 || server.exitCode !== null) throw new Error(`mariadbd did not start (see ${dir}/error.log)`);
    await sleep(100);
  }
  await sql(
    `CREATE USER app@'127.0.0.1' IDENTIFIED BY 'app'; GRANT ALL ON *.* TO app@'127.0.0.1';
     CREATE DATABASE ${database} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`,
  );
});
after(async () => {
  await core?.close();
  if (server && server.exitCode === null) {
    server.kill('SIGTERM');
    await new Promise((resolve) => server?.once('exit', resolve));
  }
  if (process.env.KEEP_PITR !== '1') rmSync(dir, { recursive: true, force: true });
});

async function startLedger(url = databaseUrl): Promise<{ core: RunningCore; client: CoreClient }> {
  const config = loadConfig({
    DATABASE_URL: url,
    CORE_PORT: '0',
    CORE_SERVICE_KEYS: `${testServiceKey.keyId}:${testServiceKey.secret}`,
    PII_KEY: randomBytes(32).toString('hex'),
    PAY_INTERVAL_MS_MIN: '0',
    LOG_LEVEL: 'silent',
  });
  const started = await startCore(config, createLogger('core-pitr', 'silent'));
  return { core: started, client: new CoreClient({ url: started.url, ...testServiceKey }) };
}

/** The moment's text as restore.sh takes it: UTC, whole seconds. */
const utc = (ms: number) => new Date(ms).toISOString().slice(0, 19).replace('T', ' ');

/**
 * A canteen and cards with 100 yuan each; payAll pays once from every card (operation ids
 * `<prefix><phase>-<i>`), balances reads the main balances through a client.
 */
async function seedLedger(
  client: CoreClient,
  options: { prefix: string; personPrefix: string; cards: number; canteen: string },
) {
  const merchant = await client.createMerchant({ name: options.canteen, category: 'canteen' });
  const cards: string[] = [];
  for (let i = 0; i < options.cards; i++) {
    const card = await client.openCard({
      personNo: `${options.personPrefix}${i}`,
      name: '学生',
      type: 'student',
      dailyLimit: 100_000,
    });
    const topUp = { id: `${options.prefix}seed-${i}`, cardNo: card.cardNo, amount: 10_000 };
    assert.equal((await client.topUp({ ...topUp, channel: 'bank' })).status, 'ok');
    cards.push(card.cardNo);
  }
  const payAll = async (phase: string, amount: number) => {
    for (const [i, cardNo] of cards.entries()) {
      const answer = await client.pay({
        id: `${options.prefix}${phase}-${i}`,
        cardNo,
        merchantId: merchant.id,
        amount: amount + i,
      });
      assert.equal(answer.status, 'ok', JSON.stringify(answer));
    }
  };
  const balances = (of: CoreClient = client) =>
    Promise.all(cards.map(async (cardNo) => (await of.getCard(cardNo)).balance.main));
  return { merchant, cards, payAll, balances };
}

test('when the database is lost after a full backup and more payments, then backup + binary logs restore it to a chosen moment: balances as they were then, ledger check clean', {
  timeout: 600_000,
}, async () => {
  const first = await startLedger();
  core = first.core;
  const { client } = first;
  const { merchant, cards, payAll, balances } = await seedLedger(client, {
    prefix: '',
    personPrefix: 'PITR000',
    cards: 6,
    canteen: '一食堂',
  });

  await payAll('before-backup', 100);
  const full = (await script('backup.sh', `${dir}/backups`)).stdout.trim();
  await payAll('after-backup', 200);
  await client.topUp({
    id: 'after-backup-top-up',
    cardNo: cards[0] as string,
    amount: 555,
    channel: 'alipay',
  });
  const atMoment = await balances();
  // The moment is the next whole second (binary-log times have whole seconds): everything above
  // committed before it, everything below after it.
  const moment = Math.ceil(Date.now() / 1000) * 1000;
  await sleep(moment - Date.now() + 20);
  await payAll('after-moment', 300);
  const atEnd = await balances();
  assert.notDeepEqual(atEnd, atMoment);
  await script('archive-binlogs.sh', `${dir}/backups`);

  await client.close();
  await core.close();
  core = undefined;
  await sql(`DROP DATABASE ${database}`); // the disaster
  await script('restore.sh', full, utc(moment));

  const check = await run(process.execPath, ['--import', 'tsx', 'scripts/ledger-check.ts'], {
    cwd: coreDir,
    env: { ...process.env, DATABASE_URL: databaseUrl, LOG_LEVEL: 'silent' },
  });
  assert.match(check.stdout, /^OK:/m);

  const second = await startLedger();
  core = second.core;
  try {
    const restored = await Promise.all(
      cards.map(async (cardNo) => (await second.client.getCard(cardNo)).balance.main),
    );
    assert.deepEqual(restored, atMoment);
    // A payment after the moment is unknown again: sent anew, it is taken as new, not as a replay.
    const again = await second.client.pay({
      id: 'after-moment-0',
      cardNo: cards[0] as string,
      merchantId: merchant.id,
      amount: 300,
    });
    assert.equal(again.status, 'ok');
    assert.notEqual(again.replayed, true);
  } finally {
    await second.client.close();
  }
});

/**
 * The same story with physical backups (deploy/backup/physical-*.sh): a full and an incremental
 * mariadb-backup copy of the server, the binary logs archived, and the restore into a fresh data
 * directory served on its own loopback port (PITR_RESTORE_PORT, default 3398) — this server is left
 * as it is, as an operator would keep the damaged one. Skipped where mariadb-backup is not installed.
 */
const physicalTool = spawnSync('mariadb-backup', ['--version']).error === undefined;
test('when a database is lost after a full and an incremental physical backup, then mariadb-backup and the binary logs restore it on a fresh datadir to a chosen moment: balances as they were then, ledger check clean', {
  timeout: 600_000,
  skip: physicalTool ? false : 'mariadb-backup is not installed (Debian package mariadb-backup)',
}, async () => {
  const physicalDatabase = 'campus_card_phys';
  const restorePort = Number(process.env.PITR_RESTORE_PORT ?? 3398);
  // mariadb-backup reads a server's [mysqld] group too, whose user= is the account the server runs as:
  // the scripts get a client-only option file.
  const clientCnf = `${dir}/client.cnf`;
  writeFileSync(clientCnf, ['[client]', `socket=${dir}/mysqld.sock`, 'user=root', ''].join('\n'));
  const physical = (name: string, ...args: string[]) =>
    run('bash', [`${backupDir}${name}`, ...args], {
      env: {
        ...process.env,
        DB_DEFAULTS: clientCnf,
        DB_NAME: physicalDatabase,
        RESTORE_PORT: String(restorePort),
      },
      timeout: 300_000,
    });
  await sql(`CREATE DATABASE ${physicalDatabase} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  const started = await startLedger(`mysql://app:app@127.0.0.1:${port}/${physicalDatabase}`);
  core = started.core;
  const { client } = started;
  const { payAll, balances } = await seedLedger(client, {
    prefix: 'phys-',
    personPrefix: 'PHYS00',
    cards: 4,
    canteen: '二食堂',
  });

  const root = `${dir}/physical`;
  await payAll('before-full', 100);
  await physical('physical-backup.sh', 'full', root);
  await payAll('before-incremental', 200);
  await sleep(1_000); // the backups' names have whole seconds
  const incremental = (await physical('physical-backup.sh', 'incremental', root)).stdout.trim();
  assert.match(readFileSync(`${incremental}/base`, 'utf8'), /^phys-\d{8}T\d{6}Z-full$/);
  await payAll('after-incremental', 300);
  const atMoment = await balances();
  const moment = Math.ceil(Date.now() / 1000) * 1000;
  await sleep(moment - Date.now() + 20);
  await payAll('after-moment', 400);
  assert.notDeepEqual(await balances(), atMoment);
  await physical('archive-binlogs.sh', root);
  await client.close();
  await core.close();
  core = undefined;

  const restoredDir = `${dir}/restored`;
  await physical('physical-restore.sh', incremental, utc(moment), `${restoredDir}/data`);
  const pid = Number(readFileSync(`${restoredDir}/data.pid`, 'utf8'));
  try {
    const restoredUrl = `mysql://app:app@127.0.0.1:${restorePort}/${physicalDatabase}`;
    const check = await run(process.execPath, ['--import', 'tsx', 'scripts/ledger-check.ts'], {
      cwd: coreDir,
      env: { ...process.env, DATABASE_URL: restoredUrl, LOG_LEVEL: 'silent' },
    });
    assert.match(check.stdout, /^OK:/m);
    const second = await startLedger(restoredUrl);
    core = second.core;
    try {
      assert.deepEqual(await balances(second.client), atMoment);
    } finally {
      await second.client.close();
    }
  } finally {
    await core?.close();
    core = undefined;
    process.kill(pid, 'SIGTERM'); // the restored server the script started, by its pid file
    for (let i = 0; i < 300 && spawnSync('kill', ['-0', String(pid)]).status === 0; i++) await sleep(100);
  }
});
