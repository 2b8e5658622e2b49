import * as assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import type { FolderState } from '../../server/checkpoints/manifest';
import { applyFolderPlan, planFolder } from '../../server/checkpoints/restore';
import { Deflater, deflater } from '../../server/checkpoints/deflater';
import { PackBuilder } from '../../server/checkpoints/objects';
import { ShadowRepo } from '../../server/checkpoints/shadowRepo';
import { fsState } from '../support/fsState';
import { gitRepo, tmpDir } from '../support/tmp';
import { rng } from '../support/rng';

const state = (dir: string) => fsState(dir);
const files = (dir: string) => Object.entries(state(dir)).filter(([, v]) => v !== 'dir').map(([k]) => k);

/** Restores `target` (a snapshot commit) over the folder's files now; returns the snapshot of now. */
async function restoreTo(repo: ShadowRepo, target: { commit: string; tree: string }, list: string[]): Promise<{ commit: string; tree: string }> {
  const now = await repo.snapshot(list, 'now');
  const st = (s: { commit: string; tree: string }): FolderState => ({ folder: repo.folder, commit: s.commit, tree: s.tree, head: null, large: [], emptyDirs: [], files: 0 });
  const p = await planFolder(repo, st(now), st(target));
  await applyFolderPlan(repo, p.plan, [repo.folder]);
  return now;
}
const userGit = (ws: string, ...a: string[]) => execFileSync('git', a, { cwd: ws, encoding: 'utf8' });

/** What `git fsck --strict` says of a shadow repository, but for its HEAD (never set: refs/torbit/* hold the commits). */
function fsck(gitDir: string): string {
  const r = spawnSync('git', ['--git-dir', gitDir, 'fsck', '--strict', '--no-progress'], { encoding: 'utf8', env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' } });
  return `${r.stdout}${r.stderr}`.split('\n').filter((l) => l && !l.startsWith('notice: HEAD points to an unborn branch')).join('\n') + (r.status ? `\nexit ${r.status}` : '');
}

/** Names whose order in a tree is git's byte order, not JavaScript's: dots and dashes around '/', non-ASCII, past U+FFFF. */
const NAMES = ['a', 'a.b', 'a-b', 'a0', 'a b', 'B', '_x', 'é', '😀', '\uE000', 'ü.txt', 'f.ts', 'index.js'];

describe('checkpoints: the shadow repository', () => {
  it('snapshots and restores created, modified, deleted and renamed files, binaries, the executable bit and symlinks', async () => {
    const ws = gitRepo();
    fs.mkdirSync(path.join(ws, 'src'));
    fs.writeFileSync(path.join(ws, 'src/a.ts'), 'one\n');
    fs.writeFileSync(path.join(ws, 'old-name.txt'), 'moving\n');
    fs.writeFileSync(path.join(ws, 'doomed.txt'), 'bye\n');
    fs.writeFileSync(path.join(ws, 'bin.dat'), Buffer.from([0, 1, 2, 255, 0]));
    fs.writeFileSync(path.join(ws, 'run.sh'), '#!/bin/sh\necho hi\n', { mode: 0o755 });
    fs.symlinkSync('src/a.ts', path.join(ws, 'link'));
    const before = state(ws);
    const repo = await ShadowRepo.open(tmpDir(), ws);
    const cp = await repo.snapshot(files(ws), 'before the turn');
    assert.equal(cp.hashed, 6);

    fs.writeFileSync(path.join(ws, 'src/a.ts'), 'two\n');
    fs.writeFileSync(path.join(ws, 'src/new.ts'), 'created\n');
    fs.rmSync(path.join(ws, 'doomed.txt'));
    fs.renameSync(path.join(ws, 'old-name.txt'), path.join(ws, 'new-name.txt'));
    fs.writeFileSync(path.join(ws, 'bin.dat'), Buffer.from([9, 9, 0]));
    fs.chmodSync(path.join(ws, 'run.sh'), 0o644);
    fs.rmSync(path.join(ws, 'link'));
    fs.symlinkSync('bin.dat', path.join(ws, 'link'));

    const now = await repo.snapshot(files(ws), 'now');
    const st = (s: { commit: string; tree: string }): FolderState => ({ folder: ws, commit: s.commit, tree: s.tree, head: null, large: [], emptyDirs: [], files: 0 });
    const { plan, actions } = await planFolder(repo, st(now), st(cp));
    assert.deepEqual(plan.remove, ['new-name.txt', 'src/new.ts']);
    assert.deepEqual(plan.write.map((e) => e.path).sort(), ['bin.dat', 'doomed.txt', 'link', 'old-name.txt', 'run.sh', 'src/a.ts']);
    assert.deepEqual(actions.filter((a) => a.action === 'create').map((a) => a.path).sort(), ['doomed.txt', 'old-name.txt']);
    await applyFolderPlan(repo, plan, [repo.folder]);
    assert.deepEqual(state(ws), before);
    // And forward again, to the state before the restore.
    await restoreTo(repo, now, files(ws));
    assert.equal(fs.readFileSync(path.join(ws, 'src/new.ts'), 'utf8'), 'created\n');
  });

  it('hashes only what changed since the last snapshot, and re-hashes files changed too recently to trust their stat', async () => {
    const ws = gitRepo();
    const old = new Date(Date.now() - 60_000);
    for (let i = 0; i < 50; i++) {
      fs.writeFileSync(path.join(ws, `f${i}.txt`), `${i}\n`);
      fs.utimesSync(path.join(ws, `f${i}.txt`), old, old);
    }
    const repo = await ShadowRepo.open(tmpDir(), ws);
    const first = await repo.snapshot(files(ws), 'one');
    assert.equal(first.hashed, 50);
    fs.writeFileSync(path.join(ws, 'f7.txt'), 'seven\n');
    const second = await repo.snapshot(files(ws), 'two', { parent: first.commit });
    assert.equal(second.hashed, 1);
    assert.notEqual(second.tree, first.tree);
    // f7 was written a moment ago: a same-size rewrite in the same tick would keep its stat.
    const third = await repo.snapshot(files(ws), 'three', { parent: second.commit });
    assert.deepEqual([third.hashed, third.tree], [1, second.tree]);
    fs.utimesSync(path.join(ws, 'f7.txt'), old, old);
    await repo.snapshot(files(ws), 'four', { parent: third.commit });
    const fifth = await repo.snapshot(files(ws), 'five', { parent: third.commit });
    assert.deepEqual([fifth.hashed, fifth.tree], [0, second.tree]);
  });

  it('never touches the user\'s repository, and stores a nested repository\'s files as files', async () => {
    const ws = gitRepo();
    fs.writeFileSync(path.join(ws, 'tracked.txt'), 'x\n');
    userGit(ws, 'add', 'tracked.txt');
    userGit(ws, 'stash', 'list');
    const nested = path.join(ws, 'vendor/lib');
    fs.mkdirSync(nested, { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: nested });
    fs.writeFileSync(path.join(nested, 'lib.js'), 'nested\n');
    const gitState = () => ({
      status: userGit(ws, 'status', '--porcelain=v2', '--branch'),
      index: fs.readFileSync(path.join(ws, '.git/index')).toString('base64'),
      refs: userGit(ws, 'for-each-ref'),
      config: fs.readFileSync(path.join(ws, '.git/config'), 'utf8'),
      hooks: fs.readdirSync(path.join(ws, '.git/hooks')).join(','),
    });
    const before = gitState();
    const repo = await ShadowRepo.open(tmpDir(), ws);
    const list = files(ws).filter((f) => !f.startsWith('vendor/lib/.git/'));
    const cp = await repo.snapshot(list, 'cp');
    const entries = await repo.entries(cp.commit);
    assert.deepEqual(entries.find((e) => e.path === 'vendor/lib/lib.js')?.mode, '100644', 'a file, not a gitlink');
    fs.writeFileSync(path.join(nested, 'lib.js'), 'changed\n');
    await restoreTo(repo, cp, list);
    assert.equal(fs.readFileSync(path.join(nested, 'lib.js'), 'utf8'), 'nested\n');
    assert.deepEqual(gitState(), before);
  });

  it('writes in-process the objects git would: random edits through incremental snapshots equal full scans, and fsck finds nothing wrong', async function () {
    this.timeout(30_000); // a full scan (four git processes) after every round
    const ws = tmpDir('torbit-ws-');
    const r = rng(7);
    const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
    const text = () => `${'x'.repeat(Math.floor(r() * 100))}\n`; // over 64 bytes: a large file
    const max = 64;
    const put = (rel: string, data: string, mode = 0o644) => {
      fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
      fs.writeFileSync(path.join(ws, rel), data, { mode });
      fs.chmodSync(path.join(ws, rel), mode);
    };
    for (const n of NAMES) put(n === 'a' ? 'a/inner.txt' : n, text());
    put('src/deep/er/f.ts', text());
    put('run.sh', '#!/bin/sh\n', 0o755);
    fs.symlinkSync('run.sh', path.join(ws, 'link'));
    const all = () => Object.entries(state(ws));
    const regular = () => all().filter(([, v]) => !v.startsWith('link:') && v !== 'dir').map(([k]) => k);
    /** Whether `rel` can be created: nothing there, and only folders (or nothing) where its folders would be. */
    const free = (rel: string) => rel.split('/').every((_, i, parts) => {
      const st = fs.lstatSync(path.join(ws, ...parts.slice(0, i + 1)), { throwIfNoEntry: false });
      return i === parts.length - 1 ? !st : !st || st.isDirectory();
    });
    const folders = () => ['', ...new Set(files(ws).flatMap((f) => f.split('/').slice(0, -1).map((_, i, parts) => parts.slice(0, i + 1).join('/'))))];

    const repo = await ShadowRepo.open(tmpDir(), ws);
    const full = await ShadowRepo.open(tmpDir(), ws);
    let snap = await repo.snapshot(files(ws), 'start', { maxFileBytes: max });
    const ops: Record<string, (changed: Set<string>) => void> = {
      edit: (c) => { const f = pick(regular()); put(f, text(), fs.statSync(path.join(ws, f)).mode & 0o777); c.add(f); },
      exec: (c) => { const f = pick(regular()); fs.chmodSync(path.join(ws, f), fs.statSync(path.join(ws, f)).mode & 0o111 ? 0o644 : 0o755); c.add(f); },
      delete: (c) => { const f = pick(files(ws)); fs.rmSync(path.join(ws, f)); c.add(f); },
      create: (c) => { const f = path.posix.join(pick(folders()), pick(NAMES)); if (free(f)) { put(f, text()); c.add(f); } },
      nested: (c) => { const f = path.posix.join(pick(folders()), pick(NAMES), pick(NAMES), pick(NAMES)); if (free(f)) { put(f, text()); c.add(f); } },
      symlink: (c) => { const f = path.posix.join(pick(folders()), `l-${pick(NAMES)}`); fs.rmSync(path.join(ws, f), { recursive: true, force: true }); fs.symlinkSync(pick([pick(NAMES), '../nowhere', 'é/😀']), path.join(ws, f)); c.add(f); },
      fileToLink: (c) => { const f = pick(regular()); fs.rmSync(path.join(ws, f)); fs.symlinkSync('target', path.join(ws, f)); c.add(f); },
      removeFolder: (c) => { const d = pick(folders().filter(Boolean)); if (d) { fs.rmSync(path.join(ws, d), { recursive: true }); c.add(d); } },
      fileToFolder: (c) => { const f = pick(files(ws)); const inner = `${f}/${pick(NAMES)}`; fs.rmSync(path.join(ws, f)); put(inner, text()); c.add(f).add(inner); },
      folderToFile: (c) => { const d = pick(folders().filter(Boolean)); if (d) { fs.rmSync(path.join(ws, d), { recursive: true }); put(d, text()); c.add(d); } },
      nothing: (c) => { c.add('never/was.txt').add(pick(files(ws))); },
    };
    for (let round = 0; round < 60; round++) {
      const changed = new Set<string>();
      for (let n = 1 + Math.floor(r() * 4); n > 0; n--) ops[pick(Object.keys(ops))]!(changed);
      snap = await repo.update([...changed], `round ${round}`, { parent: snap.commit, maxFileBytes: max });
      const want = await full.snapshot(files(ws), 'full scan', { maxFileBytes: max });
      assert.equal(snap.tree, want.tree, `round ${round}: ${[...changed].join(', ')}`);
      assert.deepEqual(snap.large, want.large);
      assert.equal(repo.count, files(ws).length);
      for (const f of files(ws)) assert.equal(repo.lookup(f), full.lookup(f), f);
    }
    // Nothing left: git's empty tree.
    const top = fs.readdirSync(ws);
    for (const e of top) fs.rmSync(path.join(ws, e), { recursive: true });
    snap = await repo.update(top, 'empty', { parent: snap.commit, maxFileBytes: max });
    assert.equal(snap.tree, (await full.snapshot([], 'empty')).tree);
    assert.equal(snap.tree, '4b825dc642cb6eb9a060e54bf8d69288fbee4904');
    await repo.keep('cp/1', snap.commit);
    assert.equal(execFileSync('git', ['--git-dir', repo.gitDir, 'rev-parse', 'refs/torbit/cp/1'], { encoding: 'utf8' }).trim(), snap.commit);
    assert.equal(fsck(repo.gitDir), '');
  });

  it('leaves the last snapshot as it was when an incremental one fails', async () => {
    const ws = tmpDir('torbit-ws-');
    fs.mkdirSync(path.join(ws, 'd'));
    fs.writeFileSync(path.join(ws, 'd/a.txt'), 'a\n');
    fs.writeFileSync(path.join(ws, 'b.txt'), 'b\n');
    const repo = await ShadowRepo.open(tmpDir(), ws);
    const first = await repo.snapshot(files(ws), 'one');
    const before = [repo.lookup('d/a.txt'), repo.lookup('b.txt'), repo.count];
    fs.writeFileSync(path.join(ws, 'd/a.txt'), 'changed\n');
    fs.rmSync(path.join(ws, 'b.txt'));
    // The snapshot's pack cannot be written.
    const finish = PackBuilder.prototype.finish;
    PackBuilder.prototype.finish = () => { throw new Error('disk full'); };
    try {
      await assert.rejects(repo.update(['d/a.txt', 'b.txt'], 'two', { parent: first.commit }), /disk full/);
    } finally {
      PackBuilder.prototype.finish = finish;
    }
    assert.deepEqual([repo.lookup('d/a.txt'), repo.lookup('b.txt'), repo.count], before);
    const second = await repo.update(['d/a.txt', 'b.txt'], 'two', { parent: first.commit });
    assert.equal(second.tree, (await (await ShadowRepo.open(tmpDir(), ws)).snapshot(files(ws), 'full')).tree);
    assert.equal(repo.count, 1);
  });

  it('compresses a big incremental snapshot on two threads, and git reads every object back', async () => {
    const ws = tmpDir('torbit-ws-');
    const r = rng(11);
    const words = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu'.split(' ');
    const text = () => Array.from({ length: 900 }, () => words[Math.floor(r() * words.length)]).join(' ') + '\n';
    const rels = Array.from({ length: 24 }, (_, i) => `src/m${i % 3}/f${i}.txt`);
    for (const rel of rels) {
      fs.mkdirSync(path.dirname(path.join(ws, rel)), { recursive: true });
      fs.writeFileSync(path.join(ws, rel), text());
    }
    const repo = await ShadowRepo.open(tmpDir(), ws);
    const first = await repo.snapshot(files(ws), 'one');
    for (const rel of rels) fs.appendFileSync(path.join(ws, rel), text());
    const offloaded = deflater.offloaded;
    const snap = await repo.update(rels, 'two', { parent: first.commit });
    assert.ok(deflater.offloaded > offloaded, 'part of the snapshot was compressed on the worker');
    assert.equal(snap.tree, (await (await ShadowRepo.open(tmpDir(), ws)).snapshot(files(ws), 'full')).tree);
    for (const rel of rels) {
      const stored = execFileSync('git', ['--git-dir', repo.gitDir, 'cat-file', 'blob', `${snap.commit}:${rel}`]);
      assert.ok(stored.equals(fs.readFileSync(path.join(ws, rel))), rel);
    }
    await repo.keep('cp/2', snap.commit);
    assert.equal(fsck(repo.gitDir), '');
  });

  it('packs the loose objects of a big full snapshot in the background', async function () {
    this.timeout(60_000);
    const ws = tmpDir('torbit-ws-');
    const rels = Array.from({ length: 6800 }, (_, i) => `d${i % 40}/f${i}.txt`);
    for (let i = 0; i < 40; i++) fs.mkdirSync(path.join(ws, `d${i}`));
    rels.forEach((rel, i) => fs.writeFileSync(path.join(ws, rel), `file ${i}\n`));
    const repo = await ShadowRepo.open(tmpDir(), ws);
    const snap = await repo.snapshot(rels, 'big');
    await repo.idle();
    const counts = Object.fromEntries(execFileSync('git', ['--git-dir', repo.gitDir, 'count-objects', '-v'], { encoding: 'utf8' })
      .trim().split('\n').map((l) => l.split(': ')).map(([k, v]) => [k, Number(v)]));
    assert.equal(counts.count, 0, 'no loose object is left');
    assert.ok(counts['in-pack']! >= rels.length + 41, `${counts['in-pack']} objects in packs`);
    assert.equal(execFileSync('git', ['--git-dir', repo.gitDir, 'cat-file', 'blob', `${snap.commit}:d7/f7.txt`], { encoding: 'utf8' }), 'file 7\n');
  });
});

describe('checkpoints: compression on two threads', () => {
  const r = rng(5);
  const jobs = Array.from({ length: 40 }, (_, i) => ({
    body: Buffer.from(Array.from({ length: 200 + Math.floor(r() * 3000) }, () => 'abcdefgh'[Math.floor(r() * 8)]).join('')),
    level: [1, 4, 6][i % 3]!,
  }));
  const total = jobs.reduce((n, j) => n + j.body.length, 0);
  const check = (out: Buffer[]) => {
    assert.equal(out.length, jobs.length);
    jobs.forEach((j, i) => {
      assert.ok(out[i]!.equals(deflateSync(j.body, { level: j.level })), `job ${i}: as zlib compresses it on this thread`);
      assert.ok(inflateSync(out[i]!).equals(j.body), `job ${i}: inflates back`);
    });
  };

  it('gives each body back compressed, in order, about half of them done on the worker', async () => {
    const d = new Deflater();
    try {
      check(await d.deflateAll(jobs));
      assert.ok(d.offloaded > total * 0.3 && d.offloaded < total * 0.7, `the worker compressed ${d.offloaded} of ${total} bytes`);
      // A small batch is not worth the round trip.
      const before = d.offloaded;
      const small = await d.deflateAll(jobs.slice(0, 2));
      jobs.slice(0, 2).forEach((j, i) => assert.ok(inflateSync(small[i]!).equals(j.body)));
      assert.equal(d.offloaded, before);
    } finally {
      await d.close();
    }
  });

  it('leaves no call waiting when the worker stops, and starts another for the next one', async () => {
    const d = new Deflater();
    try {
      const pending = d.deflateAll(jobs);
      await d.close();
      check(await pending);
      const before = d.offloaded;
      check(await d.deflateAll(jobs));
      assert.ok(d.offloaded > before, 'a new worker took part');
    } finally {
      await d.close();
    }
  });
});
