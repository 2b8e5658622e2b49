import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { approvalText, approvalWords, AskWhy, hunkWords, type ApprovalFacts } from '../../server/protocol';
import { parseCommandLine } from '../../server/trust/commandLine';
import { hunksOf, lines } from '../../server/trust/hunks';
import { scopeOf } from '../../server/trust/hunkScope';
import { decide, DEFAULT_POLICY, loadPolicy, type Action, type LoadedPolicy, type Policy } from '../../server/trust/policy';
import { tmpDir } from '../support/tmp';

const loaded = (over: Partial<Policy> = {}): LoadedPolicy => ({ policy: { ...DEFAULT_POLICY, ...over }, hash: 'h'.repeat(64), source: 'file' });

/** What the policy says about an action, as the surfaces word it. */
function asked(lp: LoadedPolicy, action: Action, tally?: { autoApproved: number; costUsd: number }) {
  const v = decide(lp, action, tally);
  assert.equal(v.decision, 'ask', `${JSON.stringify(action)}: ${v.reason}`);
  AskWhy.parse(v.why); // the data the protocol carries
  return v.why;
}

const command = (line: string): Action => {
  const { argv, shellSyntax } = parseCommandLine(line);
  return { category: 'command', argv, shellSyntax, inside: true };
};

function commandFacts(line: string, why: AskWhy, cwd = '.'): ApprovalFacts {
  const { argv } = parseCommandLine(line);
  return { kind: 'command', tool: 'run_command', title: line, why, command: { argv, cwd, cwdAbs: cwd === '.' ? '/w/app' : `/w/app/${cwd}` } };
}

const edit = (file: string, hunks: number, why: AskWhy, created = false): ApprovalFacts => ({
  kind: 'edit', tool: 'edit_file', title: file, why,
  edit: { path: file, created, hunks: Array.from({ length: hunks }, (_, index) => ({ index, line: index * 10, removed: 1, added: created ? 12 : 2 })) },
});

describe('approval wording: who wants what, and why the policy asks', () => {
  it('an edit the category asks for', () => {
    const why = asked(loaded(), { category: 'edit', path: 'src/greet.js', inside: true });
    assert.equal(approvalText(edit('src/greet.js', 2, why)), 'Torbit wants to edit src/greet.js (2 changes). Your policy asks before edits.');
    assert.equal(approvalWords(edit('src/greet.js', 1, why)).want, 'Torbit wants to edit src/greet.js (1 change).');
  });

  it('a new file says it creates it, with its length', () => {
    const why = asked(loaded(), { category: 'edit', path: 'src/new.js', inside: true });
    assert.equal(approvalWords(edit('src/new.js', 1, why, true)).want, 'Torbit wants to create src/new.js (12 lines).');
  });

  it('a command the category asks for, with its exact argv and folder on a line of its own', () => {
    const why = asked(loaded(), command('npm run lint --fix'));
    const w = approvalWords(commandFacts('npm run lint --fix', why));
    assert.equal(w.want, 'Torbit wants to run npm run lint --fix in the workspace.');
    assert.equal(w.why, 'Your policy asks before commands.');
    assert.equal(w.exact, 'Exactly: ["npm","run","lint","--fix"] in /w/app');
    assert.equal(approvalText(commandFacts('npm run lint --fix', why)).split('\n').length, 2);
  });

  it('a command in a subfolder names the folder', () => {
    const why = asked(loaded(), command('npm test'));
    const w = approvalWords(commandFacts('npm test', why, 'packages/web'));
    assert.equal(w.want, 'Torbit wants to run npm test in packages/web.');
    assert.equal(w.exact, 'Exactly: ["npm","test"] in /w/app/packages/web');
  });

  it('an argument that looks like two commands is quoted, never shown bare', () => {
    const why: AskWhy = { kind: 'category', category: 'command', inside: true };
    const facts: ApprovalFacts = { kind: 'command', tool: 'run_command', title: 'x', why, command: { argv: ['echo', 'a;rm -rf /'], cwd: '.' } };
    assert.equal(approvalWords(facts).want, 'Torbit wants to run echo "a;rm -rf /" in the workspace.');
  });

  it('a ship action', () => {
    const why = asked(loaded(), { category: 'ship', what: 'iOS build (production)', inside: true });
    const w = approvalWords({ kind: 'ship', tool: 'eas build', title: 'iOS build (production)', why });
    assert.equal(`${w.want} ${w.why}`, 'Torbit wants to start an iOS build (production) with EAS. Your policy asks before shipping.');
    assert.equal(w.exact, undefined);
  });

  it('a read of a protected file', () => {
    const why = asked(loaded(), { category: 'read', path: 'src/.env', inside: true });
    assert.deepEqual(why, { kind: 'protected', path: 'src/.env', glob: '**/.env' });
    assert.equal(approvalText({ kind: 'read', tool: 'read_file', title: 'src/.env', why }),
      'Torbit wants to read src/.env. src/.env is a protected file (**/.env): your policy always asks.');
  });

  it('an action outside the workspace', () => {
    const lp = loaded({ categories: { ...DEFAULT_POLICY.categories, edit: { inside: 'ask', outside: 'ask' } } });
    const why = asked(lp, { category: 'edit', path: '../x', inside: false });
    assert.equal(approvalWords(edit('../x', 1, why)).why, 'It is outside the workspace, and your policy asks before edits there.');
  });

  it('a command rule that asks, with its note', () => {
    const why = asked(loaded(), command('git push origin main'));
    assert.equal(approvalWords(commandFacts('git push origin main', why)).why, 'Your policy has a rule to ask before git push … (pushing leaves the machine).');
  });

  it('shell syntax, a shell, a wrapper, an assignment and a program given by path', () => {
    const allowAll = loaded({ categories: { ...DEFAULT_POLICY.categories, command: { inside: 'allow', outside: 'deny' } } });
    const cases: [string, string][] = [
      ['git log | sh', 'It uses shell syntax (|), which always asks.'],
      ['bash -c id', 'bash is a shell and can run anything, so it always asks.'],
      ['sudo ls', 'sudo runs another program, so it always asks.'],
      ['FOO=1 ls', 'It sets an environment variable before the program (FOO=1), which always asks.'],
      ['./build.sh', 'The program is given by path (./build.sh), which no rule matches, so it asks.'],
    ];
    for (const [line, words] of cases) {
      assert.equal(approvalWords(commandFacts(line, asked(allowAll, command(line)))).why, words, line);
    }
  });

  it('the limits that ask again', () => {
    const lp = loaded({ limits: { askAfterAutoApproved: 20, askAfterCostUsd: 1.5 } });
    const read = { category: 'read', path: 'a.ts', inside: true } as const;
    const after = asked(lp, read, { autoApproved: 20, costUsd: 0 });
    assert.equal(approvalWords({ kind: 'read', tool: 'read_file', title: 'a.ts', why: after }).why, 'After 20 automatic approvals in this run, your policy asks again (limit 20).');
    const cost = asked(lp, read, { autoApproved: 0, costUsd: 2 });
    assert.equal(approvalWords({ kind: 'read', tool: 'read_file', title: 'a.ts', why: cost }).why, 'This run has cost $2.00, so your policy asks again (limit $1.5).');
  });

  it('a policy refused for its pinned sha256, for bad JSON, and for approving everything outside dev', () => {
    const root = tmpDir('words-');
    fs.mkdirSync(path.join(root, '.torbit'));
    fs.writeFileSync(path.join(root, '.torbit', 'policy.json'), JSON.stringify(DEFAULT_POLICY));
    const read = { category: 'read', path: 'a.ts', inside: true } as const;
    const pinned = asked(loadPolicy(root, { pinnedHash: 'a'.repeat(64) }), read);
    assert.equal(pinned.kind === 'policy-refused' && pinned.cause, 'pin-mismatch');
    assert.match(approvalWords({ kind: 'read', tool: 'read_file', title: 'a.ts', why: pinned }).why,
      /^Your policy file does not match the sha256 pinned in torbit\.policyHash \(its sha256 is [0-9a-f]{64}, the pin is a{64}\), so every action asks\.$/);
    fs.writeFileSync(path.join(root, '.torbit', 'policy.json'), '{ not json');
    const bad = asked(loadPolicy(root), read);
    assert.match(approvalWords({ kind: 'read', tool: 'read_file', title: 'a.ts', why: bad }).why, /^Your policy file is not valid JSON \(.+\), so every action asks\.$/);
    const all = { ...DEFAULT_POLICY, categories: { ...DEFAULT_POLICY.categories, edit: { inside: 'ask', outside: 'allow' } } };
    fs.writeFileSync(path.join(root, '.torbit', 'policy.json'), JSON.stringify(all));
    const mode = asked(loadPolicy(root, { environment: 'production' }), read);
    assert.match(approvalWords({ kind: 'read', tool: 'read_file', title: 'a.ts', why: mode }).why, /^Your policy approves everything, which this mode refuses \(production mode: edit outside the workspace is allowed\), so every action asks\.$/);
  });

  it('a card saved before the reason was data still reads as a sentence', () => {
    assert.equal(approvalText({ kind: 'edit', tool: 'edit_file', title: 'a.ts' }), 'Torbit wants to edit a.ts. Your policy asks.');
  });

  it('has a sentence for every kind of reason', () => {
    const kinds = AskWhy.options.map((o) => o.shape.kind.value);
    const samples: AskWhy[] = [
      { kind: 'category', category: 'network', inside: true }, { kind: 'protected', path: 'p', glob: 'g' },
      { kind: 'rule', match: 'exact', argv: ['a'] }, { kind: 'shell-syntax', syntax: ['>'] }, { kind: 'shell', program: 'sh' },
      { kind: 'wrapper', program: 'env' }, { kind: 'env-assignment', program: 'A=1' }, { kind: 'program-path', program: './x' },
      { kind: 'auto-limit', count: 3, limit: 3 }, { kind: 'cost-limit', costUsd: 1, limitUsd: 1 },
      { kind: 'policy-refused', cause: 'invalid', detail: 'd' }, { kind: 'no-change' },
    ];
    assert.deepEqual(samples.map((s) => s.kind).sort(), [...kinds].sort());
    for (const why of samples) {
      const w = approvalWords({ kind: 'read', tool: 'read_file', title: 'a', why }).why;
      assert.match(w, /^\S/, why.kind);
      assert.match(w, /\.$/, why.kind);
      assert.doesNotMatch(w, /undefined|: ask\b|inside the workspace: /, why.kind);
    }
  });
});

describe('lens wording: what a hunk changes', () => {
  const hunk = (before: string, after: string, i = 0) => {
    const hs = hunksOf(before, after);
    const h = hs[i]!;
    const scope = scopeOf(lines(before), h);
    return { index: h.index, line: h.oldStart, removed: h.removed.length, added: h.added.length, ...(scope ? { scope } : {}) };
  };

  it('names the function a hunk is in', () => {
    const before = 'const x = 1;\n\nfunction greet(name) {\n  const hi = "hi";\n  return hi + name;\n}\n';
    const after = 'const x = 1;\n\nfunction greet(name) {\n  const hi = "hello";\n  const sep = ", ";\n  const end = "!";\n  return hi + sep + name + end;\n}\n';
    assert.equal(hunkWords(hunk(before, after)), '+4 −2 in greet()');
  });

  it('names a method, a Python def and an arrow function', () => {
    const method = 'class Greeter {\n  greet(name: string): string {\n    return name;\n  }\n}\n';
    assert.equal(hunkWords(hunk(method, method.replace('return name;', 'return `hi ${name}`;'))), '+1 −1 in greet()');
    const py = 'class Greeter:\n    def greet(self, name):\n        if name:\n            return name\n';
    assert.equal(hunkWords(hunk(py, py.replace('return name', 'return "hi " + name'))), '+1 −1 in greet()');
    const arrow = 'export const greet = (name) => {\n  return name;\n};\n';
    assert.equal(hunkWords(hunk(arrow, arrow.replace('return name;', 'return name.trim();'))), '+1 −1 in greet()');
  });

  it('says the line when nothing encloses the hunk', () => {
    const before = 'a = 1\nb = 2\nc = 3\n';
    assert.equal(hunkWords(hunk(before, 'a = 1\nb = 20\nc = 3\n')), '+1 −1 at line 2');
  });

  it('does not name a function that ended above the hunk', () => {
    const before = 'function a() {\n  return 1;\n}\nconst b = 2;\n';
    assert.equal(hunkWords(hunk(before, before.replace('const b = 2;', 'const b = 3;'))), '+1 −1 at line 4');
  });

  it('a deletion only says what it removes', () => {
    const before = 'function greet() {\n  one();\n  two();\n  three();\n}\n';
    assert.equal(hunkWords(hunk(before, 'function greet() {\n  three();\n}\n')), '−2 in greet()');
  });

  it('a new file says so, with its length', () => {
    const h = hunksOf('', 'a\nb\nc\n')[0]!;
    assert.equal(hunkWords({ index: 0, line: 0, removed: 0, added: h.added.length }, { created: true }), 'new file, 3 lines');
  });
});
