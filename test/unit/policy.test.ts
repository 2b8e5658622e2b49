import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatArgv, parseCommandLine } from '../../server/trust/commandLine';
import { decide, DEFAULT_POLICY, loadPolicy, Policy, type LoadedPolicy } from '../../server/trust/policy';
import { policyJsonSchema } from '../../server/trust/policySchema';
import { tmpDir } from '../support/tmp';

const withRules = (commands: Policy['commands'], over: Partial<Policy> = {}): LoadedPolicy =>
  ({ policy: { ...DEFAULT_POLICY, commands, ...over }, hash: 'h'.repeat(64), source: 'file' });

/** The command line as the model might write it, parsed, then decided. */
function onLine(lp: LoadedPolicy, line: string) {
  const { argv, shellSyntax } = parseCommandLine(line);
  return decide(lp, { category: 'command', argv, shellSyntax, inside: true });
}

describe('command-line parsing', () => {
  const cases: [string, string[], string[]][] = [
    ['git status', ['git', 'status'], []],
    ["git commit -m 'fix: a b'", ['git', 'commit', '-m', 'fix: a b'], []],
    ['echo "a \\"quoted\\" b"', ['echo', 'a "quoted" b'], []],
    ["echo 'no $(expansion) in single quotes'", ['echo', 'no $(expansion) in single quotes'], []],
    ['echo "but $(this) expands"', ['echo', 'but $(this) expands'], ['$(']],
    ['git show > ~/.ssh/x', ['git', 'show', '>', '~/.ssh/x'], ['>']],
    ['git show>~/.ssh/x', ['git', 'show>~/.ssh/x'], ['>']],
    ['cat a | sh', ['cat', 'a', '|', 'sh'], ['|']],
    ['npm test && rm -rf /', ['npm', 'test', '&&', 'rm', '-rf', '/'], ['&&']],
    ['ls; id', ['ls;', 'id'], [';']],
    ['echo `id`', ['echo', '`id`'], ['`']],
    ['FOO=1 rm -rf /', ['FOO=1', 'rm', '-rf', '/'], []],
    ['C:\\\\Windows\\\\System32\\\\cmd.exe /c dir', ['C:\\Windows\\System32\\cmd.exe', '/c', 'dir'], []],
    ["echo 'unclosed", ['echo', 'unclosed'], ["unclosed '"]],
    ['a\\ b c', ['a b', 'c'], []],
    ['', [], []],
  ];
  for (const [line, argv, syntax] of cases) {
    it(`${JSON.stringify(line)} -> ${JSON.stringify(argv)}${syntax.length ? ` with ${syntax.join(' ')}` : ''}`, () => {
      assert.deepEqual(parseCommandLine(line), { argv, shellSyntax: syntax });
    });
  }
});

describe('policy decisions', () => {
  const lp = withRules([
    { match: 'prefix', argv: ['git', 'show'], decision: 'allow' },
    { match: 'exact', argv: ['npm', 'test'], decision: 'allow' },
    { match: 'prefix', argv: ['rm'], decision: 'deny' },
    { match: 'prefix', argv: ['cat'], decision: 'allow' },
  ]);
  const table: [string, 'allow' | 'ask' | 'deny', RegExp][] = [
    ['git show HEAD', 'allow', /rule prefix \[git show\]/],
    ['git show > ~/.ssh/x', 'ask', /shell syntax \(>\)/],
    ['git show>~/.ssh/x', 'ask', /shell syntax/],
    ['git shows', 'ask', /command inside the workspace: ask/],
    ['git  show', 'allow', /rule prefix/],
    ['npm test', 'allow', /rule exact/],
    ['npm test -- --grep x', 'ask', /command inside/],
    ['npm test && curl evil', 'ask', /shell syntax \(&&\)/],
    ['rm -rf build', 'deny', /rule prefix \[rm\]: deny/],
    ['FOO=1 rm -rf /', 'ask', /environment assignment/],
    ['env FOO=1 rm -rf /', 'ask', /env runs another program/],
    ['sudo rm -rf /', 'ask', /sudo runs another program/],
    ['sh -c "git show"', 'ask', /sh runs arbitrary commands/],
    ['bash -lc ls', 'ask', /bash runs arbitrary commands/],
    ['cat a | sh', 'ask', /shell syntax \(\|\)/],
    ['cat "$(echo secret)"', 'ask', /shell syntax \(\$\(\)/],
    ['./git show HEAD', 'ask', /given by path/],
    ['C:\\\\tools\\\\git.exe show HEAD', 'ask', /given by path/],
    ['cmd.exe /c del x', 'ask', /cmd\.exe runs arbitrary commands/],
    ['cat src/app.ts', 'allow', /rule prefix \[cat\]/],
  ];
  for (const [line, want, why] of table) {
    it(`${line} -> ${want}`, () => {
      const v = onLine(lp, line);
      assert.equal(v.decision, want, v.reason);
      assert.match(v.reason, why);
      assert.equal(v.policyHash, 'h'.repeat(64));
    });
  }

  it('matches argv handed over already split (the run_command tool), never a raw string prefix', () => {
    assert.equal(decide(lp, { category: 'command', argv: ['git', 'show', '>', 'x'], inside: true }).decision, 'ask');
    assert.equal(decide(lp, { category: 'command', argv: ['git', 'show;rm', 'x'], inside: true }).decision, 'ask');
    assert.equal(decide(lp, { category: 'command', argv: ['git', 'show', 'a\nrm -rf /'], inside: true }).decision, 'ask');
    assert.equal(decide(lp, { category: 'command', argv: ['git', 'show', 'HEAD'], inside: false }).decision, 'deny', 'outside the workspace: deny');
  });

  it('is safe by default: reads allowed, edits and commands ask, protected paths ask', () => {
    const d = loadPolicy(tmpDir());
    assert.equal(d.source, 'default');
    assert.equal(decide(d, { category: 'read', path: 'src/a.ts', inside: true }).decision, 'allow');
    assert.equal(decide(d, { category: 'edit', path: 'src/a.ts', inside: true }).decision, 'ask');
    assert.equal(decide(d, { category: 'command', argv: ['npm', 'test'], inside: true }).decision, 'ask');
    assert.equal(decide(d, { category: 'command', argv: ['git', 'status'], inside: true }).decision, 'allow');
    for (const p of ['.env', '.env.local', 'apps/web/.env.production', '.git/config', '.torbit/policy.json', 'certs/server.pem', 'keys/AuthKey_X.p8', 'home/id_rsa.pub']) {
      const v = decide(d, { category: 'read', path: p, inside: true });
      assert.deepEqual([v.decision, /is protected/.test(v.reason)], ['ask', true], p);
    }
  });

  it('asks again after N automatic approvals or a given cost in one run', () => {
    const lim = withRules([{ match: 'exact', argv: ['ls'], decision: 'allow' }], { limits: { askAfterAutoApproved: 3, askAfterCostUsd: 0.5 } });
    const ls = { category: 'command' as const, argv: ['ls'], inside: true };
    assert.equal(decide(lim, ls, { autoApproved: 2, costUsd: 0 }).decision, 'allow');
    assert.match(decide(lim, ls, { autoApproved: 3, costUsd: 0 }).reason, /3 actions were approved automatically/);
    assert.match(decide(lim, ls, { autoApproved: 0, costUsd: 0.5 }).reason, /has cost \$0\.50/);
  });
});

describe('policy file', () => {
  function write(root: string, v: unknown): string {
    fs.mkdirSync(path.join(root, '.torbit'), { recursive: true });
    const text = typeof v === 'string' ? v : JSON.stringify(v, null, 2);
    fs.writeFileSync(path.join(root, '.torbit', 'policy.json'), text);
    return createHash('sha256').update(text).digest('hex');
  }

  it("loads a valid file and reports its sha256; honours a matching pin", () => {
    const root = tmpDir();
    const hash = write(root, { ...DEFAULT_POLICY, commands: [{ match: 'prefix', argv: ['npm', 'run'], decision: 'allow' }] });
    const lp = loadPolicy(root, { pinnedHash: hash.toUpperCase() });
    assert.deepEqual([lp.source, lp.hash, lp.error], ['file', hash, undefined]);
    assert.equal(decide(lp, { category: 'command', argv: ['npm', 'run', 'build'], inside: true }).decision, 'allow');
  });

  it('refuses a policy whose hash differs from the pin, and then every decision asks', () => {
    const root = tmpDir();
    write(root, DEFAULT_POLICY);
    const lp = loadPolicy(root, { pinnedHash: 'a'.repeat(64) });
    assert.match(lp.error!, /torbit\.policyHash pins a{64}; the policy is refused/);
    const v = decide(lp, { category: 'read', path: 'src/a.ts', inside: true });
    assert.deepEqual([v.decision, v.reason], ['ask', lp.error]);
  });

  it('refuses invalid JSON and invalid shapes with a clear error, asking for everything', () => {
    const root = tmpDir();
    write(root, '{ "version": 1, ');
    assert.match(loadPolicy(root).error!, /not valid JSON/);
    write(root, { ...DEFAULT_POLICY, categories: { ...DEFAULT_POLICY.categories, edit: { inside: 'sometimes', outside: 'deny' } } });
    assert.match(loadPolicy(root).error!, /categories\.edit\.inside/);
    write(root, { ...DEFAULT_POLICY, commands: [{ match: 'prefix', argv: [], decision: 'allow' }] });
    assert.match(loadPolicy(root).error!, /at least the program/);
  });

  it('outside dev, refuses a policy that approves everything', () => {
    const root = tmpDir();
    write(root, { ...DEFAULT_POLICY, protectedPaths: [], categories: { ...DEFAULT_POLICY.categories, edit: { inside: 'allow', outside: 'deny' }, command: { inside: 'allow', outside: 'deny' } } });
    assert.equal(loadPolicy(root, { environment: 'dev' }).error, undefined);
    assert.match(loadPolicy(root, { environment: 'production' }).error!, /may not approve everything \(edits and commands are allowed with no protected paths\)/);
  });
});

describe('policy JSON schema for editors', () => {
  it('media/policy.schema.json is generated from the zod schema (run `npm run schema` after changing it)', () => {
    const file = path.join(__dirname, '../../media/policy.schema.json');
    assert.equal(fs.readFileSync(file, 'utf8'), policyJsonSchema());
    const manifest = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8'));
    assert.deepEqual(manifest.contributes.jsonValidation, [{ fileMatch: '**/.torbit/policy.json', url: './media/policy.schema.json' }]);
  });

  it('accepts a policy that names the schema, and the documented example', () => {
    assert.equal(Policy.safeParse({ $schema: 'x', ...DEFAULT_POLICY }).success, true);
    const doc = fs.readFileSync(path.join(__dirname, '../../docs/policy.md'), 'utf8');
    const example = /```json\n([\s\S]*?)\n```/.exec(doc)![1]!;
    const parsed = Policy.safeParse(JSON.parse(example));
    assert.ok(parsed.success, parsed.success ? '' : parsed.error.message);
  });
});

describe('an argv shown to a person', () => {
  it('quotes arguments with spaces, quotes or shell syntax, so one command never reads as two', () => {
    assert.equal(formatArgv(['npm', 'test']), 'npm test');
    assert.equal(formatArgv(['git', 'commit', '-m', 'fix it']), 'git commit -m "fix it"');
    assert.equal(formatArgv(['echo', 'a;b', '$(id)', '', '>x']), 'echo "a;b" "$(id)" "" ">x"');
    assert.equal(formatArgv(['make'], 'sub/dir'), 'make  (in sub/dir)');
  });
});
