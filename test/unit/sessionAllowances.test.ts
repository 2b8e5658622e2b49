// "Allow for this session": the scope offered, what it covers, and what it never covers.
import * as assert from 'node:assert/strict';
import { parseCommandLine } from '../../server/trust/commandLine';
import { decide, defaultLoaded, DEFAULT_POLICY, type Action, type LoadedPolicy, type Policy } from '../../server/trust/policy';
import { coverable, proposeScope, scopeCovers, SessionAllowances } from '../../server/trust/sessionAllowances';

const lp = defaultLoaded();
const cmd = (line: string): Action => { const { argv, shellSyntax } = parseCommandLine(line); return { category: 'command', argv, shellSyntax, inside: true }; };
const edit = (p: string): Action => ({ category: 'edit', path: p, inside: true });
const withPolicy = (over: Partial<Policy>): LoadedPolicy => ({ policy: { ...DEFAULT_POLICY, ...over }, hash: 'h'.repeat(64), source: 'file' });

describe('session allowances: the scope offered', () => {
  const scopes: [string, string[], boolean, string][] = [
    ['npm run build --watch', ['npm', 'run', 'build'], false, 'npm run build …'],
    ['git stash list --oneline', ['git', 'stash', 'list'], false, 'git stash list …'],
    ['npm test', ['npm', 'test'], false, 'npm test …'],
    ['npx tsc --noEmit', ['npx', 'tsc'], false, 'npx tsc …'],
    ['ls -la', ['ls', '-la'], true, 'ls -la'],
    ['make', ['make'], true, 'make'],
  ];
  for (const [line, argvPrefix, exact, label] of scopes) {
    it(`offers ${label} for ${line}`, () => {
      assert.deepEqual(proposeScope(lp, 'run_command', cmd(line)), { kind: 'command', tool: 'run_command', argvPrefix, exact, label });
    });
  }
  it('offers the same tool on the same file for an edit', () => {
    assert.deepEqual(proposeScope(lp, 'write_file', edit('src/a.ts')), { kind: 'file', tool: 'write_file', path: 'src/a.ts', label: 'write_file on src/a.ts' });
  });

  const never: [string, Action, LoadedPolicy?][] = [
    ['shell syntax', cmd('git stash list; rm x')],
    ['a substitution', cmd('echo $(id)')],
    ['a shell', cmd("sh -c 'git stash list'")],
    ['a wrapper', cmd('env npm test')],
    ['an environment assignment', cmd('FOO=1 npm test')],
    ['a program given by path', cmd('./run.sh')],
    ['an explicit ask rule (git push)', cmd('git push origin main')],
    ['a protected path', edit('.env')],
    ['a protected path (.torbit)', edit('.torbit/policy.json')],
    ['a protected path (.git)', edit('.git/config')],
    ['outside the workspace', { category: 'edit', path: '../x', inside: false }],
    ['a ship action', { category: 'ship', what: 'eas build', inside: true }],
    ['a network action', { category: 'network', what: 'fetch', inside: true }],
    ['a deny rule', cmd('rm -rf x'), withPolicy({ commands: [{ match: 'prefix', argv: ['rm'], decision: 'deny' }] })],
    ['a denied category', cmd('npm test'), withPolicy({ categories: { ...DEFAULT_POLICY.categories, command: { inside: 'deny', outside: 'deny' } } })],
    ['a refused policy', cmd('npm test'), { ...lp, error: 'invalid' }],
    ['what is allowed anyway', cmd('git status')],
  ];
  for (const [why, a, policy] of never) {
    it(`offers nothing for ${why}`, () => {
      assert.equal(proposeScope(policy ?? lp, 'run_command', a), undefined);
      assert.equal(coverable(policy ?? lp, a), false);
    });
  }

  it('offers nothing once the run reached its limit of automatic approvals', () => {
    assert.equal(coverable(lp, cmd('npm test'), { autoApproved: DEFAULT_POLICY.limits.askAfterAutoApproved, costUsd: 0 }), false);
    assert.equal(coverable(lp, cmd('npm test'), { autoApproved: 0, costUsd: 0 }), true);
  });
});

describe('session allowances: what a scope covers', () => {
  const prefix = proposeScope(lp, 'run_command', cmd('npm run build'))!;
  const exact = proposeScope(lp, 'run_command', cmd('ls -la'))!;
  const file = proposeScope(lp, 'edit_file', edit('src/a.ts'))!;
  const cases: [string, ReturnType<typeof proposeScope>, string, Action, boolean][] = [
    ['the same command', prefix, 'run_command', cmd('npm run build'), true],
    ['more arguments after the prefix', prefix, 'run_command', cmd('npm run build --prod'), true],
    ['another script', prefix, 'run_command', cmd('npm run deploy'), false],
    ['a shorter command', prefix, 'run_command', cmd('npm run'), false],
    ['the exact argv', exact, 'run_command', cmd('ls -la'), true],
    ['more arguments on an exact scope', exact, 'run_command', cmd('ls -la /'), false],
    ['the same file', file, 'edit_file', edit('src/a.ts'), true],
    ['another file', file, 'edit_file', edit('src/b.ts'), false],
    ['another tool', file, 'write_file', edit('src/a.ts'), false],
  ];
  for (const [what, scope, tool, a, covers] of cases) {
    it(`${covers ? 'covers' : 'does not cover'} ${what}`, () => assert.equal(scopeCovers(scope!, tool, a), covers));
  }

  it('is used only in its session, only where the policy in force still merely asks, and revoked for good', () => {
    const store = new SessionAllowances();
    const a = store.add('s1', prefix, 'ap1');
    assert.equal(store.use('s2', 'run_command', cmd('npm run build'), lp), undefined);
    assert.equal(store.use(null, 'run_command', cmd('npm run build'), lp), undefined);
    assert.equal(store.use('s1', 'run_command', cmd('npm run build; rm x'), lp), undefined);
    // A policy that now denies, or asks by an explicit rule, beats the allowance.
    const denies = withPolicy({ commands: [{ match: 'prefix', argv: ['npm'], decision: 'deny' }] });
    assert.equal(decide(denies, cmd('npm run build')).decision, 'deny');
    assert.equal(store.use('s1', 'run_command', cmd('npm run build'), denies), undefined);
    const asks = withPolicy({ commands: [{ match: 'prefix', argv: ['npm', 'run'], decision: 'ask' }] });
    assert.equal(store.use('s1', 'run_command', cmd('npm run build'), asks), undefined);
    assert.equal(store.use('s1', 'run_command', cmd('npm run build'), lp)?.id, a.id);
    assert.equal(store.list('s1')[0]!.uses, 1);
    assert.equal(store.revoke(a.id)?.id, a.id);
    assert.equal(store.use('s1', 'run_command', cmd('npm run build'), lp), undefined);
    assert.equal(store.revoke(a.id), undefined);
  });
});
