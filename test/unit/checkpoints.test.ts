import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyRestore, planRestore } from '../../server/checkpoints/restore';
import { ShadowRepo } from '../../server/checkpoints/shadowRepo';
import { gitRepo, tmpDir } from '../support/tmp';

/** Every file under dir (not .git), with its bytes, mode bits and link target. */
function state(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      if (e.name === '.git') continue;
      const abs = path.join(d, e.name);
      const rel = path.relative(dir, abs).split(path.sep).join('/');
      if (e.isSymbolicLink()) out[rel] = `link:${fs.readlinkSync(abs)}`;
      else if (e.isDirectory()) visit(abs);
      else out[rel] = `${(fs.statSync(abs).mode & 0o111) ? 'x' : '-'}:${fs.readFileSync(abs).toString('base64')}`;
    }
  };
  visit(dir);
  return out;
}

const files = (dir: string) => Object.keys(state(dir));
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

    const plan = await planRestore(repo, cp.commit, files(ws));
    assert.deepEqual(plan.remove, ['new-name.txt', 'src/new.ts']);
    assert.deepEqual(plan.write.map((e) => e.path).sort(), ['bin.dat', 'doomed.txt', 'link', 'old-name.txt', 'run.sh', 'src/a.ts']);
    await applyRestore(repo, plan);
    assert.deepEqual(state(ws), before);
    // And forward again, to the state before the restore.
    await applyRestore(repo, await planRestore(repo, plan.current, files(ws)));
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
    const second = await repo.snapshot(files(ws), 'two', first.commit);
    assert.equal(second.hashed, 1);
    assert.notEqual(second.tree, first.tree);
    // f7 was written a moment ago: a same-size rewrite in the same tick would keep its stat.
    const third = await repo.snapshot(files(ws), 'three', second.commit);
    assert.deepEqual([third.hashed, third.tree], [1, second.tree]);
    fs.utimesSync(path.join(ws, 'f7.txt'), old, old);
    await repo.snapshot(files(ws), 'four', third.commit);
    const fifth = await repo.snapshot(files(ws), 'five', third.commit);
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
    await applyRestore(repo, await planRestore(repo, cp.commit, list));
    assert.equal(fs.readFileSync(path.join(nested, 'lib.js'), 'utf8'), 'nested\n');
    assert.deepEqual(gitState(), before);
  });
});
