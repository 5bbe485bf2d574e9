import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { checkLedger } from '../src/ledger/ledger-check.ts';

/** npm run ledger:check — verifies the ledger's invariants on the live database; exit 1 on any break. */
const config = loadConfig();
const db = openDatabase(config.databaseUrl);
try {
  const report = await checkLedger(db);
  console.log(
    `ledger check on ${db.dialect}: ${report.accounts} accounts, ${report.transfers} journal entries`,
  );
  if (report.ok) {
    console.log(
      'OK: every account equals its journal, all accounts sum to zero, no wallet is negative, every operation equals its entries, every hold matches its resolution',
    );
  } else {
    console.error(`BROKEN: ${report.breaks.length} problem(s)`);
    for (const line of report.breaks) console.error(`  - ${line}`);
    process.exitCode = 1;
  }
} finally {
  await db.close();
}
