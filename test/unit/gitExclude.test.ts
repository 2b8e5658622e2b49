import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { excludeFromGit } from '../../server/gitExclude';
import { gitRepo, tmpDir } from '../support/tmp';

const gitStatus = (cwd: string) => execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd, encoding: 'utf8' });

describe('git exclude of the data directory (real git)', () => {
  it('hides the data directory from git status, once, without touching .gitignore', async () => {
    const repo = gitRepo();
    const data = path.join(repo, '.torbit-data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'torbit.db'), 'x');
    assert.match(gitStatus(repo), /\.torbit-data/);
    const r1 = await excludeFromGit(repo, data);
    assert.equal(r1.kind, 'added');
    assert.equal(gitStatus(repo), '');
    assert.equal((await excludeFromGit(repo, data)).kind, 'present');
    const exclude = fs.readFileSync(path.join(repo, '.git/info/exclude'), 'utf8');
    assert.equal(exclude.split('\n').filter((l) => l === '/.torbit-data/').length, 1);
    assert.ok(!fs.existsSync(path.join(repo, '.gitignore')));
  });

  it('works from a subfolder workspace and for a nested data dir setting', async () => {
    const repo = gitRepo();
    const ws = path.join(repo, 'apps', 'mobile');
    const data = path.join(ws, 'state', 'torbit');
    fs.mkdirSync(data, { recursive: true });
    fs.writeFileSync(path.join(data, 'f'), 'x');
    const r = await excludeFromGit(ws, data);
    assert.deepEqual(r.kind === 'added' && r.pattern, '/apps/mobile/state/torbit/');
    assert.equal(gitStatus(repo), '');
  });

  it('skips a folder that is not a repository, and a data dir outside the repository', async () => {
    assert.equal((await excludeFromGit(tmpDir(), tmpDir())).kind, 'skipped');
    const repo = gitRepo();
    const r = await excludeFromGit(repo, tmpDir());
    assert.deepEqual(r, { kind: 'skipped', reason: 'the data directory is outside the repository' });
    assert.equal(fs.readFileSync(path.join(repo, '.git/info/exclude'), 'utf8').includes('torbit'), false);
  });
});
