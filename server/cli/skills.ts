// `torbit skills list | check [PATH]`: the Agent Skills of the workspace in the current directory
// and the person's own, as the chat finds them, with the loader's codes for the invalid ones.
// Reads and checks files only: no database, nothing run.
import * as fs from 'node:fs';
import { ALL_TOOLS } from '../agent/tools';
import type { SkillView } from '../protocol';
import { discoverSkills, namedRoots, skillsAt, userSkillsDir } from '../skills/discover';
import type { Command } from './commands';
import { EXIT } from './exitCodes';
import { UsageError } from './settings';

/** Some skill checked is invalid (EXIT.skillsInvalid); the codes were printed. */
export class SkillsInvalid extends Error {}

const TOOLS = ALL_TOOLS.map((t) => t.name);

function permissions(v: SkillView): string {
  const c = v.contract;
  if (!c) return v.valid ? 'no contract' : '';
  const cmds = c.permissions.commands.map((x) => `[${x.join(' ')}]`).join(' ');
  return `contract v${c.version}: ${c.permissions.categories.join(',') || 'nothing'}${cmds ? ` ${cmds}` : ''}; ${c.limits.maxSeconds} s, ${c.limits.maxMemoryMB} MB${c.sideEffects.length ? `; side effects ${c.sideEffects.join(',')}` : ''}`;
}

export function describeSkill(v: SkillView): string[] {
  const head = `${v.valid ? 'valid  ' : 'INVALID'}  ${v.name.padEnd(24)} ${v.path}${v.shadowedBy ? `  (shadowed by ${v.shadowedBy})` : ''}`;
  const lines = [head];
  if (v.valid) lines.push(`         sha256 ${v.sha256}  ${permissions(v)}${v.allowedTools ? `; allowed-tools ${v.allowedTools.join(' ') || '(none Torbit has)'}` : ''}`);
  for (const p of v.problems) lines.push(`         ${p.code}  ${p.message}`);
  return lines;
}

export const skillsCommand: Command = {
  summary: 'Agent Skills: list those the chat finds, or check one skill (or all) against the specification and its Torbit contract',
  usage: 'torbit skills list [--json] | check [PATH] [--json]',
  positionals: true,
  options: { json: { type: 'boolean' }, verbose: { type: 'boolean' } },
  optionHelp: [
    ['--json', 'print the skills as JSON (source folder, valid or not with the codes, permissions, sha256)'],
    ['--verbose', 'accepted for symmetry; nothing is logged'],
  ],
  extraHelp: [
    'Skills come from .agents/skills/, .claude/skills/, .github/skills/ and .torbit/skills/ of the workspace, and ~/.agents/skills/.',
    'check PATH: a skill folder (or its SKILL.md), or a folder of skill folders; without PATH, every skill found.',
    'Codes: ERR_SCHEMA_INVALID, ERR_CONTRACT_UNSUPPORTED_VERSION, ERR_RUNTIME_UNPINNED, ERR_FINGERPRINT_INCOMPLETE,',
    'ERR_PERMISSION_UNDECLARED, ERR_SIDE_EFFECT_UNDECLARED (docs/skills.md says what each means and what to write).',
  ],
  exits: [['ok', 'listed; or every skill checked is valid'], ['usage', 'no or an unknown action, PATH with list, a PATH that does not exist'], ['skillsInvalid', 'check: a skill is invalid (each code is printed)']],
  run(values, io, positionals = []) {
    const [action, target, ...extra] = positionals;
    if (action !== 'list' && action !== 'check') throw new UsageError('skills needs list or check');
    if (extra.length || (action === 'list' && target !== undefined)) throw new UsageError(`unexpected argument ${extra[0] ?? target}`);
    if (target !== undefined && !fs.existsSync(target)) throw new UsageError(`${target} does not exist`);
    const root = fs.realpathSync(io.cwd);
    const views = (target !== undefined
      ? skillsAt(target, TOOLS)
      : discoverSkills({ roots: namedRoots([root]), userDir: userSkillsDir(io.env), includeWorkspace: true, knownTools: TOOLS })).map((s) => s.view);
    if (values.json) io.out(JSON.stringify({ skills: views }, null, 2));
    else io.out(views.length ? views.flatMap(describeSkill).join('\n') : 'no skills found (looked in .agents/skills, .claude/skills, .github/skills, .torbit/skills and ~/.agents/skills)');
    const invalid = views.filter((v) => !v.valid);
    if (action === 'check' && invalid.length) {
      throw new SkillsInvalid(`${invalid.length} of ${views.length} skill(s) invalid: ${invalid.map((v) => `${v.name} (${[...new Set(v.problems.map((p) => p.code))].join(', ')})`).join('; ')}`);
    }
    return Promise.resolve(EXIT.ok);
  },
};
