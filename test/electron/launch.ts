// Runs the @vscode/test-electron suite (test/electron/suite) inside a real VS Code.
// VS Code comes from TORBIT_VSCODE_EXECUTABLE (a local VS Code's Electron binary, e.g.
// /usr/share/code/code, not the bin/code CLI wrapper) or is downloaded by
// @vscode/test-electron (version TORBIT_VSCODE_VERSION, default 'stable'), within
// TORBIT_VSCODE_DOWNLOAD_TIMEOUT_MS (default 60 s). When it cannot be had, the suite is reported
// as SKIPPED, loudly: that is never a pass.
// Always writes {passes, failures, pending, skipped, failed} to TORBIT_TEST_STATS (see
// test/run.mjs). Exits 0 when skipped or all passed, 1 otherwise.
// Usage (from the repo root, after `node scripts/build.mjs`): node --import=tsx test/electron/launch.ts
// (on a Linux machine without a display, under xvfb-run).
import { downloadAndUnzipVSCode, runTests } from '@vscode/test-electron';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundleSuite, repoRoot } from './bundle';

const SUITE = '@vscode/test-electron suite';
const DOWNLOAD_TIMEOUT_MS = Number(process.env.TORBIT_VSCODE_DOWNLOAD_TIMEOUT_MS) || 60_000;
const started = Date.now();

interface Stats {
  passes: number;
  failures: number;
  pending: number;
  skipped: { title: string; reason: string }[];
  failed: { title: string; error: string }[];
}

// The extension host's reporter writes here too; without TORBIT_TEST_STATS we still need a file
// to learn the outcome from.
const statsFile = process.env.TORBIT_TEST_STATS || path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'torbit-electron-stats-')), 'stats.json');

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? 'unknown error';
}

function writeStats(s: Stats): void {
  fs.writeFileSync(statsFile, JSON.stringify(s));
}

function readStats(): Stats | undefined {
  try {
    return JSON.parse(fs.readFileSync(statsFile, 'utf8')) as Stats;
  } catch {
    return undefined;
  }
}

function skip(reason: string): never {
  const bar = '!'.repeat(100);
  console.log(`\n${bar}`);
  console.log(`!!! SKIPPED: ${SUITE}: ${reason}. This is not a pass. Set TORBIT_VSCODE_EXECUTABLE to run it.`);
  console.log(`${bar}\n`);
  writeStats({ passes: 0, failures: 0, pending: 1, skipped: [{ title: SUITE, reason }], failed: [] });
  process.exit(0);
}

function fail(error: string): never {
  console.error(`${SUITE} FAILED: ${error}`);
  writeStats({ passes: 0, failures: 1, pending: 0, skipped: [], failed: [{ title: SUITE, error }] });
  process.exit(1);
}

/** The VS Code executable to test in, or a skip when none can be had. */
async function resolveVSCode(): Promise<string> {
  const local = process.env.TORBIT_VSCODE_EXECUTABLE?.trim();
  if (local) {
    // Asked for explicitly, so a wrong path is a failure, not a skip.
    if (!fs.existsSync(local)) fail(`TORBIT_VSCODE_EXECUTABLE is ${local}, which does not exist`);
    console.log(`${SUITE}: using VS Code at ${local} (TORBIT_VSCODE_EXECUTABLE)`);
    return local;
  }
  const version = process.env.TORBIT_VSCODE_VERSION?.trim() || 'stable';
  console.log(`${SUITE}: getting VS Code ${version} (at most ${DOWNLOAD_TIMEOUT_MS / 1000} s)…`);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no VS Code after ${DOWNLOAD_TIMEOUT_MS / 1000} s`)), DOWNLOAD_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      downloadAndUnzipVSCode({ version, cachePath: path.join(repoRoot, '.vscode-test'), timeout: DOWNLOAD_TIMEOUT_MS }),
      deadline,
    ]);
  } catch (err) {
    // skip() exits the process, so a download still hanging on a socket cannot keep it alive.
    skip(`could not download VS Code (${oneLine(err)})`);
  } finally {
    clearTimeout(timer);
  }
}

/** An empty git repository to open as the workspace folder. */
function makeWorkspace(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torbit-electron-ws-'));
  const git = spawnSync('git', ['init', '-q'], { cwd: dir, encoding: 'utf8' });
  if (git.status !== 0) fail(`git init in ${dir} failed: ${oneLine(git.error ?? git.stderr)}`);
  return dir;
}

async function main(): Promise<never> {
  if (!fs.existsSync(path.join(repoRoot, 'dist', 'extension.js'))) fail('dist/extension.js is missing: run node scripts/build.mjs first');
  // Bundle before anything else: a suite that does not even bundle is broken on every machine,
  // including those that could not download VS Code.
  let testsPath: string;
  try {
    testsPath = await bundleSuite();
  } catch (err) {
    fail(`bundling test/electron/suite failed: ${oneLine(err)}`);
  }
  const vscodeExecutablePath = await resolveVSCode();
  const workspace = makeWorkspace();
  fs.rmSync(statsFile, { force: true });
  let runError: string | undefined;
  try {
    await runTests({
      vscodeExecutablePath,
      extensionDevelopmentPath: repoRoot,
      extensionTestsPath: testsPath,
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust'],
      extensionTestsEnv: {
        TORBIT_TEST_STATS: statsFile,
        TORBIT_REPO_ROOT: repoRoot,
        // The data directory must be the workspace default the suite checks.
        TORBIT_DATA_DIR: undefined,
      },
    });
  } catch (err) {
    runError = oneLine(err);
  } finally {
    fs.rmSync(workspace, { recursive: true, force: true });
  }
  const stats = readStats();
  // No stats: VS Code or the suite's run() died before Mocha finished.
  if (!stats) fail(`VS Code ended without finishing the suite (${runError ?? 'no error reported'})`);
  console.log(`${SUITE}: ${stats.passes} passed, ${stats.failures} failed, ${stats.pending} pending in ${Math.round((Date.now() - started) / 1000)} s`);
  if (runError) console.error(`${SUITE}: VS Code exited with an error: ${runError}`);
  process.exit(stats.failures > 0 || runError ? 1 : 0);
}

main().catch((err: unknown) => fail(`launcher error: ${oneLine(err)}`));
