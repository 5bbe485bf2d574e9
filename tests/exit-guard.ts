/**
 * Preloaded into every test process (`--import ../tests/exit-guard.ts`) in place of Node's
 * `--test-force-exit`, which, when it exits a test file's process, can cut off the results still
 * on their way to the runner: a CI run once reported 417 gateway tests of 437, all "passing", and
 * a failing test's name and error can vanish the same way (nodejs/node#64833).
 *
 * Without it, one leaked socket, timer or pool would keep a test file's process alive and hang
 * CI. So once the file's last test has run, a timer that does not itself keep the process alive
 * waits; if the process is still there after the grace period, it names what is still open and
 * exits 1, and the runner reports that file as failed. A file that cleans up exits at once.
 */
import { writeSync } from 'node:fs';
import { after } from 'node:test';
// First, before any module keeps a reference to Date.now: the clock tests can shift.
import './clock.ts';

// Every test process runs far from Asia/Shanghai, so code that cuts days or months with the local
// zone (getDate, setHours, toLocale… without a timeZone) is wrong on every run, not only while the
// local date and Shanghai's differ. Node reads TZ again when it changes at run time. Browsers get
// the same zone (tests/browser.ts), and tests of day boundaries also shift the clock (tests/clock.ts).
process.env.TZ = 'America/Los_Angeles';

/** Generous: a file's own after-hooks (stopping servers, dropping its database) run in this time too. */
const graceMs = Number(process.env.TEST_EXIT_GRACE_MS ?? 60_000);

after(() => {
  setTimeout(() => {
    const open = process.getActiveResourcesInfo().filter((r) => r !== 'Timeout');
    writeSync(
      2,
      `test process still running ${graceMs / 1000} s after its last test; open: ${open.join(', ')}\n`,
    );
    process.exit(1);
  }, graceMs).unref();
});
