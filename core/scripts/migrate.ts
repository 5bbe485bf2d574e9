import { loadConfig } from '../src/config.ts';
import { openDatabase } from '../src/db/database.ts';
import { migrate } from '../src/db/migrate.ts';

/** npm run migrate — applies sql/ to DATABASE_URL (the embedded SQLite file when unset). */
const config = loadConfig();
const db = openDatabase(config.databaseUrl);
try {
  const report = await migrate(db);
  for (const name of report.applied) console.log(`applied ${name}`);
  console.log(
    `${report.applied.length} applied, ${report.alreadyApplied.length} already applied (${db.dialect})`,
  );
} finally {
  await db.close();
}
