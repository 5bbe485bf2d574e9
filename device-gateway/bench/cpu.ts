// CPU time of each process on the payment path (gateway, core, database server, this load generator),
// read before and after a run: the bench's main figure is CPU per payment, less noisy than rates.

import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { processCpuUs } from '@campus-card/tests/kit';

/**
 * The pid of the MariaDB (or MySQL) server the bench's database lives on: the mariadbd/mysqld process
 * holding the socket that listens on the database URL's port (several servers may run on one machine).
 * Reading other processes' descriptors needs the same user or root.
 */
export function databasePid(databaseUrl: string): number | undefined {
  const port = Number(new URL(databaseUrl).port || 3306);
  const portHex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    let text = '';
    try {
      text = readFileSync(table, 'utf8');
    } catch {
      continue;
    }
    for (const row of text.split('\n').slice(1)) {
      const cols = row.trim().split(/\s+/);
      // local_address is HEXIP:HEXPORT, st 0A is LISTEN, the inode is the tenth column.
      if (cols[1]?.endsWith(`:${portHex}`) && cols[3] === '0A' && cols[9]) inodes.add(`socket:[${cols[9]}]`);
    }
  }
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      if (comm !== 'mariadbd' && comm !== 'mysqld') continue;
      for (const fd of readdirSync(`/proc/${entry}/fd`)) {
        if (inodes.has(readlinkSync(`/proc/${entry}/fd/${fd}`))) return Number(entry);
      }
    } catch {
      // Ended while read, or not ours to read.
    }
  }
  return undefined;
}

export interface PathPids {
  gateway: number;
  core: number;
  database: number | undefined;
}

export type CpuSnapshot = ReturnType<typeof cpuSnapshot>;

/** CPU used so far by each process of the payment path, in µs. */
export function cpuSnapshot(pids: PathPids) {
  const self = process.cpuUsage();
  return {
    gateway: processCpuUs(pids.gateway),
    core: processCpuUs(pids.core),
    database: pids.database === undefined ? Number.NaN : processCpuUs(pids.database),
    loadGenerator: self.user + self.system,
  };
}
