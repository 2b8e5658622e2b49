// What a repository's policy loosens compared with the built-in default, and which policy is in
// force until the person accepts it (an acceptance store in a temporary config directory).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { acceptancesFile, PolicyAcceptances } from '../../server/trust/acceptances';
import { loosenings } from '../../server/trust/loosening';
import { DEFAULT_POLICY, defaultLoaded, type Policy } from '../../server/trust/policy';
import { policyInForce } from '../../server/trust/policyAcceptance';
import { sha256, tmpDir } from '../support/tmp';

const clone = (): Policy => structuredClone(DEFAULT_POLICY);
const withCommands = (commands: Policy['commands'], p = clone()): Policy => ({ ...p, commands: [...commands, ...p.commands] });

describe('what a policy loosens', () => {
  it('the default itself, and a stricter policy, loosen nothing', () => {
    assert.deepEqual(loosenings(clone()), []);
    const strict = clone();
    strict.categories.read.inside = 'ask';
    strict.categories.network.outside = 'deny';
    strict.protectedPaths.push('secrets/**');
    strict.commands = [{ match: 'prefix', argv: ['rm'], decision: 'deny' }, ...strict.commands.filter((r) => r.decision !== 'allow')];
    strict.limits = { askAfterAutoApproved: 10, askAfterCostUsd: 1 };
    assert.deepEqual(loosenings(strict), []);
  });

  it('a category moved towards allow, inside or outside, is a loosening; deny to ask too', () => {
    const p = clone();
    p.categories.command.inside = 'allow';
    p.categories.edit.outside = 'ask';
    assert.deepEqual(loosenings(p), [
      'editing files outside the workspace: asks first (the default: refused)',
      'running commands inside the workspace: allowed without asking (the default: asks first)',
    ]);
  });

  it('a command rule allowing what the default asks about is a loosening, named by its command', () => {
    assert.deepEqual(loosenings(withCommands([{ match: 'prefix', argv: ['touch'], decision: 'allow' }])), [
      'commands `touch …` run without asking (the default: they ask first)',
    ]);
    assert.deepEqual(loosenings(withCommands([{ match: 'exact', argv: ['npm', 'test'], decision: 'allow' }])), [
      'commands `npm test` run without asking (the default: they ask first)',
    ]);
  });

  it('rules are compared by effect: re-allowing what the default allows, or allowing a shell, loosens nothing', () => {
    assert.deepEqual(loosenings(withCommands([{ match: 'exact', argv: ['git', 'status'], decision: 'allow' }])), []);
    // A shell always asks whatever a rule says.
    assert.deepEqual(loosenings(withCommands([{ match: 'prefix', argv: ['sh'], decision: 'allow' }])), []);
  });

  it('a broad rule that also covers what the default asks about is caught (git … allowed covers git push)', () => {
    assert.deepEqual(loosenings(withCommands([{ match: 'prefix', argv: ['git'], decision: 'allow' }])), [
      'commands `git …` run without asking (the default: they ask first, which covers `git push …`)',
    ]);
  });

  it('dropping a rule of the default that asks, under a category that allows, is caught as well as the category', () => {
    const p = clone();
    p.categories.command.inside = 'allow';
    p.commands = [];
    const l = loosenings(p);
    assert.ok(l.includes('commands `git push …` run without asking (the default: they ask first)'), l.join('\n'));
  });

  it('a protected glob of the default left out is a loosening', () => {
    const p = clone();
    p.protectedPaths = p.protectedPaths.filter((g) => g !== '.env');
    assert.deepEqual(loosenings(p), ['`.env` is no longer protected (reading or editing it would not always ask)']);
  });

  it('a limit that asks later, or never, is a loosening', () => {
    const p = clone();
    p.limits = { askAfterAutoApproved: 0, askAfterCostUsd: 0 };
    assert.deepEqual(loosenings(p), ['no limit on automatically approved actions in a run (the default: after 50)']);
    p.limits.askAfterAutoApproved = 51;
    assert.deepEqual(loosenings(p), ['asks again only after 51 automatically approved actions (the default: after 50)']);
    // Against a base with a cost limit, a higher one loosens.
    assert.deepEqual(loosenings({ ...p, limits: { askAfterAutoApproved: 50, askAfterCostUsd: 5 } }, { ...p, limits: { askAfterAutoApproved: 50, askAfterCostUsd: 2 } }),
      ['asks again only once a run has cost $5 (the default: at $2)']);
  });
});

describe('the policy in force, and acceptances', () => {
  function workspace(policy: Policy): { root: string; file: string } {
    const root = tmpDir();
    fs.mkdirSync(path.join(root, '.torbit'));
    const file = path.join(root, '.torbit', 'policy.json');
    fs.writeFileSync(file, JSON.stringify(policy, null, 2));
    return { root, file };
  }

  it('a loosening file is not in force until accepted: the default is, with what it loosens', () => {
    const { root, file } = workspace(withCommands([{ match: 'prefix', argv: ['touch'], decision: 'allow' }]));
    const acceptances = new PolicyAcceptances(path.join(tmpDir(), 'accepted-policies.json'));
    const lp = policyInForce({ root, pinnedHash: '', acceptances });
    assert.equal(lp.source, 'default');
    assert.equal(lp.hash, defaultLoaded().hash);
    assert.equal(lp.pending?.hash, sha256(file));
    assert.match(lp.pending.loosens.join('\n'), /`touch …` run without asking/);

    acceptances.add({ folder: root, sha256: sha256(file), at: new Date().toISOString(), loosens: lp.pending.loosens });
    const now = policyInForce({ root, pinnedHash: '', acceptances });
    assert.deepEqual([now.source, now.hash, now.accepted, now.pending], ['file', sha256(file), true, undefined]);

    // Another folder with the same file is not accepted; nor is the folder once the file changes.
    const other = workspace(JSON.parse(fs.readFileSync(file, 'utf8')) as Policy);
    assert.equal(policyInForce({ root: other.root, pinnedHash: '', acceptances }).source, 'default');
    fs.appendFileSync(file, '\n');
    assert.equal(policyInForce({ root, pinnedHash: '', acceptances }).pending?.hash, sha256(file));
  });

  it('a tightening file applies with no acceptance', () => {
    const p = clone();
    p.categories.read.inside = 'ask';
    const { root, file } = workspace(p);
    const lp = policyInForce({ root, pinnedHash: '' });
    assert.deepEqual([lp.source, lp.hash, lp.pending, lp.accepted], ['file', sha256(file), undefined, undefined]);
  });

  it('a damaged acceptance store accepts nothing and is never overwritten', () => {
    const { root, file } = workspace(withCommands([{ match: 'prefix', argv: ['touch'], decision: 'allow' }]));
    const store = path.join(tmpDir(), 'accepted-policies.json');
    fs.writeFileSync(store, JSON.stringify({ version: 1, accepted: [{ folder: root, sha256: sha256(file), at: 'x', loosens: [], extra: 1 }] }));
    const acceptances = new PolicyAcceptances(store);
    assert.equal(policyInForce({ root, pinnedHash: '', acceptances }).source, 'default');
    assert.match(acceptances.problem() ?? '', /accepted-policies\.json is invalid: accepted\.0/);
    assert.throws(() => acceptances.add({ folder: root, sha256: sha256(file), at: 'now', loosens: [] }), /is invalid/);
    assert.match(fs.readFileSync(store, 'utf8'), /"extra":1/);
  });

  it('the store lives in the user\'s config directory, from XDG_CONFIG_HOME or HOME, never the workspace', () => {
    assert.equal(acceptancesFile({ XDG_CONFIG_HOME: '/u/cfg', HOME: '/u' }), path.resolve('/u/cfg/torbit/accepted-policies.json'));
    if (process.platform !== 'win32') assert.equal(acceptancesFile({ HOME: '/u' }), '/u/.config/torbit/accepted-policies.json');
  });
});
