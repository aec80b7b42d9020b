// Runs the bundled uvu suites in build/test (made by `node build.mjs`), then exits explicitly,
// because Dawn keeps Node's event loop alive while a GPU device exists.
// Usage: node test/run.mjs [name-filter ...]
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { run } from 'uvu/run';

const dir = new URL('../build/test/', import.meta.url);
const filters = process.argv.slice(2);
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.test.js'))
  .filter((f) => filters.length === 0 || filters.some((name) => f.includes(name)))
  .sort();
if (files.length === 0) {
  console.error(`no test files matched ${filters.join(', ')} in build/test; run \`node build.mjs\` first`);
  process.exit(1);
}
await run(files.map((f) => ({ name: f, file: fileURLToPath(new URL(f, dir)) })));
process.exit(process.exitCode ?? 0);
