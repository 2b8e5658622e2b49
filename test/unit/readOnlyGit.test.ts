import * as assert from 'node:assert/strict';
import { readOnlyGit } from '../../server/git';
import { tmpDir } from '../support/tmp';

describe('readOnlyGit: where its flags go', () => {
  it('after the subcommand (past -c pairs), after "show" for reflog show, and not at all for plumbing', async () => {
    const cwd = tmpDir();
    assert.deepEqual((await readOnlyGit(cwd, ['-c', 'core.quotePath=false', 'diff', 'HEAD'])).args,
      ['-c', 'core.quotePath=false', 'diff', '--no-ext-diff', '--no-textconv', '--ignore-submodules=dirty', 'HEAD']);
    assert.deepEqual((await readOnlyGit(cwd, ['reflog', 'show', '--date=unix', 'HEAD'])).args, ['reflog', 'show', '--no-ext-diff', '--no-textconv', '--date=unix', 'HEAD']);
    assert.deepEqual((await readOnlyGit(cwd, ['status', '-z'])).args, ['status', '--ignore-submodules=dirty', '-z']);
    assert.deepEqual((await readOnlyGit(cwd, ['rev-parse', 'HEAD'])).args, ['rev-parse', 'HEAD']);
  });

  it('appends its config after any the environment already sets', async () => {
    const inv = await readOnlyGit(tmpDir(), ['status'], { PATH: process.env.PATH, GIT_CONFIG_COUNT: '1', GIT_CONFIG_KEY_0: 'user.name', GIT_CONFIG_VALUE_0: 'me' });
    assert.equal(inv.env.GIT_CONFIG_KEY_0, 'user.name');
    assert.equal(inv.env.GIT_CONFIG_KEY_1, 'core.fsmonitor');
    assert.ok(Number(inv.env.GIT_CONFIG_COUNT) > 2);
  });
});
