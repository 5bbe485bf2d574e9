import { AuditLog } from '../src/admin/audit-log.ts';
import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';

/** npm run audit:verify — walks the audit chain on the live database; exit 1 at the first break. */
const config = loadConfig();
const db = openDatabase(config.databaseUrl);
try {
  const report = await new AuditLog(db).verify();
  if (report.ok) {
    console.log(`audit chain on ${db.dialect}: OK, ${report.rows} rows, each hashing to the next`);
  } else {
    const at = report.breakAt;
    console.error(`BROKEN after ${report.rows} good rows: row ${at?.seq} (${at?.id}): ${at?.reason}`);
    process.exitCode = 1;
  }
} finally {
  await db.close();
}
