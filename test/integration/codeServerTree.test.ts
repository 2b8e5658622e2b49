// Stopping VS Code in the browser (npm start, the e2e suite) stops all it started: code-server, its
// extension host and the Torbit backend that one forks. Driven with a fake code-server
// (test/fixtures/fake-code-server) that starts the same tree and, like the real one, exits on
// SIGTERM without stopping it.
import * as assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startCodeServer } from '../../scripts/lib/vscodeWeb';
import { tmpDir } from '../support/tmp';
import { until } from '../support/until';

const FAKE = path.join(__dirname, '../fixtures/fake-code-server');
const ROLES = ['code-server', 'extension-host', 'backend'];

const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };

/** The pids the fake's processes wrote, once all three have started. */
function treeOf(pidsFile: string): Promise<Map<string, number>> {
  return until(`the fake's three processes (${pidsFile})`, () => {
    const lines = fs.existsSync(pidsFile) ? fs.readFileSync(pidsFile, 'utf8').trim().split('\n').filter(Boolean) : [];
    const m = new Map(lines.map((l) => l.split(' ') as [string, string]).map(([role, pid]) => [role, Number(pid)]));
    return ROLES.every((r) => m.has(r)) && m;
  });
}

const gone = (tree: Map<string, number>) => until(
  () => `every process to end; alive: ${[...tree].filter(([, pid]) => alive(pid)).map(([r]) => r).join(', ')}`,
  () => [...tree.values()].every((pid) => !alive(pid)),
  { ms: 15_000 });

describe('code-server stops with everything it started', function () {
  this.timeout(60_000);
  if (process.platform === 'win32') return;

  it('stop() ends code-server, its extension host and the backend', async () => {
    const dir = tmpDir('torbit-fake-cs-');
    const pids = path.join(dir, 'pids');
    const server = await startCodeServer({ node24: process.execPath, entry: path.join(FAKE, 'entry.js'), chromium: '' },
      { workspace: dir, extensionsDir: dir, userDataDir: dir, env: { FAKE_CODE_SERVER_PIDS: pids } });
    const tree = await treeOf(pids);
    assert.ok([...tree.values()].every(alive), 'all three run');
    await server.stop();
    await gone(tree);
  });

  it('an abort stops it too (npm start aborts on SIGINT, SIGTERM and SIGHUP)', async () => {
    const dir = tmpDir('torbit-fake-cs-');
    const pids = path.join(dir, 'pids');
    const ac = new AbortController();
    await startCodeServer({ node24: process.execPath, entry: path.join(FAKE, 'entry.js'), chromium: '' },
      { workspace: dir, extensionsDir: dir, userDataDir: dir, env: { FAKE_CODE_SERVER_PIDS: pids }, signal: ac.signal });
    const tree = await treeOf(pids);
    ac.abort();
    await gone(tree);
  });

  /** Runs test/fixtures/fake-code-server/start-then-wait.ts (as npm start runs start.ts) under `launcher`. */
  async function startedBy(launcher: (argv: string[]) => string[]) {
    const dir = tmpDir('torbit-fake-cs-');
    const pids = path.join(dir, 'pids');
    const [cmd, ...args] = launcher([process.execPath, '--import=tsx', path.join(FAKE, 'start-then-wait.ts'), path.join(FAKE, 'entry.js'), dir]);
    const child = spawn(cmd!, args, { env: { ...process.env, FAKE_CODE_SERVER_PIDS: pids }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    await until('the starter to say ready', () => out.includes('ready'), { ms: 30_000 });
    return { child, exited, tree: await treeOf(pids), out: () => out };
  }
  const direct = (argv: string[]) => argv;

  it('SIGTERM, SIGINT or SIGHUP to the starter stops the tree, and the starter exits', async () => {
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
      const s = await startedBy(direct);
      s.child.kill(sig);
      await gone(s.tree);
      await s.exited;
      assert.match(s.out(), new RegExp(`stopping: ${sig}`));
    }
  });

  it("when the starter's launcher dies without passing the signal on (npm start: a SIGTERM kills its sh), the tree ends", async () => {
    // `; exit` keeps sh from exec'ing the command: it stays the parent, as under npm.
    const s = await startedBy((argv) => ['sh', '-c', `${argv.map((a) => `'${a}'`).join(' ')}; exit`]);
    s.child.kill('SIGTERM');
    await gone(s.tree);
    await until('the starter to exit', () => s.out().includes('stopping: its launcher'));
  });

  it('when the starter dies, even by SIGKILL, the tree ends with it', async () => {
    const s = await startedBy(direct);
    s.child.kill('SIGKILL');
    await gone(s.tree);
  });
});
