// CPU time a process has used so far, read from /proc: the benches' main figure is CPU per payment (less
// noisy than rates), for the gateway's (device-gateway/bench) and the core's (core/bench/batch-cpu.ts).

import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime and stime in /proc/<pid>/stat (100 on Linux). */
let clockTicks: number | undefined;

/** Asked once, at first use: every test imports the kit, and only benches read CPU time. */
function ticksPerSecond(): number {
  if (clockTicks === undefined) {
    try {
      clockTicks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      clockTicks = 100;
    }
  }
  return clockTicks;
}

/** CPU time (user + system) a process has used so far, in µs, from /proc/<pid>/stat (fields 14 and 15). */
export function processCpuUs(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) may hold spaces and parentheses: count fields after its closing one.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1_000_000) / ticksPerSecond();
}

/**
 * CPU time all threads of a process have used so far, in µs, from /proc/<pid>/task/<tid>/schedstat (its
 * first field, ns on the CPU): finer than the 10 ms ticks of /proc/<pid>/stat, for short measured spans.
 */
export function threadsCpuUs(pid: number): number {
  let ns = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // The thread ended while read.
    }
  }
  return ns / 1000;
}
