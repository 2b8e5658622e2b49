// Runs Torbit's test suites in order and adds them up: unit, integration, security (red team), webview, e2e (real VS Code in
// code-server), electron (@vscode/test-electron, where VS Code can be downloaded).
// Usage: node test/run.mjs [suite ...]. Ends with "tests: N passed, N failed, N skipped";
// exits non-zero when anything failed or a suite could not run. Skips are listed loudly.
// What a suite needs (Chromium, code-server) is provisioned once, just before the first suite that
// needs it, by scripts/setup-vscode-web.sh (cached under ~/.cache/torbit; Chromium from apt when
// missing, or TORBIT_CHROMIUM). A suite whose needs cannot be met is not started: it is reported
// broken with the reason.
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
  unit: { argv: mochaSuite('test/{unit,stubs}/**/*.test.ts', 20_000) },
  integration: { argv: mochaSuite('test/integration/**/*.test.ts', 60_000) },
  // The red-team suite: a hostile repository, a model following injected instructions, hostile tool output.
  security: { argv: mochaSuite('test/security/**/*.test.ts', 60_000) },
  webview: { argv: mochaSuite('test/webview/**/*.test.ts', 60_000), needs: ['chromium'] },
  e2e: { argv: mochaSuite('test/e2e/**/*.test.ts', 600_000), needs: ['chromium', 'code-server'] },
  electron: { argv: ['--import=tsx', 'test/electron/launch.ts'] },
};
// A suite still running after this long is stopped and reported broken: a hang must not eat the
// CI's time (the whole run has 90 minutes on 2 cores; the slowest suite, e2e, takes about 10).
const SUITE_LIMIT_MS = 30 * 60_000;

// Each need, provisioned at most once per run: the environment it adds for the suites, or why not.
const PROVISION = {
  chromium: () => setup('chromium', (kv) => ({ TORBIT_CHROMIUM: kv.CHROMIUM })),
  'code-server': () => setup('all', () => ({})),
};
const provisioned = new Map();
function setup(what, envOf) {
  const r = spawnSync('bash', [path.join(root, 'scripts/setup-vscode-web.sh'), what], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) return { error: `scripts/setup-vscode-web.sh ${what} exited ${r.status ?? r.signal} (its reason is printed above)` };
  return { env: envOf(Object.fromEntries(r.stdout.trim().split('\n').map((l) => l.split('=', 2)))) };
}
function provide(need) {
  if (!provisioned.has(need)) {
    console.log(`provisioning ${need}`);
    provisioned.set(need, PROVISION[need]());
  }
  return provisioned.get(need);
}

const wanted = process.argv.slice(2).length ? process.argv.slice(2) : Object.keys(SUITES);
for (const w of wanted) if (!SUITES[w]) { console.error(`unknown suite '${w}' (known: ${Object.keys(SUITES).join(', ')})`); process.exit(2); }

// Every suite runs against fresh bundles.
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { cwd: root, stdio: 'inherit' });
if (build.status !== 0) process.exit(1);

const total = { passes: 0, failures: 0, pending: 0, skipped: [], failed: [], broken: [] };
let env = { ...process.env };
for (const name of wanted) {
  console.log(`\n━━ ${name} ━━`);
  const unmet = [];
  for (const need of SUITES[name].needs ?? []) {
    const p = provide(need);
    if (p.error) unmet.push(`${need}: ${p.error}`);
    else env = { ...env, ...p.env };
  }
  if (unmet.length) {
    console.log(`${name}: not started, a need could not be provisioned (${unmet.join('; ')})`);
    total.broken.push(`${name}: not started, a need could not be provisioned (${unmet.join('; ')})`);
    continue;
  }
  const stats = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'torbit-stats-')), 'stats.json');
  // Default data directories (keyed by workspace, under XDG_DATA_HOME) and policy acceptances
  // (XDG_CONFIG_HOME) go to scratch folders, never the tester's own.
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'torbit-suite-home-'));
  const homes = { XDG_DATA_HOME: path.join(scratch, 'data'), XDG_CONFIG_HOME: path.join(scratch, 'config') };
  const r = spawnSync(process.execPath, SUITES[name].argv, { cwd: root, stdio: 'inherit', env: { ...env, ...homes, TORBIT_TEST_STATS: stats }, timeout: SUITE_LIMIT_MS, killSignal: 'SIGKILL' });
  if (r.error?.code === 'ETIMEDOUT') {
    total.broken.push(`${name}: still running after ${SUITE_LIMIT_MS / 60_000} minutes, stopped`);
    continue;
  }
  fs.rmSync(scratch, { recursive: true, force: true });
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
