// "Always allow…": the rule proposed for .torbit/policy.json from an approval's session scope.
import * as assert from 'node:assert/strict';
import { parseCommandLine } from '../../server/trust/commandLine';
import { loosenings } from '../../server/trust/loosening';
import { decide, defaultLoaded, DEFAULT_POLICY, Policy, type LoadedPolicy } from '../../server/trust/policy';
import { pretty, proposePolicyRule, PolicyProposalError, type CommandScope } from '../../server/trust/policyProposal';
import { proposeScope, scopeCovers } from '../../server/trust/sessionAllowances';

const by = { by: 'ada', date: '2026-05-04' };
const loaded = (policy: Policy): LoadedPolicy => ({ policy, hash: 'h'.repeat(64), source: 'file' });
const cmd = (line: string) => ({ category: 'command' as const, argv: parseCommandLine(line).argv, shellSyntax: parseCommandLine(line).shellSyntax, inside: true });
/** The scope the backend offers for this command under this policy. */
const scopeOf = (lp: LoadedPolicy, line: string) => proposeScope(lp, 'run_command', cmd(line)) as CommandScope;
const verdict = (p: Policy, line: string) => decide(loaded(p), cmd(line)).decision;

const FILE = `{
  "$schema": "./policy.schema.json",
  "version": 1,
  "categories": {
    "read": { "inside": "allow", "outside": "deny" },
    "edit": { "inside": "ask", "outside": "deny" },
    "command": { "inside": "ask", "outside": "deny" },
    "network": { "inside": "ask", "outside": "ask" },
    "ship": { "inside": "ask", "outside": "ask" }
  },
  "protectedPaths": [".env", ".git/**", ".torbit/**"],
  "commands": [
    { "match": "prefix", "argv": ["npm", "run", "deploy"], "decision": "deny", "note": "deploys from CI only" },
    { "match": "prefix", "argv": ["npm", "run", "release"], "decision": "ask" }
  ],
  "limits": { "askAfterAutoApproved": 50, "askAfterCostUsd": 0 }
}
`;
const filePolicy = Policy.parse(JSON.parse(FILE));

describe('"Always allow": the proposed policy rule', () => {
  it('appends exactly the scope as a prefix rule, after the file\'s own rules, keeping the file\'s text', () => {
    const scope = scopeOf(loaded(filePolicy), 'npm run build --watch');
    assert.deepEqual(scope.argvPrefix, ['npm', 'run', 'build']);
    const p = proposePolicyRule(FILE, scope, by);
    assert.equal(p.before, FILE);
    assert.equal(p.baseline, FILE);
    assert.deepEqual(p.rule, { match: 'prefix', argv: ['npm', 'run', 'build'], decision: 'allow', note: 'added by ada from an approval on 2026-05-04' });
    const after = Policy.parse(JSON.parse(p.after));
    assert.deepEqual(after.commands, [...filePolicy.commands, p.rule]);
    assert.equal(after.$schema, './policy.schema.json');
    // One line added after the last rule, indented like it; nothing else of the file changes.
    const added = p.after.split('\n').filter((l) => !FILE.split('\n').includes(l));
    assert.deepEqual(added, [
      '    { "match": "prefix", "argv": ["npm", "run", "release"], "decision": "ask" },',
      '    { "match": "prefix", "argv": ["npm", "run", "build"], "decision": "allow", "note": "added by ada from an approval on 2026-05-04" }',
    ]);
    assert.equal(p.after.split('\n').length, FILE.split('\n').length + 1);
  });

  it('never widens past the file\'s rules: a wider scope leaves its deny and ask rules winning', () => {
    // A scope `npm run …` (the person chose it) covers npm run deploy and npm run release by its tokens.
    const scope: CommandScope = { kind: 'command', tool: 'run_command', argvPrefix: ['npm', 'run'], exact: false, label: 'npm run …' };
    const after = Policy.parse(JSON.parse(proposePolicyRule(FILE, scope, by).after));
    assert.equal(verdict(after, 'npm run deploy --prod'), 'deny');
    assert.equal(verdict(after, 'npm run release'), 'ask');
    assert.equal(verdict(after, 'npm run build'), 'allow');
    // What always asks still does, under the rule.
    assert.equal(verdict(after, 'npm run build; rm -rf /'), 'ask');
    assert.equal(verdict(after, 'npm run build > /etc/x'), 'ask');
  });

  it('loosens, compared by effect with the file before it, only the commands the scope covers', () => {
    for (const line of ['npm test', 'git stash list', 'ls -la', 'npx tsc --noEmit']) {
      const scope = scopeOf(loaded(filePolicy), line);
      const after = Policy.parse(JSON.parse(proposePolicyRule(FILE, scope, by).after));
      const l = loosenings(after, filePolicy);
      assert.equal(l.length, 1, `${line}: ${l.join('; ')}`);
      assert.match(l[0]!, new RegExp(`^commands \`${scope.label.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\` run without asking`));
      // And command by command: a verdict changes only where the scope covers the command.
      for (const other of ['npm test', 'npm test --watch', 'npm', 'npm install', 'git stash list', 'git stash drop', 'ls', 'ls -la', 'ls -la /', 'npx tsc', 'npx tsc --noEmit', 'npx other']) {
        const changed = verdict(after, other) !== verdict(filePolicy, other);
        assert.equal(changed, scopeCovers(scope, 'run_command', cmd(other)), `${line} → ${other}`);
      }
    }
  });

  it('allows a command of fewer than two words exactly, never every use of the program', () => {
    const scope = scopeOf(defaultLoaded(), 'ls -la');
    const p = proposePolicyRule(null, scope, by);
    assert.deepEqual(p.rule, { match: 'exact', argv: ['ls', '-la'], decision: 'allow', note: 'added by ada from an approval on 2026-05-04' });
    const after = Policy.parse(JSON.parse(p.after));
    assert.equal(verdict(after, 'ls -la'), 'allow');
    assert.equal(verdict(after, 'ls -la /'), 'ask');
    assert.equal(verdict(after, 'ls'), 'ask');
  });

  it('with no file, writes out the built-in default with the rule appended', () => {
    const scope = scopeOf(defaultLoaded(), 'git rev-list --count HEAD');
    const p = proposePolicyRule(null, scope, by);
    assert.equal(p.before, null);
    // The diff's left side is the default written out: the rule is the one line added (and a comma).
    assert.deepEqual(JSON.parse(p.baseline), DEFAULT_POLICY);
    const added = p.after.split('\n').filter((l) => !p.baseline.split('\n').includes(l));
    assert.deepEqual(added, [
      '    { "match": "prefix", "argv": ["git", "push"], "decision": "ask", "note": "pushing leaves the machine" },',
      '    { "match": "prefix", "argv": ["git", "rev-list"], "decision": "allow", "note": "added by ada from an approval on 2026-05-04" }',
    ]);
    const after = JSON.parse(p.after) as Policy;
    assert.deepEqual(after, { ...DEFAULT_POLICY, commands: [...DEFAULT_POLICY.commands, p.rule] });
    assert.equal('$schema' in after, false, 'the project has no published schema URL (VS Code validates the file by its name)');
    // git push, which the default asks about, still asks.
    assert.equal(verdict(after, 'git push origin main'), 'ask');
    assert.equal(verdict(after, 'git rev-list --all'), 'allow');
    // Written as people read it: one rule a line, and the file ends with a newline.
    assert.ok(p.after.endsWith('}\n'));
    assert.ok(p.after.includes('\n    { "match": "prefix", "argv": ["git", "rev-list"], "decision": "allow", "note": "added by ada from an approval on 2026-05-04" }\n  ]'));
  });

  it('fills an empty commands list, keeps CRLF line ends, and writes out whole a file whose shape defeats an edit', () => {
    const scope = scopeOf(defaultLoaded(), 'npm test');
    const empty = `{\n  "version": 1,\n  "categories": ${JSON.stringify(DEFAULT_POLICY.categories)},\n  "protectedPaths": [],\n  "commands": [],\n  "limits": { "askAfterAutoApproved": 0, "askAfterCostUsd": 0 }\n}\n`;
    const a = proposePolicyRule(empty, scope, by);
    assert.match(a.after, /\n {2}"commands": \[\n {4}\{ "match": "prefix", "argv": \["npm", "test"\], "decision": "allow", "note": "[^"]+" \}\n {2}\],\n/);
    assert.deepEqual(Policy.parse(JSON.parse(a.after)).commands, [a.rule]);

    const crlf = FILE.replace(/\n/g, '\r\n');
    const b = proposePolicyRule(crlf, scope, by);
    assert.ok(!/[^\r]\n/.test(b.after), 'every line ends in CRLF');
    assert.deepEqual(Policy.parse(JSON.parse(b.after)).commands.at(-1), b.rule);

    // JSON.parse keeps the last of duplicate keys: the rule must land in that one.
    const dup = FILE.replace('"commands": [', '"commands": [],\n  "commands": [');
    const c = proposePolicyRule(dup, scope, by);
    assert.deepEqual(Policy.parse(JSON.parse(c.after)).commands, [...filePolicy.commands, c.rule]);
  });

  it('refuses a file that is not a valid policy', () => {
    const scope = scopeOf(defaultLoaded(), 'npm test');
    assert.throws(() => proposePolicyRule('{ "version": 1, ', scope, by), PolicyProposalError);
    assert.throws(() => proposePolicyRule('{ "version": 2 }', scope, by), /invalid/);
  });

  it('writes a policy out two spaces a level, a value on one line where it fits', () => {
    assert.equal(pretty({ a: [1, 2], b: { c: 'x' } }), '{ "a": [1, 2], "b": { "c": "x" } }');
    const long = pretty({ protectedPaths: Array.from({ length: 12 }, (_, i) => `path-number-${i}`) });
    assert.equal(long.split('\n')[1], '  "protectedPaths": [');
    assert.equal(long.split('\n')[2], '    "path-number-0",');
  });
});
