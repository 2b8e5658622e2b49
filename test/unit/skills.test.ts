// Agent Skills: the front matter against the specification (every error), each contract code
// with a fixture skill that triggers exactly it, discovery order and shadowing, and what a
// contract in use holds a turn to (checked before the policy).
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Workspace } from '../../server/agent/workspace';
import type { Proposal } from '../../server/agent/tools/spec';
import { SKILL_CODES } from '../../server/protocol';
import { checkContract } from '../../server/skills/contract';
import { discoverSkills, skillsAt, type Skill } from '../../server/skills/discover';
import { allowedToolsOf, parseSkillFile } from '../../server/skills/frontMatter';
import { limitedSpawn } from '../../server/skills/limits';
import { SkillSession } from '../../server/skills/session';
import { sha256, tmpDir } from '../support/tmp';

const FIXTURES = path.join(__dirname, '../fixtures/skills');
const TOOLS = ['read_file', 'list_files', 'search', 'write_file', 'edit_file', 'run_command', 'git_status', 'git_diff', 'use_skill'];

const fm = (lines: string) => `---\n${lines}\n---\n# Body\n\nDo the thing.\n`;

/** A skill folder `name` under `base`, with SKILL.md `text` and optional other files. */
function writeSkill(base: string, name: string, text: string, files: Record<string, string> = {}): string {
  const dir = path.join(base, name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'SKILL.md'), text);
  for (const [rel, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), content);
  }
  return dir;
}

describe('Agent Skills: front matter (the specification)', () => {
  const problemsOf = (text: string, folder = 'pdf-report') => {
    const r = parseSkillFile(text, folder);
    return r.ok ? [] : r.problems;
  };

  it('accepts the minimal skill and the optional fields, and ignores other clients\' keys', () => {
    const r = parseSkillFile(fm('name: pdf-report\ndescription: Makes PDF reports. Use it for reports.'), 'pdf-report');
    assert.ok(r.ok);
    assert.equal(r.parsed.body, '# Body\n\nDo the thing.\n');
    const full = parseSkillFile(fm([
      'name: pdf-report', 'description: Makes PDF reports.', 'license: MIT', 'compatibility: needs python3',
      'metadata:', '  author: someone', '  version: "1.0"', 'allowed-tools: Read Bash(git:*) run_command', 'argument-hint: "[file]"',
    ].join('\n')), 'pdf-report');
    assert.ok(full.ok);
    assert.deepEqual(allowedToolsOf(full.parsed.frontMatter, TOOLS), ['read_file', 'run_command']);
  });

  // Every way the front matter can be wrong: each is ERR_SCHEMA_INVALID on the field, saying what to write.
  const cases: [string, string, string, RegExp][] = [
    ['no front matter', '# Just markdown\n', 'SKILL.md', /does not start with YAML front matter: write a first line ---/],
    ['unterminated front matter', '---\nname: pdf-report\ndescription: x\n', 'SKILL.md', /does not start with YAML front matter/],
    ['invalid YAML', fm('name: pdf-report\ndescription: [unclosed'), 'SKILL.md', /not valid YAML .*fix the YAML/],
    ['a list, not a mapping', fm('- name\n- description'), 'SKILL.md', /not a mapping: write name: and description:/],
    ['name missing', fm('description: Makes reports.'), 'name', /name is missing: write name: pdf-report/],
    ['name not a string', fm('name: 12\ndescription: Makes reports.'), 'name', /name expected string.*write name: pdf-report/],
    ['name too long', fm(`name: ${'a'.repeat(65)}\ndescription: Makes reports.`), 'name', /at most 64 characters/],
    ['name with capitals', fm('name: PDF-Report\ndescription: Makes reports.'), 'name', /lowercase letters, digits and single hyphens/],
    ['name with an underscore', fm('name: pdf_report\ndescription: Makes reports.'), 'name', /lowercase letters/],
    ['name starting with a hyphen', fm('name: -pdf\ndescription: Makes reports.'), 'name', /single hyphens/],
    ['name with a double hyphen', fm('name: pdf--report\ndescription: Makes reports.'), 'name', /single hyphens/],
    ['name not the folder\'s', fm('name: other-name\ndescription: Makes reports.'), 'name', /name is "other-name" but the folder is "pdf-report": write name: pdf-report/],
    ['description missing', fm('name: pdf-report'), 'description', /description is missing: write description: what the skill does and when to use it/],
    ['description empty', fm('name: pdf-report\ndescription: "  "'), 'description', /1 to 1024 characters/],
    ['description too long', fm(`name: pdf-report\ndescription: ${'x'.repeat(1025)}`), 'description', /1 to 1024 characters/],
    ['compatibility too long', fm(`name: pdf-report\ndescription: d\ncompatibility: ${'x'.repeat(501)}`), 'compatibility', /1 to 500 characters/],
    ['license not a string', fm('name: pdf-report\ndescription: d\nlicense: [MIT]'), 'license', /write license:/],
    ['metadata not a mapping', fm('name: pdf-report\ndescription: d\nmetadata: [a, b]'), 'metadata', /write metadata: a mapping/],
    ['allowed-tools not a list of names', fm('name: pdf-report\ndescription: d\nallowed-tools: 3'), 'allowed-tools', /tool names separated by spaces/],
  ];
  for (const [what, text, field, message] of cases) {
    it(`refuses ${what} (ERR_SCHEMA_INVALID on ${field})`, () => {
      const problems = problemsOf(text);
      assert.ok(problems.length >= 1, 'no problem found');
      assert.ok(problems.every((p) => p.code === 'ERR_SCHEMA_INVALID'), JSON.stringify(problems));
      const p = problems.find((x) => x.field === field);
      assert.ok(p, `no problem on ${field}: ${JSON.stringify(problems)}`);
      assert.match(p.message, message);
    });
  }

  it('allowed-tools keeps only tools Torbit has: it narrows, it cannot add', () => {
    const r = parseSkillFile(fm('name: a\ndescription: d\nallowed-tools: WebFetch Bash(npm:*) nuke_everything'), 'a');
    assert.ok(r.ok);
    assert.deepEqual(allowedToolsOf(r.parsed.frontMatter, TOOLS), ['run_command']);
    const none = parseSkillFile(fm('name: a\ndescription: d'), 'a');
    assert.ok(none.ok);
    assert.equal(allowedToolsOf(none.parsed.frontMatter, TOOLS), null);
  });
});

describe('Agent Skills: contract codes (a fixture skill for each, triggering exactly it)', () => {
  const checked = skillsAt(path.join(FIXTURES, 'contracts'), TOOLS);
  const byName = new Map(checked.map((s) => [s.view.name, s]));

  it('the valid fixture passes with its contract', () => {
    const good = byName.get('good-count')!;
    assert.equal(good.view.valid, true, JSON.stringify(good.view.problems));
    assert.deepEqual(good.view.contract?.permissions, { categories: ['read', 'command'], commands: [['node', 'scripts/count.js']] });
    assert.deepEqual(good.view.contract?.limits, { maxSeconds: 30, maxMemoryMB: 1024 });
    assert.equal(good.view.contract?.scripts[0]!.sha256, sha256(path.join(FIXTURES, 'contracts/good-count/scripts/count.js')));
    assert.equal(good.view.sha256, sha256(path.join(FIXTURES, 'contracts/good-count/SKILL.md')));
  });

  for (const code of SKILL_CODES) {
    const name = code.toLowerCase().replace(/_/g, '-');
    it(`${name} gives ${code} and nothing else, naming the field and what to write`, () => {
      const s = byName.get(name);
      assert.ok(s, `no fixture ${name}`);
      assert.equal(s.view.valid, false);
      assert.deepEqual([...new Set(s.view.problems.map((p) => p.code))], [code], JSON.stringify(s.view.problems));
      for (const p of s.view.problems) {
        assert.match(p.field, /^metadata\.torbit/);
        assert.ok(p.message.startsWith(p.field), `the message names its field: ${p.message}`);
        assert.match(p.message, /write|add/, 'the message says what to write');
      }
    });
  }

  const dir = () => {
    const d = tmpDir('torbit-skill-');
    fs.mkdirSync(path.join(d, 'scripts'));
    fs.writeFileSync(path.join(d, 'scripts/a.py'), 'print(1)\n');
    return d;
  };
  const contract = (d: string, over: Record<string, unknown> = {}) => ({
    contract: 1, permissions: { categories: ['command'], commands: [['python3', 'scripts/a.py']] }, sideEffects: [],
    scripts: [{ path: 'scripts/a.py', sha256: sha256(path.join(d, 'scripts/a.py')), runtime: { name: 'python', version: '3.12' }, run: ['python3', 'scripts/a.py'] }],
    limits: { maxSeconds: 10, maxMemoryMB: 256 }, ...over,
  });
  const codes = (r: ReturnType<typeof checkContract>) => [...new Set(r.problems.map((p) => p.code))];

  it('each script file must be listed with its sha256: an unlisted file, a missing hash, a missing file', () => {
    const d = dir();
    assert.deepEqual(checkContract(contract(d), d).problems, []);
    fs.writeFileSync(path.join(d, 'scripts/helper.py'), 'x = 1\n');
    const unlisted = checkContract(contract(d), d);
    assert.deepEqual(codes(unlisted), ['ERR_FINGERPRINT_INCOMPLETE']);
    assert.match(unlisted.problems[0]!.message, new RegExp(`scripts/helper.py is in scripts/ but not listed.*${sha256(path.join(d, 'scripts/helper.py'))}`));
    fs.rmSync(path.join(d, 'scripts/helper.py'));
    const c = contract(d);
    delete (c.scripts[0] as { sha256?: string }).sha256;
    assert.match(checkContract(c, d).problems[0]!.message, /has no sha256: review the script, then write sha256: "[0-9a-f]{64}"/);
    const listed = contract(d);
    fs.rmSync(path.join(d, 'scripts/a.py'));
    assert.match(checkContract(listed, d).problems[0]!.message, /scripts\/a\.py is listed but is not there/);
  });

  it('a symbolic link among the scripts cannot be fingerprinted', () => {
    const d = dir();
    fs.symlinkSync('/etc/hostname', path.join(d, 'scripts/link'));
    const r = checkContract(contract(d), d);
    assert.deepEqual(codes(r), ['ERR_FINGERPRINT_INCOMPLETE']);
    assert.match(r.problems[0]!.message, /scripts\/link is a symbolic link/);
  });

  it('commands, network and writes need their permission categories', () => {
    const d = dir();
    const noCommand = checkContract(contract(d, { permissions: { categories: ['read'], commands: [['python3', 'scripts/a.py']] } }), d);
    assert.deepEqual(codes(noCommand), ['ERR_PERMISSION_UNDECLARED']);
    assert.match(noCommand.problems[0]!.message, /add command to metadata\.torbit\.permissions\.categories/);
    assert.deepEqual(codes(checkContract(contract(d, { sideEffects: ['network'] }), d)), ['ERR_PERMISSION_UNDECLARED']);
    assert.deepEqual(codes(checkContract(contract(d, { sideEffects: ['writes-files'] }), d)), ['ERR_PERMISSION_UNDECLARED']);
    assert.deepEqual(checkContract(contract(d, { sideEffects: ['network'], permissions: { categories: ['command', 'network'], commands: [['python3', 'scripts/a.py']] } }), d).problems, []);
  });

  it('a pinned version is major.minor or major.minor.patch; a range, a tag or a bare major is not', () => {
    const d = dir();
    for (const [v, ok] of [['3.12', true], ['3.12.4', true], [3.12, true], ['3', false], ['latest', false], ['^3.12', false], ['3.x', false], ['>=3.10', false]] as const) {
      const c = contract(d);
      c.scripts[0]!.runtime = { name: 'python', version: v as string };
      assert.deepEqual(codes(checkContract(c, d)), ok ? [] : ['ERR_RUNTIME_UNPINNED'], String(v));
    }
  });

  it('reads the block written as a string (the specification\'s metadata values are strings), and refuses a bad one', () => {
    const d = dir();
    assert.deepEqual(checkContract(JSON.stringify(contract(d)), d).problems, []);
    assert.deepEqual(codes(checkContract('{ not: [valid', d)), ['ERR_SCHEMA_INVALID']);
    assert.deepEqual(codes(checkContract({ ...contract(d), extra: 1 }, d)), ['ERR_SCHEMA_INVALID']);
    assert.deepEqual(codes(checkContract({ permissions: {} }, d)), ['ERR_CONTRACT_UNSUPPORTED_VERSION']);
  });
});

describe('Agent Skills: discovery', () => {
  it('reads the four workspace sources and the person\'s own, the person\'s first; a later skill of a name taken is shadowed', () => {
    const ws = tmpDir();
    const home = tmpDir();
    const user = path.join(home, '.agents/skills');
    writeSkill(user, 'deploy', fm('name: deploy\ndescription: The person\'s own deploy.'));
    writeSkill(path.join(ws, '.agents/skills'), 'deploy', fm('name: deploy\ndescription: The repository\'s deploy.'));
    writeSkill(path.join(ws, '.agents/skills'), 'lint', fm('name: lint\ndescription: Lints.'));
    writeSkill(path.join(ws, '.claude/skills'), 'review', fm('name: review\ndescription: Reviews.'));
    writeSkill(path.join(ws, '.github/skills'), 'triage', fm('name: triage\ndescription: Triages.'));
    writeSkill(path.join(ws, '.torbit/skills'), 'broken', fm('name: Broken\ndescription: x'));
    fs.mkdirSync(path.join(ws, '.torbit/skills/empty'));
    const found = discoverSkills({ roots: [{ name: 'ws', path: ws }], userDir: user, includeWorkspace: true, knownTools: TOOLS });
    assert.deepEqual(found.map((s) => `${s.view.source}:${s.view.name}:${s.view.valid ? 'ok' : s.view.problems[0]!.code}`), [
      '~/.agents/skills:deploy:ok', '.agents/skills:deploy:ok', '.agents/skills:lint:ok', '.claude/skills:review:ok', '.github/skills:triage:ok',
      '.torbit/skills:broken:ERR_SCHEMA_INVALID', '.torbit/skills:empty:ERR_SCHEMA_INVALID',
    ]);
    assert.equal(found[1]!.view.shadowedBy, '~/.agents/skills/deploy/SKILL.md');
    assert.equal(found[1]!.view.path, '.agents/skills/deploy/SKILL.md');
    const session = new SkillSession({ discover: { roots: [{ name: 'ws', path: ws }], userDir: user, includeWorkspace: true, knownTools: TOOLS } });
    assert.deepEqual(session.index(), [
      { name: 'deploy', description: 'The person\'s own deploy.' }, { name: 'lint', description: 'Lints.' },
      { name: 'review', description: 'Reviews.' }, { name: 'triage', description: 'Triages.' },
    ]);
    // Restricted mode: the repository's skills are not loaded.
    const restricted = discoverSkills({ roots: [{ name: 'ws', path: ws }], userDir: user, includeWorkspace: false, knownTools: TOOLS });
    assert.deepEqual(restricted.map((s) => s.view.name), ['deploy']);
  });

  it('names a skill\'s files by folder in a multi-root workspace', () => {
    const a = tmpDir();
    const b = tmpDir();
    writeSkill(path.join(b, '.agents/skills'), 'lint', fm('name: lint\ndescription: Lints.'));
    const found = discoverSkills({ roots: [{ name: 'a', path: a }, { name: 'b', path: b }], userDir: null, includeWorkspace: true, knownTools: TOOLS });
    assert.deepEqual(found.map((s) => [s.view.path, s.view.folder]), [['b/.agents/skills/lint/SKILL.md', b]]);
  });
});

describe('Agent Skills: a contract in use (before the policy)', () => {
  let ws: string;
  let user: string;
  let session: SkillSession;
  let workspace: Workspace;
  const allow = () => 'allow' as const;
  const command = async (argv: string[], cwd = '.'): Promise<Proposal> => ({ kind: 'command', argv, cwd: await workspace.resolve(cwd) });

  beforeEach(async () => {
    ws = tmpDir();
    user = path.join(tmpDir(), '.agents/skills');
    fs.cpSync(path.join(FIXTURES, 'contracts/good-count'), path.join(ws, '.agents/skills/good-count'), { recursive: true });
    writeSkill(path.join(ws, '.agents/skills'), 'plain', fm('name: plain\ndescription: No contract.\nallowed-tools: read_file'));
    writeSkill(user, 'mine', fm('name: mine\ndescription: The person\'s.'), { 'references/guide.md': 'guide\n' });
    workspace = await Workspace.open([ws]);
    session = new SkillSession({ discover: { roots: workspace.roots, userDir: user, includeWorkspace: true, knownTools: TOOLS } });
    workspace = workspace.withReadOnly(() => session.readOnlyRoots());
  });

  it('before use_skill, a contract skill\'s script is refused; anything else goes to the policy', async () => {
    assert.match(session.check({ tool: 'run_command', proposal: await command(['node', '.agents/skills/good-count/scripts/count.js', 'a']) }, allow) ?? '',
      /runs a script of the skill good-count, which has a contract: call use_skill good-count first/);
    assert.equal(session.check({ tool: 'run_command', proposal: await command(['npm', 'test']) }, allow), undefined);
  });

  it('in use, only its declared commands and categories pass; its own files are readable', async () => {
    session.use('good-count', 't1');
    const script = '.agents/skills/good-count/scripts/count.js';
    assert.equal(session.check({ tool: 'run_command', proposal: await command(['node', script, 'README.md']) }, allow), undefined);
    // The same file named from another working directory is the same script.
    fs.mkdirSync(path.join(ws, 'sub'));
    assert.equal(session.check({ tool: 'run_command', proposal: await command(['node', `../${script}`], 'sub') }, allow), undefined);
    assert.match(session.check({ tool: 'run_command', proposal: await command(['rm', '-rf', 'build']) }, allow) ?? '',
      /\[rm -rf build\] is not among the commands the skill\(s\) good-count declare \(\[node scripts\/count\.js\]\)/);
    assert.match(session.check({ tool: 'run_command', proposal: await command(['node', '-e', 'evil()']) }, allow) ?? '', /not among the commands/);
    const edit: Proposal = { kind: 'edit', change: { target: await workspace.resolve('a.txt'), before: null, after: 'x', tool: 'write_file', toolCallId: 'c' } };
    assert.match(session.check({ tool: 'write_file', proposal: edit }, allow) ?? '', /editing is outside their declared permissions \(read, command\)/);
    assert.equal(session.check({ tool: 'read_file', proposal: { kind: 'read', path: 'src/x.ts' } }, allow), undefined);
    // Its script changed after it was loaded: refused, and refused again just before running.
    fs.appendFileSync(path.join(ws, script), '\nrequire("child_process").execSync("curl evil")\n');
    assert.match(session.check({ tool: 'run_command', proposal: await command(['node', script]) }, allow) ?? '', /changed since it was loaded/);
    assert.throws(() => session.prepare(['node', script], ws), /changed since it was loaded/);
  });

  it('hands its limits to the command; a declared permission never overrides a policy that denies network', async () => {
    const script = 'console.log(1)\n';
    writeSkill(path.join(ws, '.agents/skills'), 'fetcher', fm([
      'name: fetcher', 'description: Fetches.', 'metadata:', '  torbit:', '    contract: 1',
      '    permissions: { categories: [command, network], commands: [[node, scripts/get.js]] }', '    sideEffects: [network]',
      `    scripts: [{ path: scripts/get.js, sha256: "${createHash('sha256').update(script).digest('hex')}", runtime: { name: node, version: "22.11" }, run: [node, scripts/get.js], sideEffects: [network] }]`,
      '    limits: { maxSeconds: 5, maxMemoryMB: 2048 }',
    ].join('\n')), { 'scripts/get.js': script });
    const fresh = new SkillSession({ discover: { roots: workspace.roots, userDir: user, includeWorkspace: true, knownTools: TOOLS } });
    fresh.use('fetcher', 't0');
    const get = await command(['node', '.agents/skills/fetcher/scripts/get.js']);
    assert.equal(fresh.check({ tool: 'run_command', proposal: get }, () => 'ask'), undefined, 'an ask goes on to the policy, which asks');
    assert.match(fresh.check({ tool: 'run_command', proposal: get }, () => 'deny') ?? '', /declare network, and the policy denies network/);
    session.use('good-count', 't1');
    const limits = session.prepare(['node', '.agents/skills/good-count/scripts/count.js', 'x'], ws);
    assert.deepEqual(limits, { skills: ['good-count'], timeoutMs: 30_000, memoryMB: 1024, node: true });
    const spawned = limitedSpawn('node', ['x'], { PATH: '/bin' }, limits);
    assert.equal(spawned.command, '/bin/sh');
    assert.deepEqual(spawned.args.slice(2), ['torbit-skill-limit', String(1024 * 1024), 'node', 'x']);
    assert.match(spawned.env.NODE_OPTIONS ?? '', /--max-old-space-size=768/);
    assert.deepEqual(limitedSpawn('node', ['x'], {}, undefined), { command: 'node', args: ['x'], env: {} });
  });

  it('allowed-tools narrows the tools offered and refuses the others; it never adds one', async () => {
    const offered = ['read_file', 'write_file', 'run_command', 'use_skill'];
    assert.equal(session.activeTools(offered), undefined);
    session.use('plain', 't1');
    assert.deepEqual(session.activeTools(offered), ['read_file', 'use_skill']);
    assert.deepEqual(session.activeTools(['write_file']), []);
    assert.match(session.check({ tool: 'run_command', proposal: await command(['ls']) }, allow) ?? '', /run_command is not among the allowed-tools of the skill\(s\) in use \(plain\)/);
    assert.equal(session.check({ tool: 'use_skill', proposal: { kind: 'read', path: '.agents/skills/good-count/SKILL.md' } }, allow), undefined);
  });

  it('the person\'s own skill is readable through read_file\'s paths while in use, never through resolve, and never outside its folder', async () => {
    await assert.rejects(workspace.resolveReadable('~/.agents/skills/mine/references/guide.md'), /absolute path/);
    session.use('mine', 't1');
    const r = await workspace.resolveReadable('~/.agents/skills/mine/references/guide.md');
    assert.equal(r.abs, path.join(fs.realpathSync(user), 'mine/references/guide.md'));
    assert.equal(r.display, '~/.agents/skills/mine/references/guide.md');
    assert.equal(r.readOnly, true);
    // Writing and running tools resolve through resolve(): the folder is not theirs.
    await assert.rejects(workspace.resolve('~/.agents/skills/mine/references/guide.md'), /absolute path/);
    await assert.rejects(workspace.resolveReadable('~/.agents/skills/mine/../other/x'), /outside ~\/\.agents\/skills\/mine/);
    fs.symlinkSync('/etc', path.join(user, 'mine/etc'));
    await assert.rejects(workspace.resolveReadable('~/.agents/skills/mine/etc/hostname'), /leads outside ~\/\.agents\/skills\/mine through a symbolic link/);
    // Only the skill in use: another of the person's skills is not reachable.
    writeSkill(user, 'other', fm('name: other\ndescription: o'));
    await assert.rejects(workspace.resolveReadable('~/.agents/skills/other/SKILL.md'), /absolute path/);
  });

  it('use_skill refuses an unknown or invalid skill, naming the codes', () => {
    assert.throws(() => session.use('nope', 't'), /there is no skill "nope"; the skills are: mine, good-count, plain/);
    fs.appendFileSync(path.join(ws, '.agents/skills/good-count/scripts/count.js'), '// changed\n');
    assert.throws(() => session.use('good-count', 't'), /the skill good-count is invalid and was not loaded: ERR_FINGERPRINT_INCOMPLETE/);
    assert.deepEqual(session.inUse(), []);
  });
});

describe('Agent Skills: real content', () => {
  it('the skills kept from anthropics/skills validate and load, body and all', () => {
    const real: Skill[] = skillsAt(path.join(FIXTURES, 'real'), TOOLS);
    assert.deepEqual(real.map((s) => [s.view.name, s.view.valid, s.view.problems]), [
      ['brand-guidelines', true, []], ['internal-comms', true, []], ['webapp-testing', true, []],
    ]);
    for (const s of real) {
      assert.ok(fs.existsSync(path.join(s.dir, 'LICENSE.txt')), `${s.view.name} keeps its license`);
      assert.match(s.view.description ?? '', /\w{10,}/);
      assert.ok((s.body ?? '').length > 200);
      assert.equal(s.view.contract, null);
    }
    assert.match(real[2]!.body ?? '', /scripts\/with_server\.py/);
  });
});
