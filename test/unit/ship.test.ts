// The Ship loop's pieces: what the heal round may change, which test command runs, where HEAD is
// pushed. The loop itself is tested over JSON-RPC (test/integration/ship.test.ts).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReviewError } from '../../server/review/baseline';
import { changedSince, HealScope, treeState } from '../../server/review/heal';
import { pushTarget } from '../../server/review/push';
import { describeTestRun, runTests, testCommandFor } from '../../server/review/testRun';
import { git, reviewRepo } from '../support/reviewRepo';
import { tmpDir } from '../support/tmp';

describe('Ship: the heal round\'s allowlist', () => {
  it('allows what the globs match, never Torbit\'s own files or anything outside the repository', () => {
    const root = tmpDir('torbit-heal-');
    const scope = new HealScope(root, ['src/**', './test/*.ts', '**/*.md']);
    for (const ok of ['src/a.ts', 'src/deep/b.ts', 'test/x.ts', 'docs/readme.md', 'README.md']) assert.ok(scope.allows(ok), ok);
    for (const no of ['test/deep/x.ts', 'package.json', '.torbit/LAST_REVIEWED_SHA', '.torbit/policy.md', '.git/config', '../outside/src/a.ts', '/etc/passwd', ''])
      assert.ok(!scope.allows(no), no);
    const c = scope.confinement();
    assert.ok(c.writable(path.join(root, 'src/a.ts')));
    assert.ok(!c.writable(path.join(root, '.torbit/policy.json')));
    assert.ok(!c.writable(path.join(path.dirname(root), 'src/a.ts')));
    assert.equal(c.describe, 'files matching "src/**", "./test/*.ts", "**/*.md" (repository-relative)');
    assert.ok(!new HealScope(root, []).allows('src/a.ts'), 'an empty allowlist allows nothing');
  });

  it('tells what a heal round changed: new and edited files, not what was already untracked', async () => {
    const { root } = reviewRepo({ commits: 1 });
    fs.writeFileSync(path.join(root, 'scratch.txt'), 'mine\n');
    const before = await treeState(root);
    fs.appendFileSync(path.join(root, 'src/app.ts'), 'healed\n');
    fs.writeFileSync(path.join(root, 'src/new file.ts'), 'new\n');
    assert.deepEqual((changedSince(before, await treeState(root))).sort(), ['src/app.ts', 'src/new file.ts']);
  });
});

describe('Ship: the test command', () => {
  it('is the configured one, else npm test when package.json has a real test script, else a clear refusal', () => {
    const root = tmpDir('torbit-testcmd-');
    assert.equal(testCommandFor(root, '  pytest -q '), 'pytest -q');
    assert.throws(() => testCommandFor(root, ''), (e: Error) => e instanceof ReviewError && /set torbit\.ship\.testCommand/.test(e.message));
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ scripts: { test: 'echo "Error: no test specified" && exit 1' } }));
    assert.throws(() => testCommandFor(root, ''), /set torbit\.ship\.testCommand/, 'npm init\'s placeholder is no test suite');
    fs.writeFileSync(path.join(root, 'package.json'), '{ not json');
    assert.throws(() => testCommandFor(root, ''), /set torbit\.ship\.testCommand/);
    fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ scripts: { test: 'mocha' } }));
    assert.equal(testCommandFor(root, ''), 'npm test');
  });

  it('runs in a shell at the top, streams its output, and says how it ended', async () => {
    const root = tmpDir('torbit-testrun-');
    let streamed = '';
    const ok = await runTests({ root, command: 'echo "in $(basename "$PWD")" && echo err >&2', timeoutMs: 10_000, env: process.env, output: (c) => { streamed += c; } });
    assert.ok(ok.passed);
    assert.match(streamed, new RegExp(`in ${path.basename(root)}\\n`));
    assert.match(streamed, /err/);
    const bad = await runTests({ root, command: 'for i in 1 2 3 4; do echo line $i; done; exit 2', timeoutMs: 10_000, env: process.env, output: () => undefined });
    assert.deepEqual([bad.passed, bad.exitCode], [false, 2]);
    assert.match(describeTestRun('t', bad), /^t failed \(exit 2\) in \d+\.\d s: line 2 \| line 3 \| line 4$/);
    const slow = await runTests({ root, command: 'sleep 20', timeoutMs: 300, env: process.env, output: () => undefined });
    assert.deepEqual([slow.passed, slow.timedOut], [false, true]);
    assert.match(describeTestRun('sleep 20', slow), /^sleep 20 timed out after/);
  });
});

describe('Ship: where the push goes', () => {
  it('the upstream, else the named remote\'s branch of the same name; refusals for a detached HEAD and a missing remote', async () => {
    const { root, base } = reviewRepo({ commits: 1 });
    await assert.rejects(pushTarget(root, ''), /has no remote to push to/);
    git(root, 'remote', 'add', 'origin', tmpDir());
    git(root, 'remote', 'add', 'backup', tmpDir());
    assert.deepEqual(await pushTarget(root, ''), { branch: 'main', remote: 'origin', ref: 'refs/heads/main' });
    assert.deepEqual(await pushTarget(root, 'backup'), { branch: 'main', remote: 'backup', ref: 'refs/heads/main' });
    await assert.rejects(pushTarget(root, 'nope'), /there is no remote "nope" \(this repository has backup, origin\): set torbit\.ship\.remote/);
    git(root, 'config', 'branch.main.remote', 'backup');
    git(root, 'config', 'branch.main.merge', 'refs/heads/release');
    assert.deepEqual(await pushTarget(root, ''), { branch: 'main', remote: 'backup', ref: 'refs/heads/release' });
    assert.deepEqual(await pushTarget(root, 'origin'), { branch: 'main', remote: 'origin', ref: 'refs/heads/main' });
    git(root, 'checkout', '-q', base);
    await assert.rejects(pushTarget(root, ''), /HEAD is detached/);
  });
});
