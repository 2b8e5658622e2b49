import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FolderState } from '../../server/checkpoints/manifest';
import { applyFolderPlan, planFolder } from '../../server/checkpoints/restore';
import { ShadowRepo } from '../../server/checkpoints/shadowRepo';
import { fsState } from '../support/fsState';
import { gitRepo, tmpDir } from '../support/tmp';

const state = (dir: string) => fsState(dir);
const files = (dir: string) => Object.entries(state(dir)).filter(([, v]) => v !== 'dir').map(([k]) => k);

/** Restores `target` (a snapshot commit) over the folder's files now; returns the snapshot of now. */
async function restoreTo(repo: ShadowRepo, target: { commit: string; tree: string }, list: string[]): Promise<{ commit: string; tree: string }> {
  const now = await repo.snapshot(list, 'now');
  const st = (s: { commit: string; tree: string }): FolderState => ({ folder: repo.folder, commit: s.commit, tree: s.tree, head: null, large: [], emptyDirs: [], files: 0 });
  const p = await planFolder(repo, st(now), st(target));
  await applyFolderPlan(repo, p.plan);
  return now;
}
const userGit = (ws: string, ...a: string[]) => execFileSync('git', a, { cwd: ws, encoding: 'utf8' });

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
    await applyFolderPlan(repo, plan);
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
});
