// SKILL.md as the Agent Skills specification writes it: YAML front matter between two `---`
// lines, then the Markdown body. The front matter is checked by zod; every failure becomes a
// problem that names the field and says what to write (ERR_SCHEMA_INVALID).
import { frontMatterBlock, parseYaml } from '../frontMatter';
import * as z from 'zod';
import type { SkillProblem } from '../protocol';

/** Lowercase letters and digits in runs joined by single hyphens (no leading, trailing or double hyphen). */
export const SKILL_NAME = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;

export const FrontMatter = z.object({
  name: z.string().min(1).max(64).regex(SKILL_NAME),
  description: z.string().trim().min(1).max(1024),
  license: z.string().optional(),
  compatibility: z.string().min(1).max(500).optional(),
  metadata: z.record(z.string(), z.unknown()).optional(),
  'allowed-tools': z.union([z.string(), z.array(z.string())]).optional(),
}).loose(); // other clients' keys (argument-hint, model…) are theirs: ignored, never refused
export type FrontMatter = z.infer<typeof FrontMatter>;

/** What to write, per front-matter field, said after what is wrong. */
const FIX: Record<string, (folder: string) => string> = {
  name: (folder) => `write name: ${folder} (lowercase letters, digits and single hyphens, at most 64 characters, the same as the skill's folder name)`,
  description: () => 'write description: what the skill does and when to use it, 1 to 1024 characters',
  license: () => 'write license: a license name (MIT) or the bundled file (Complete terms in LICENSE.txt)',
  compatibility: () => 'write compatibility: the environment it needs, 1 to 500 characters, or leave it out',
  metadata: () => 'write metadata: a mapping of keys to values',
  'allowed-tools': () => 'write allowed-tools: tool names separated by spaces, e.g. "read_file run_command"',
};

export interface ParsedSkillFile {
  frontMatter: FrontMatter;
  body: string;
}

export const schemaProblem = (field: string, message: string): SkillProblem => ({ code: 'ERR_SCHEMA_INVALID', field, message });

/** What is wrong with a value, from a zod issue: "is missing", "expected string, received number"… */
export function issueText(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_type' && /received undefined/.test(issue.message)) return 'is missing';
  if (issue.code === 'unrecognized_keys') return `has keys it does not know (${issue.keys.join(', ')})`;
  return issue.message.replace(/^Invalid (input|option): /, '').replace(/^Too (big|small): /, '');
}

/** Splits and checks SKILL.md; `folder` is the skill folder's name, which `name` must equal. */
export function parseSkillFile(text: string, folder: string): { ok: true; parsed: ParsedSkillFile } | { ok: false; problems: SkillProblem[] } {
  const block = frontMatterBlock(text);
  if (!block) {
    return { ok: false, problems: [schemaProblem('SKILL.md', 'SKILL.md does not start with YAML front matter: write a first line ---, then name: and description:, then a line ---, then the instructions')] };
  }
  let raw: unknown;
  try {
    raw = parseYaml(block.yaml);
  } catch (err) {
    const first = (err as Error).message.split('\n')[0];
    return { ok: false, problems: [schemaProblem('SKILL.md', `the front matter is not valid YAML (${first}): fix the YAML between the two --- lines`)] };
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { ok: false, problems: [schemaProblem('SKILL.md', 'the front matter is not a mapping: write name: and description: lines between the two --- lines')] };
  }
  const parsed = FrontMatter.safeParse(raw);
  const problems: SkillProblem[] = [];
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path.map(String).join('.') || 'SKILL.md';
      const key = String(issue.path[0] ?? '');
      problems.push(schemaProblem(field, `${field} ${issueText(issue)}: ${(FIX[key] ?? (() => 'see docs/skills.md'))(folder)}`));
    }
    return { ok: false, problems };
  }
  if (parsed.data.name !== folder) {
    problems.push(schemaProblem('name', `name is ${JSON.stringify(parsed.data.name)} but the folder is ${JSON.stringify(folder)}: ${FIX.name!(folder)}, or rename the folder`));
    return { ok: false, problems };
  }
  return { ok: true, parsed: { frontMatter: parsed.data, body: block.body.replace(/^\s*\n/, '') } };
}

/** Claude Code's tool names, and what they are in Torbit; a `Bash(git:*)` pattern counts as its tool. */
const TOOL_ALIASES: Record<string, string> = {
  Read: 'read_file', Write: 'write_file', Edit: 'edit_file', MultiEdit: 'edit_file', Bash: 'run_command', Grep: 'search', Glob: 'list_files', LS: 'list_files',
};

/**
 * allowed-tools as Torbit tool names (of `known`), or null when the skill names none. A name
 * Torbit does not have is dropped: allowed-tools narrows the tools offered, it cannot add one.
 */
export function allowedToolsOf(fm: FrontMatter, known: readonly string[]): string[] | null {
  const v = fm['allowed-tools'];
  if (v === undefined) return null;
  const tokens = (Array.isArray(v) ? v : v.split(/[\s,]+/)).map((t) => t.trim()).filter(Boolean);
  const out = new Set<string>();
  for (const t of tokens) {
    const base = t.replace(/\(.*$/, '');
    const name = known.includes(base) ? base : TOOL_ALIASES[base];
    if (name && known.includes(name)) out.add(name);
  }
  return [...out];
}
