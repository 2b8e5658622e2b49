// Runs Torbit's test suites in order and adds them up: unit, integration, security (red team), webview, e2e (real VS Code in
// code-server), electron (@vscode/test-electron, where VS Code can be downloaded).
// Usage: node test/run.mjs [suite ...]. Ends with "tests: N passed, N failed, N skipped";
// exits non-zero when anything failed or a suite could not run. Skips are listed loudly.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const mocha = path.join(root, 'node_modules/mocha/bin/mocha.js');
const reporter = path.join(root, 'test/support/reporter.cjs');
const mochaSuite = (glob, timeout) => [mocha, '--import=tsx', '--reporter', reporter, '--timeout', String(timeout), glob];

const SUITES = {
  unit: mochaSuite('test/{unit,stubs}/**/*.test.ts', 20_000),
  integration: mochaSuite('test/integration/**/*.test.ts', 60_000),
  // The red-team suite: a hostile repository, a model following injected instructions, hostile tool output.
  security: mochaSuite('test/security/**/*.test.ts', 60_000),
  webview: mochaSuite('test/webview/**/*.test.ts', 60_000),
  e2e: mochaSuite('test/e2e/**/*.test.ts', 600_000),
  electron: ['--import=tsx', 'test/electron/launch.ts'],
};

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SUITES);
for (const w of wanted) if (!SUITES[w]) { console.error(`unknown suite '${w}' (known: ${Object.keys(SUITES).join(', ')})`); process.exit(2); }

// Every suite runs against fresh bundles.
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

const total = { passes: 0, failures: 0, pending: 0, skipped: [], failed: [], broken: [] };
for (const name of wanted) {
  console.log(`\n━━ ${name} ━━`);
  const stats = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'torbit-stats-')), 'stats.json');
  // Default data directories (keyed by workspace, under XDG_DATA_HOME) go to a scratch folder, not the tester's home.
  const dataHome = fs.mkdtempSync(path.join(os.tmpdir(), 'torbit-data-home-'));
  const r = spawnSync(process.execPath, SUITES[name], { cwd: root, stdio: 'inherit', env: { ...process.env, XDG_DATA_HOME: dataHome, TORBIT_TEST_STATS: stats } });
  fs.rmSync(dataHome, { recursive: true, force: true });
  if (!fs.existsSync(stats)) {
    total.broken.push(`${name}: the suite did not run to its end (exit ${r.status ?? r.signal})`);
    continue;
  }
  const s = JSON.parse(fs.readFileSync(stats, 'utf8'));
  total.passes += s.passes; total.failures += s.failures; total.pending += s.pending;
  total.skipped.push(...s.skipped.map((t) => ({ suite: name, ...t })));
  total.failed.push(...s.failed.map((t) => ({ suite: name, ...t })));
  if (r.status !== 0 && s.failures === 0) total.broken.push(`${name}: exited ${r.status ?? r.signal} with no failing test`);
}

console.log('\n━━ summary ━━');
if (total.skipped.length) {
  console.log(`\n!!! ${total.skipped.length} SKIPPED (not passes):`);
  for (const t of total.skipped) console.log(`!!!   [${t.suite}] ${t.title}: ${t.reason}`);
}
for (const t of total.failed) console.log(`FAILED [${t.suite}] ${t.title}: ${t.error}`);
for (const b of total.broken) console.log(`BROKEN ${b}`);
console.log(`tests: ${total.passes} passed, ${total.failures + total.broken.length} failed, ${total.pending} skipped`);
process.exit(total.failures || total.broken.length ? 1 : 0);
