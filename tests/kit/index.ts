/**
 * The shared test kit (`@campus-card/tests/kit`): what every workspace's tests need to stand up the
 * system for real — a fresh database on MariaDB or SQLite, the machine's Redis, a core on port 0 or
 * in its own process, a signed client, unique operation ids and a student card. Package-specific
 * worlds (a BFF, a gateway with devices, a backoffice page) stay in that package's test/support.ts
 * and are built from these.
 */
export * from './bundle.ts';
export * from './core.ts';
export * from './cpu.ts';
export * from './database.ts';
export * from './database-template.ts';
export * from './redis.ts';
