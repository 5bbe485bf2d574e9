import type { DuckDBConnection } from '@duckdb/node-api';
import { formatDay, shanghaiDay } from '../time.ts';
import { profileTables } from './insight-summaries.ts';

/**
 * The retention setting (INSIGHT_RETENTION_DAYS): deletes every copied row older than beforeMs,
 * sessions by their end with their rosters; the holders and merchants are replaced whole on each run
 * anyway. The summaries follow: the days wholly before the cut go, the day of the cut is marked dirty
 * so it and its month are recomputed from what is kept. Answers the copied rows deleted.
 */
export async function prune(con: DuckDBConnection, beforeMs: number): Promise<number> {
  let deleted = 0;
  const statements = [
    'DELETE FROM operations WHERE created_at_ms < $1::BIGINT',
    'DELETE FROM card_events WHERE created_at_ms < $1::BIGINT',
    'DELETE FROM attendance WHERE recorded_at_ms < $1::BIGINT',
    'DELETE FROM access WHERE occurred_at_ms < $1::BIGINT',
    'DELETE FROM code_uses WHERE used_at_ms < $1::BIGINT',
    'DELETE FROM absences WHERE to_ms < $1::BIGINT',
    'DELETE FROM roster WHERE session_id IN (SELECT id FROM sessions WHERE ends_at_ms < $1::BIGINT)',
    'DELETE FROM sessions WHERE ends_at_ms < $1::BIGINT',
  ];
  for (const statement of statements) {
    const result = await con.run(statement, [beforeMs]);
    deleted += Number(result.rowsChanged);
  }
  const cutDay = shanghaiDay(beforeMs);
  await con.run('DELETE FROM card_days WHERE day_no < $1', [cutDay]);
  await con.run('DELETE FROM slot_counts WHERE day_no < $1', [cutDay]);
  await con.run('DELETE FROM card_pay_days WHERE day_no < $1', [cutDay]);
  await con.run('DELETE FROM card_key_days WHERE day_no < $1', [cutDay]);
  // A profile may reach back past the cut: every one is computed again when next asked for.
  for (const table of profileTables) await con.run(`DELETE FROM ${table}`);
  await con.run('DELETE FROM card_months WHERE month_key < $1', [formatDay(cutDay).slice(0, 7)]);
  await con.run('DELETE FROM dirty_days WHERE day_no < $1', [cutDay]);
  await con.run('INSERT OR IGNORE INTO dirty_days VALUES ($1)', [cutDay]);
  return deleted;
}
