// The push gate's hook goes where git looks for hooks; a repository's own config may not send it
// (and Torbit's writes) outside the repository.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { torbit } from '../support/cli';
import { git, reviewRepo } from '../support/reviewRepo';
import { tmpDir } from '../support/tmp';

describe('red team: a planted core.hooksPath', () => {
  it('a repository whose own .git/config points core.hooksPath outside it gets no hook written there', () => {
    const repo = reviewRepo({ commits: 1 });
    const outside = tmpDir('torbit-elsewhere-');
    git(repo.root, 'config', 'core.hooksPath', outside);
    const r = torbit(repo.root, ['review', 'install-gate'], { TORBIT_DATA_DIR: tmpDir('torbit-data-') });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /this repository's own config points core\.hooksPath at .*, outside the repository: Torbit will not write a hook there/);
    assert.deepEqual(fs.readdirSync(outside), []);
  });

  it('the person\'s own global core.hooksPath is honoured, wherever it points', () => {
    const repo = reviewRepo({ commits: 1 });
    const mine = tmpDir('torbit-my-hooks-');
    const globalConfig = path.join(tmpDir('torbit-gitconfig-'), 'config');
    fs.writeFileSync(globalConfig, `[core]\n\thooksPath = ${mine}\n`);
    const r = torbit(repo.root, ['review', 'install-gate', '--json'], { TORBIT_DATA_DIR: tmpDir('torbit-data-'), GIT_CONFIG_GLOBAL: globalConfig });
    assert.equal(r.code, 0, r.err);
    assert.equal((JSON.parse(r.out) as { hook: string }).hook, path.join(mine, 'pre-push'));
  });
});
