import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Backend } from '../../server/backend';
import { ChangeApplier } from '../../server/agent/changes';
import { commandEnv, Redactor } from '../../server/secrets';
import { editFile } from '../../server/agent/tools/editFile';
import { gitDiff, gitStatus } from '../../server/agent/tools/git';
import { listFiles } from '../../server/agent/tools/listFiles';
import { readFile } from '../../server/agent/tools/readFile';
import { runCommand } from '../../server/agent/tools/runCommand';
import { search } from '../../server/agent/tools/search';
import type { ToolContext, ToolSpec } from '../../server/agent/tools/spec';
import { writeFile } from '../../server/agent/tools/writeFile';
import { Workspace } from '../../server/agent/workspace';
import { silentLogger } from '../../server/logger';
import { Trust } from '../../server/trust/runTrust';
import { gitRepo, tmpDir } from '../support/tmp';

async function context(root: string, limits: Partial<ToolContext['limits']> = {}) {
  const backend = await Backend.open({ workspace: root, dataDirSetting: '', env: {}, log: silentLogger, mode: 'migrate' });
  const ctx: ToolContext = {
    workspace: await Workspace.open([root], [backend.dataDir.dir]),
    limits: { commandTimeoutMs: 10_000, maxOutputBytes: 100_000, maxReadBytes: 100_000, maxSearchResults: 50, maxListedFiles: 100, ...limits },
    redact: new Redactor({}),
    changes: new ChangeApplier(backend.requireDb()),
    scope: { sessionId: null, turnId: null },
    commandEnv: commandEnv(process.env),
    beforeChange: () => Promise.resolve(),
    // The default policy, with every ask approved up front (as `torbit chat --approve` does).
    guard: new Trust({ root, pinnedHash: '', environment: 'dev', audit: backend.audit(), log: silentLogger, broker: null, approveAsks: true })
      .forRun({ sessionId: null, turnId: null }, new AbortController().signal, () => 0, (s) => s),
  };
  return { ctx, backend };
}

const outputs: string[] = [];
async function call<O>(spec: ToolSpec<never, O>, ctx: ToolContext, input: unknown, signal = new AbortController().signal): Promise<O> {
  const parsed = (spec.input as unknown as { parse(i: unknown): never }).parse(input);
  // As the AI SDK does: the call is judged first (when it can be proposed at all), then run.
  const proposal = await spec.propose(parsed, ctx, ctx.guard.read).catch(() => undefined);
  if (proposal) {
    const j = await ctx.guard.judge({ tool: spec.name, toolCallId: 't', summary: spec.summarize(parsed), proposal });
    assert.ok(j.approved, j.reason);
  }
  return spec.execute(parsed, ctx, { toolCallId: 't', signal, output: (c) => outputs.push(c) });
}
const t = <O>(spec: unknown) => spec as ToolSpec<never, O>;

describe('tools', () => {
  let root: string;
  let ctx: ToolContext;
  let backend: Backend;
  beforeEach(async () => {
    root = gitRepo();
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src/app.ts'), 'line1\nconst x = 1;\nline3\nconst x = 1;\n');
    fs.writeFileSync(path.join(root, 'README.md'), '# Readme\nTODO: write\n');
    fs.writeFileSync(path.join(root, '.gitignore'), 'build/\n*.log\n');
    fs.mkdirSync(path.join(root, 'build'));
    fs.writeFileSync(path.join(root, 'build/out.js'), 'TODO generated');
    fs.writeFileSync(path.join(root, 'debug.log'), 'TODO log');
    fs.writeFileSync(path.join(root, 'bin.dat'), Buffer.from([1, 0, 2, 0, 3]));
    ({ ctx, backend } = await context(root));
    outputs.length = 0;
  });
  afterEach(() => backend.close());

  it('read_file reads ranges, counts lines and refuses directories and binaries', async () => {
    const r = await call(t<{ content: string; totalLines: number }>(readFile), ctx, { path: 'src/app.ts', startLine: 2, endLine: 3 });
    assert.equal(r.content, 'const x = 1;\nline3');
    assert.equal(r.totalLines, 5);
    await assert.rejects(call(t(readFile), ctx, { path: 'src' }), /is a directory/);
    await assert.rejects(call(t(readFile), ctx, { path: 'bin.dat' }), /binary file/);
    await assert.rejects(call(t(readFile), ctx, { path: 'nope.ts' }), /does not exist/);
    await assert.rejects(call(t(readFile), ctx, { path: 'src/app.ts', startLine: 9 }), /past the end/);
    assert.throws(() => readFile.input.parse({ path: 'a', startLine: 3, endLine: 2 }), /endLine is before startLine/);
  });

  it('list_files respects .gitignore (git and plain folders) and never lists the data directory', async () => {
    const r = await call(t<{ files: string[] }>(listFiles), ctx, {});
    assert.deepEqual(r.files, ['.gitignore', 'README.md', 'bin.dat', 'src/app.ts']);
    assert.deepEqual((await call(t<{ files: string[] }>(listFiles), ctx, { glob: 'src/**/*.ts' })).files, ['src/app.ts']);
    assert.deepEqual((await call(t<{ files: string[] }>(listFiles), ctx, { glob: '*.md' })).files, ['README.md']);
    const plain = tmpDir();
    fs.writeFileSync(path.join(plain, '.gitignore'), 'dist\n');
    fs.mkdirSync(path.join(plain, 'dist'));
    fs.writeFileSync(path.join(plain, 'dist/x.js'), '');
    fs.mkdirSync(path.join(plain, 'node_modules/p'), { recursive: true });
    fs.writeFileSync(path.join(plain, 'node_modules/p/i.js'), '');
    fs.writeFileSync(path.join(plain, 'keep.ts'), '');
    const p = await context(plain);
    try {
      assert.deepEqual((await call(t<{ files: string[] }>(listFiles), p.ctx, {})).files, ['.gitignore', 'keep.ts']);
    } finally {
      await p.backend.close();
    }
    const capped = await context(root, { maxListedFiles: 2 });
    try {
      const c = await call(t<{ files: string[]; truncated: boolean; total: number }>(listFiles), capped.ctx, {});
      assert.deepEqual([c.files.length, c.truncated, c.total], [2, true, 4]);
    } finally {
      await capped.backend.close();
    }
  });

  it('search finds text and regexes in tracked files only, caps results, and explains a bad regex', async () => {
    const r = await call(t<{ matches: { path: string; line: number }[] }>(search), ctx, { query: 'todo' });
    assert.deepEqual(r.matches.map((m) => `${m.path}:${m.line}`), ['README.md:2'], 'ignored build/ and *.log are not searched');
    const re = await call(t<{ matches: unknown[] }>(search), ctx, { query: 'const\\s+x', regex: true });
    assert.equal(re.matches.length, 2);
    assert.equal((await call(t<{ matches: unknown[] }>(search), ctx, { query: 'CONST', caseSensitive: true })).matches.length, 0);
    const capped = await call(t<{ matches: unknown[]; truncated: boolean }>(search), ctx, { query: 'const', maxResults: 1 });
    assert.deepEqual([capped.matches.length, capped.truncated], [1, true]);
    await assert.rejects(call(t(search), ctx, { query: '(', regex: true }), /invalid regular expression/);
    // A protected file (the default policy protects .env) is not searched, and the result says so.
    fs.writeFileSync(path.join(root, '.env'), 'TODO_SECRET=hunter2\n');
    const guarded = await call(t<{ matches: { path: string }[]; protectedSkipped?: number; note?: string }>(search), ctx, { query: 'todo' });
    assert.deepEqual(guarded.matches.map((m) => m.path), ['README.md']);
    assert.equal(guarded.protectedSkipped, 1);
    assert.match(guarded.note!, /1 protected file\(s\) were not searched/);
  });

  it('write_file creates and replaces through the change applier, recording both', async () => {
    const w = await call(t<{ created: boolean; changeId: number }>(writeFile), ctx, { path: 'new/dir/file.txt', content: 'hello' });
    assert.equal(w.created, true);
    assert.equal(fs.readFileSync(path.join(root, 'new/dir/file.txt'), 'utf8'), 'hello');
    const again = await call(t<{ created: boolean; changeId: number }>(writeFile), ctx, { path: 'new/dir/file.txt', content: 'bye' });
    assert.equal(again.created, false);
    const rec = await ctx.changes.get(again.changeId);
    assert.deepEqual([rec!.before, rec!.after], ['hello', 'bye']);
    await assert.rejects(call(t(writeFile), ctx, { path: 'src', content: 'x' }), /is a directory/);
    await assert.rejects(call(t(writeFile), ctx, { path: '../escape.txt', content: 'x' }), /outside the workspace/);
    assert.ok(!fs.existsSync(path.join(root, '../escape.txt')));
  });

  it('edit_file replaces exactly one match, and fails clearly when absent or ambiguous', async () => {
    await assert.rejects(call(t(editFile), ctx, { path: 'src/app.ts', oldText: 'const x = 1;', newText: 'const y = 2;' }), /occurs 2 times/);
    await assert.rejects(call(t(editFile), ctx, { path: 'src/app.ts', oldText: 'const z', newText: '' }), /was not found/);
    await assert.rejects(call(t(editFile), ctx, { path: 'missing.ts', oldText: 'a', newText: 'b' }), /use write_file/);
    const before = fs.readFileSync(path.join(root, 'src/app.ts'), 'utf8');
    assert.equal(before, 'line1\nconst x = 1;\nline3\nconst x = 1;\n', 'failed edits changed nothing');
    const ok = await call(t<{ line: number }>(editFile), ctx, { path: 'src/app.ts', oldText: 'line3\nconst x = 1;', newText: 'line3\nconst x = 2;' });
    assert.equal(ok.line, 3);
    assert.equal(fs.readFileSync(path.join(root, 'src/app.ts'), 'utf8'), 'line1\nconst x = 1;\nline3\nconst x = 2;\n');
  });

  it('edit_file keeps the executable bit', async () => {
    fs.writeFileSync(path.join(root, 'run.sh'), '#!/bin/sh\necho a\n', { mode: 0o755 });
    await call(t(editFile), ctx, { path: 'run.sh', oldText: 'echo a', newText: 'echo b' });
    assert.equal(fs.statSync(path.join(root, 'run.sh')).mode & 0o777, 0o755);
  });

  it('run_command runs without a shell, in a workspace directory, and streams its output', async () => {
    const r = await call(t<{ exitCode: number; output: string }>(runCommand), ctx, { command: 'echo', args: ['a; rm -rf /', '$HOME', '`id`'] });
    assert.equal(r.exitCode, 0);
    assert.equal(r.output, 'a; rm -rf / $HOME `id`\n', 'metacharacters are plain arguments');
    assert.equal(outputs.join(''), r.output);
    const pwd = await call(t<{ output: string }>(runCommand), ctx, { command: 'pwd', cwd: 'src' });
    assert.equal(pwd.output.trim(), path.join(root, 'src'));
    await assert.rejects(call(t(runCommand), ctx, { command: 'pwd', cwd: '..' }), /outside the workspace/);
    await assert.rejects(call(t(runCommand), ctx, { command: 'definitely-not-a-program-xyz' }), /command not found.*without a shell/);
    const fail = await call(t<{ exitCode: number }>(runCommand), ctx, { command: 'sh', args: ['-c', 'exit 3'] });
    assert.equal(fail.exitCode, 3);
  });

  it('run_command stops at its timeout and caps its output', async () => {
    const quick = await context(root, { commandTimeoutMs: 500, maxOutputBytes: 2000 });
    try {
      const t0 = Date.now();
      const slow = await call(t<{ timedOut: boolean; exitCode: number | null }>(runCommand), quick.ctx, { command: 'sleep', args: ['30'] });
      assert.equal(slow.timedOut, true);
      assert.ok(Date.now() - t0 < 5000);
      const big = await call(t<{ output: string; truncated: boolean }>(runCommand), quick.ctx, { command: process.execPath, args: ['-e', "process.stdout.write('x'.repeat(100000)+'END')"] });
      assert.equal(big.truncated, true);
      assert.ok(Buffer.byteLength(big.output) < 2200, `${Buffer.byteLength(big.output)} bytes kept`);
      assert.ok(big.output.endsWith('END'), 'the tail is kept');
    } finally {
      await quick.backend.close();
    }
  });

  it('git_status and git_diff report the real repository', async () => {
    execFileSync('git', ['add', '-A'], { cwd: root });
    execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@t.invalid', 'commit', '-qm', 'init'], { cwd: root });
    fs.appendFileSync(path.join(root, 'README.md'), 'more\n');
    fs.writeFileSync(path.join(root, 'src/new.ts'), 'n');
    const s = await call(t<{ branch: string; modified: string[]; untracked: string[]; clean: boolean }>(gitStatus), ctx, {});
    assert.deepEqual([s.branch, s.modified, s.untracked, s.clean], ['main', ['README.md'], ['src/new.ts'], false]);
    const d = await call(t<{ diff: string; files: number }>(gitDiff), ctx, {});
    assert.equal(d.files, 1);
    assert.match(d.diff, /^\+more$/m);
    assert.equal((await call(t<{ files: number }>(gitDiff), ctx, { staged: true })).files, 0);
    await assert.rejects(call(t(gitStatus), (await context(tmpDir())).ctx, {}), /not inside a git repository/);
  });
});
