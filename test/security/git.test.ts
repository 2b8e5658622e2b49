// Red team: a cloned repository whose own .git/config names programs git would run while it only
// reads (core.fsmonitor, a clean/smudge filter, a long-running process filter, a textconv and an
// external diff driver, core.sshCommand). Torbit's read and snapshot paths must run none of them,
// in a restricted workspace too. Each program only leaves a marker file; the fixture is checked to
// fire with plain git first, so a test here cannot pass because the fixture is inert.
import * as assert from 'node:assert/strict';
import { execFile, execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitDiff, gitStatus } from '../../server/agent/tools/git';
import type { ToolContext, ToolSpec } from '../../server/agent/tools/spec';
import { Workspace } from '../../server/agent/workspace';
import { readOnlyGit } from '../../server/git';
import { rpc } from '../../server/protocol';
import { Redactor } from '../../server/secrets';
import { initialize, shutdown, spawnServer, type Spawned } from '../support/server';
import { tmpDir } from '../support/tmp';

const CLI = path.join(__dirname, '../../dist/cli.js');

interface Hostile {
  root: string;
  markers: string;
  /** The programs that ran since the last call (and forgets them). */
  fired: () => string[];
}

const plainGit = (cwd: string, ...args: string[]) => spawnSync('git', args, { cwd, encoding: 'utf8' });

/** A repository whose .git/config runs a marker-writing script from every config-driven hook. */
function hostileRepo(): Hostile {
  const root = tmpDir('torbit-hostile-git-');
  const markers = tmpDir('torbit-markers-');
  const script = path.join(tmpDir('torbit-evil-'), 'mark.sh');
  // Named by its first argument. A clean/smudge filter or textconv has its stdin swallowed; the
  // others (a process filter, ssh) quit at once, as git waits on them while they would read.
  fs.writeFileSync(script, `#!/bin/sh\ntouch "${markers}/$1"\ncase "$1" in clean|smudge|textconv) cat >/dev/null 2>&1;; *) exit 1;; esac\nexit 0\n`, { mode: 0o755 });
  const g = (...args: string[]) => execFileSync('git', args, { cwd: root, encoding: 'utf8' });
  g('init', '-q', '-b', 'main');
  fs.writeFileSync(path.join(root, '.gitattributes'), '*.txt filter=evil diff=evil\n*.dat filter=evilproc\n');
  fs.writeFileSync(path.join(root, 'a.txt'), 'hello\n');
  fs.writeFileSync(path.join(root, 'same.txt'), 'unchanged\n');
  fs.writeFileSync(path.join(root, 'b.dat'), 'data\n');
  g('add', '-A');
  g('-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-qm', 'first');
  fs.writeFileSync(path.join(root, 'a.txt'), 'hello\nsecond line\n');
  g('-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-qam', 'second');
  // What the repository ships in its config (a clone's .git/config, or a folder handed over whole).
  g('config', 'core.fsmonitor', `${script} fsmonitor`);
  g('config', 'filter.evil.clean', `${script} clean`);
  g('config', 'filter.evil.smudge', `${script} smudge`);
  g('config', 'filter.evilproc.process', `${script} process`);
  g('config', 'filter.evilproc.required', 'true');
  g('config', 'diff.evil.textconv', `${script} textconv`);
  g('config', 'diff.evil.command', `${script} extdiff`);
  g('config', 'core.sshCommand', `${script} ssh`);
  g('remote', 'add', 'origin', 'ssh://git@127.0.0.1/nowhere.git');
  const dirty = () => {
    // A work tree git must read: changed files, and one rewritten unchanged (stat-dirty only).
    fs.appendFileSync(path.join(root, 'a.txt'), 'work in progress\n');
    fs.appendFileSync(path.join(root, 'b.dat'), 'more\n');
    fs.writeFileSync(path.join(root, 'same.txt'), 'unchanged\n');
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(path.join(root, 'same.txt'), old, old);
  };
  dirty();
  const fired = () => {
    const names = fs.readdirSync(markers).sort();
    for (const n of names) fs.rmSync(path.join(markers, n));
    return names;
  };
  return { root, markers, fired };
}

async function toolContext(root: string, dataDir: string): Promise<ToolContext> {
  return {
    workspace: await Workspace.open([root], [dataDir]),
    limits: { commandTimeoutMs: 10_000, maxOutputBytes: 100_000, maxReadBytes: 100_000, maxSearchResults: 50, maxListedFiles: 100 },
    redact: new Redactor({}),
    // git_status and git_diff only read: nothing else of the context is reached.
  } as unknown as ToolContext;
}

function cli(cwd: string, args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...process.env, ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('red team: a repository\'s own git config cannot make Torbit run its programs', function () {
  this.timeout(120_000);
  const live: Spawned[] = [];
  afterEach(async () => { for (const s of live.splice(0)) await shutdown(s); });

  it('the fixture is live: plain git status and diff run its fsmonitor, filters, textconv and diff driver', () => {
    const h = hostileRepo();
    plainGit(h.root, 'status', '--porcelain');
    plainGit(h.root, 'diff');
    plainGit(h.root, 'diff', 'HEAD~1', 'HEAD');
    plainGit(h.root, 'diff', '--no-ext-diff', 'HEAD~1', 'HEAD');
    plainGit(h.root, 'ls-remote', 'origin');
    const fired = h.fired();
    for (const p of ['clean', 'extdiff', 'fsmonitor', 'process', 'ssh', 'textconv']) assert.ok(fired.includes(p), `${p} ran (${fired.join(', ')})`);
  });

  it('torbit/review/bundle with the work tree, in a restricted workspace, runs none of them', async () => {
    const h = hostileRepo();
    const s = spawnServer({ TORBIT_DATA_DIR: tmpDir('torbit-data-') });
    live.push(s);
    await initialize(s, { workspaceFolders: [h.root], trusted: false });
    h.fired(); // whatever opening the workspace did is the next test's business
    const r = await s.conn.sendRequest<{ files: { path: string }[]; main: string }>(rpc.reviewBundle.method, { includeWorktree: true });
    assert.ok(r.files.some((f) => f.path === 'a.txt'), 'the bundle still holds the changed file');
    assert.match(fs.readFileSync(r.main, 'utf8'), /\+work in progress/);
    assert.deepEqual(h.fired(), []);
  });

  it('opening the workspace and creating and listing checkpoints run none of them', async () => {
    const h = hostileRepo();
    const s = spawnServer({ TORBIT_DATA_DIR: tmpDir('torbit-data-') });
    live.push(s);
    await initialize(s, { workspaceFolders: [h.root], trusted: true });
    const cp = await s.conn.sendRequest<{ id: number }>(rpc.checkpointCreate.method, { label: 'hostile' });
    const list = await s.conn.sendRequest<{ checkpoints: { id: number }[] }>(rpc.checkpointList.method, {});
    assert.ok(list.checkpoints.some((c) => c.id === cp.id));
    assert.deepEqual(h.fired(), []);
  });

  it('the git_status and git_diff tools run none of them', async () => {
    const h = hostileRepo();
    const ctx = await toolContext(h.root, tmpDir('torbit-data-'));
    const call = <O>(spec: unknown, input: unknown) => {
      const sp = spec as ToolSpec<never, O>;
      const parsed = (sp.input as unknown as { parse(i: unknown): never }).parse(input);
      return sp.execute(parsed, ctx, { toolCallId: 't', signal: new AbortController().signal, output: () => undefined });
    };
    const st = await call<{ modified: string[] }>(gitStatus, {});
    assert.deepEqual(st.modified.sort(), ['a.txt', 'b.dat']);
    const d = await call<{ diff: string }>(gitDiff, {});
    assert.match(d.diff, /^\+work in progress$/m);
    await call(gitDiff, { staged: true });
    assert.deepEqual(h.fired(), []);
  });

  it('torbit review bundle and torbit checkpoint create/list from the CLI run none of them', () => {
    const h = hostileRepo();
    const env = { TORBIT_DATA_DIR: tmpDir('torbit-data-') };
    const bundle = cli(h.root, ['review', 'bundle', '--include-worktree', '--json'], env);
    assert.equal(bundle.code, 0, bundle.err);
    assert.equal(cli(h.root, ['checkpoint', 'create', '--label', 'x'], env).code, 0);
    const list = cli(h.root, ['checkpoint', 'list', '--json'], env);
    assert.equal(list.code, 0, list.err);
    assert.deepEqual(h.fired(), []);
  });

  it('read-only git cannot reach a transport: core.sshCommand does not run even for a command that would connect', async () => {
    const h = hostileRepo();
    const inv = await readOnlyGit(h.root, ['ls-remote', 'origin']);
    const r = await new Promise<{ err: Error | null; stderr: string }>((resolve) =>
      execFile('git', inv.args, { cwd: h.root, env: inv.env }, (err, _out, stderr) => resolve({ err, stderr })));
    assert.ok(r.err, 'refused');
    assert.match(r.stderr, /transport 'ssh' not allowed/);
    assert.deepEqual(h.fired(), []);
  });

  it('read-only git leaves the backend\'s secrets out of git\'s environment', async () => {
    const inv = await readOnlyGit(tmpDir(), ['--version'], { PATH: process.env.PATH, OPENAI_API_KEY: 'sk-test-not-for-git', EXPO_TOKEN: 'expo-test-not-for-git' });
    assert.equal(inv.env.OPENAI_API_KEY, undefined);
    assert.equal(inv.env.EXPO_TOKEN, undefined);
  });
});
