import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Sequelize } from 'sequelize';

/** The MariaDB server tests create their own databases on (root, as CI's machine has it). */
export const mysqlServerUrl = process.env.TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/** The dialects a component test runs on: both by default, one with TEST_DIALECTS=mysql or =sqlite. */
export const dialects = (process.env.TEST_DIALECTS ?? 'mysql,sqlite').split(',') as ('mysql' | 'sqlite')[];

/** A fresh, empty database for one test file: its own MariaDB schema, or its own SQLite file. */
export async function freshDatabase(
  dialect: 'mysql' | 'sqlite',
): Promise<{ url: string; drop(): Promise<void> }> {
  if (dialect === 'sqlite') {
    return {
      url: `sqlite:${join(mkdtempSync(join(tmpdir(), 'cc-core-')), 'core.sqlite')}`,
      drop: async () => {},
    };
  }
  const name = `cc_test_${randomBytes(6).toString('hex')}`;
  const admin = new Sequelize(`${mysqlServerUrl}/mysql`, { dialect: 'mysql', logging: false });
  await admin.query(`CREATE DATABASE ${name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`);
  await admin.close();
  return {
    url: `${mysqlServerUrl}/${name}`,
    async drop() {
      const again = new Sequelize(`${mysqlServerUrl}/mysql`, { dialect: 'mysql', logging: false });
      await again.query(`DROP DATABASE IF EXISTS ${name}`);
      await again.close();
    },
  };
}
