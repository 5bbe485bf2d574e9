// Prints what the built backoffice (admin/dist, `npm run build -w admin` first) sends before the
// sign-in page can run, and the size of each page's own chunk: the figures docs/benchmarks.md records
// for the split by route (#19). Sizes are bytes as built and gzip-compressed (level 9).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

const dist = process.argv[2] ?? new URL('../dist', import.meta.url).pathname;
const assets = join(dist, 'assets');
const read = (file: string) => readFileSync(join(assets, file));
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const sizes = (file: string) => {
  const bytes = read(file);
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
};

// The entry and every chunk it imports statically (the browser fetches them before the app starts).
const html = readFileSync(join(dist, 'index.html'), 'utf8');
const entry = /src="[^"]*assets\/([^"]+\.js)"/.exec(html)?.[1];
if (!entry) throw new Error(`no entry script in ${dist}/index.html`);
const initial = new Set<string>();
const visit = (file: string) => {
  if (initial.has(file)) return;
  initial.add(file);
  const code = read(file).toString('utf8');
  // Static imports only: `import ... from "./x.js"` or `import "./x.js"`, never `import("./x.js")`.
  for (const m of code.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+\.js)["']/g)) visit(m[1] as string);
};
visit(entry);
const total = [...initial].map(sizes).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }));
const all = readdirSync(assets).filter((f) => f.endsWith('.js'));
const everything = all.map(sizes).reduce((a, b) => ({ raw: a.raw + b.raw, gzip: a.gzip + b.gzip }));
console.log(
  `JavaScript files: ${all.length}, all together ${kb(everything.raw)} (gzip ${kb(everything.gzip)})`,
);
console.log(`before the sign-in page runs: ${initial.size} files, ${kb(total.raw)} (gzip ${kb(total.gzip)})`);
const pages = all
  .filter((f) => /Page-[\w-]+\.js$/.test(f))
  .map((f) => ({ f, ...sizes(f) }))
  .sort((a, b) => b.raw - a.raw);
for (const p of pages)
  console.log(`  ${p.f.replace(/-[\w-]{8}\.js$/, '').padEnd(24)} ${kb(p.raw)} (gzip ${kb(p.gzip)})`);
