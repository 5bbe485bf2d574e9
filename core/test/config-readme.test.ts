import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { describeConfig } from '../src/config.ts';

/** The variables named in README's core table: the rows after "## Configuration" up to the first blank line after it. */
function readmeCoreVariables(): Set<string> {
  const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Configuration'));
  const table = section.slice(
    section.indexOf('| Variable |'),
    section.indexOf('\n\n', section.indexOf('| Variable |')),
  );
  const names = new Set<string>();
  for (const row of table.split('\n').slice(2)) {
    const first = row.split('|')[1] ?? '';
    for (const m of first.matchAll(/`([A-Z][A-Z0-9_]*)`/g)) names.add(m[1] as string);
  }
  return names;
}

test("when the core's configuration schema and README's core table are compared, then they name the same variables", () => {
  // Goal: a setting added to core/src/config.ts without a README row (or a row left behind after one is removed) fails here.
  const described = describeConfig().map((d) => /^([A-Z][A-Z0-9_]*): /.exec(d)?.[1]);
  assert.ok(
    described.every((name) => name !== undefined),
    'every field of the schema is described as "VARIABLE: meaning"',
  );
  const inReadme = readmeCoreVariables();
  assert.ok(inReadme.size > 10, `README's core table was found (${inReadme.size} variables)`);
  assert.deepEqual([...inReadme].sort(), [...new Set(described as string[])].sort());
});
