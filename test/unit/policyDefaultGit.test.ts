// The built-in default's read-only git table: what runs without asking, and what still asks.
import * as assert from 'node:assert/strict';
import { parseCommandLine } from '../../server/trust/commandLine';
import { decide, defaultLoaded } from '../../server/trust/policy';
import { loosenings } from '../../server/trust/loosening';
import { DEFAULT_POLICY, type Policy } from '../../server/trust/policy';

function onLine(line: string) {
  const { argv, shellSyntax } = parseCommandLine(line);
  return decide(defaultLoaded(), { category: 'command', argv, shellSyntax, inside: true });
}

describe('the default policy: read-only git', () => {
  const allowed = [
    'git status', 'git status --short', 'git status -s', 'git status --porcelain', 'git status --porcelain=v2', 'git status -sb',
    'git status -b --short -uno', 'git status --untracked-files=no', 'git status -- src',
    'git log', 'git log --oneline -n 10', 'git log --oneline -5', 'git log --format=%H%x09%s HEAD~3..HEAD', 'git log -p -- src/a.ts',
    'git log --stat --since=2.weeks --author=ada', 'git diff', 'git diff --cached', 'git diff --stat HEAD~1', 'git diff -U3 main...HEAD -- src',
    'git diff --no-ext-diff --no-textconv', 'git show', 'git show HEAD:src/a.ts', 'git show --stat HEAD', 'git rev-parse HEAD',
    'git rev-parse --abbrev-ref HEAD', 'git rev-parse --show-toplevel', 'git branch', 'git branch -a', 'git branch --show-current', 'git branch -vv',
  ];
  for (const line of allowed) {
    it(`allows ${line}, to run with the repository's programs off`, () => {
      const v = onLine(line);
      assert.equal(v.decision, 'allow', v.reason);
      assert.equal(v.readOnlyGit, true);
    });
  }

  const asking: [string, string][] = [
    ['git -c core.pager=sh log', 'a global option before the subcommand'],
    ['git -C /etc log', 'another directory'],
    ['git --exec-path=/tmp log', 'another exec path'],
    ['git log --output=x', 'writes a file'],
    ['git log --output x', 'writes a file'],
    ['git diff --output=x', 'writes a file'],
    ['git diff --ext-diff', 'runs the external diff driver'],
    ['git diff --textconv', 'runs textconv drivers'],
    ['git log --show-signature', 'runs gpg'],
    ['git log --format=%G?', 'a signature placeholder runs gpg'],
    ['git show --pretty=format:%GS', 'a signature placeholder runs gpg'],
    ['git diff --no-index a b', 'compares files outside the repository'],
    ['git diff /etc/passwd /dev/null', 'an absolute path'],
    ['git diff ../other/file', 'a path leaving the workspace'],
    ['git status; rm -rf x', 'shell syntax'],
    ['git status && rm x', 'shell syntax'],
    ['git log $(id)', 'a substitution'],
    ['git push', 'pushes'],
    ['git push origin main', 'pushes'],
    ['git config core.pager sh', 'writes config'],
    ['git config --get user.name', 'reads config (not in the table)'],
    ['git branch -D x', 'deletes a branch'],
    ['git branch new-branch', 'creates a branch'],
    ['git branch --list x', 'a pattern is a positional'],
    ['git status -v', 'prints a diff through drivers'],
    ['git commit -m x', 'writes'],
    ['git checkout .', 'writes'],
    ['git fetch', 'reaches the network'],
    ['/usr/bin/git status', 'a program given by path'],
    ['sh -c "git status"', 'a shell'],
    ['env git status', 'a wrapper'],
    ['GIT_DIR=x git status', 'an environment assignment'],
  ];
  for (const [line, why] of asking) {
    it(`still asks about ${line} (${why})`, () => {
      const v = onLine(line);
      assert.equal(v.decision, 'ask', v.reason);
      assert.equal(v.readOnlyGit, undefined);
    });
  }

  it('the old prefix rules (git log …, git diff …) loosen the new default', () => {
    const old: Policy = {
      ...DEFAULT_POLICY,
      commands: [{ match: 'prefix', argv: ['git', 'diff'], decision: 'allow' }, { match: 'prefix', argv: ['git', 'log'], decision: 'allow' }, ...DEFAULT_POLICY.commands],
    };
    const found = loosenings(old);
    assert.ok(found.some((l) => l.includes('git diff …')), found.join('\n'));
    assert.ok(found.some((l) => l.includes('git log …')), found.join('\n'));
  });

  it('the default itself loosens nothing', () => {
    assert.deepEqual(loosenings(DEFAULT_POLICY), []);
  });
});
