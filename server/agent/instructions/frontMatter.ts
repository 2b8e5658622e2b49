// The front matter of a `.torbit/rules/*.md` rule (Copilot's `*.instructions.md` convention):
// `applyTo: <globs>` says which files it is for. Only the small YAML subset such front matter uses
// is read (`key: value`, quoted values, `[a, b]` and `- item` lists); anything else is an error that
// names the line, and a rule with an error is left out (and named in the chat), nothing more.
import * as path from 'node:path';
import { Minimatch } from 'minimatch';
import * as z from 'zod';
import { describeZodError } from '../../protocol';

type Value = string | string[];

export type FrontMatterResult =
  | { ok: true; data: Record<string, Value>; body: string }
  | { ok: false; error: string };

const unquote = (v: string): string => {
  const m = /^(["'])(.*)\1$/.exec(v);
  return m ? m[2]! : v;
};

/** Splits `---` front matter from the body; a file without any has an empty record. */
export function splitFrontMatter(text: string): FrontMatterResult {
  const lines = text.split('\n');
  if (lines[0]?.trim() !== '---') return { ok: true, data: {}, body: text };
  const end = lines.findIndex((l, i) => i > 0 && l.trim() === '---');
  if (end < 0) return { ok: false, error: 'front matter: the opening --- line has no closing --- line' };
  const data: Record<string, Value> = {};
  let list: string[] | undefined;
  for (let i = 1; i < end; i++) {
    const line = lines[i]!;
    if (!line.trim() || line.trim().startsWith('#')) continue;
    const item = /^\s+-\s*(.*)$/.exec(line) ?? /^-\s+(.*)$/.exec(line);
    if (item && list) {
      list.push(unquote(item[1]!.trim()));
      continue;
    }
    const kv = /^([A-Za-z_][\w-]*)\s*:\s*(.*)$/.exec(line);
    if (!kv) return { ok: false, error: `front matter: line ${i + 1}: expected "key: value", got ${JSON.stringify(line.trim().slice(0, 80))}` };
    const [, key, raw] = kv as unknown as [string, string, string];
    if (key in data) return { ok: false, error: `front matter: line ${i + 1}: ${key} is given twice` };
    const v = raw.trim();
    if (v === '') {
      list = [];
      data[key] = list;
    } else if (v.startsWith('[')) {
      if (!v.endsWith(']')) return { ok: false, error: `front matter: line ${i + 1}: the list of ${key} has no closing ]` };
      data[key] = v.slice(1, -1).split(',').map((s) => unquote(s.trim())).filter(Boolean);
      list = undefined;
    } else {
      data[key] = unquote(v);
      list = undefined;
    }
  }
  return { ok: true, data, body: lines.slice(end + 1).join('\n').replace(/^\n+/, '') };
}

/** A glob relative to the workspace folder: not absolute, no `..` (it could only ever match nothing). */
const Glob = z.string().trim().min(1, 'a glob is empty')
  .refine((g) => !path.posix.isAbsolute(g) && !/^[a-zA-Z]:/.test(g), 'a glob is absolute: write it relative to the workspace folder, e.g. src/**/*.ts')
  .refine((g) => !g.split('/').includes('..'), 'a glob climbs out with ..');

/** What a rule's front matter may say; other keys (description, and those of other tools) are ignored. */
export const RuleFrontMatter = z.object({
  applyTo: z.union([z.string(), z.array(z.string())], { error: 'applyTo must be a glob, comma-separated globs, or a list of globs' })
    .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((g) => g.trim()).filter(Boolean))
    .pipe(z.array(Glob).min(1, 'applyTo names no glob: give one (e.g. "**/*.ts"), or remove applyTo to apply the rule always'))
    .optional(),
  description: z.string().optional(),
}).passthrough();

export interface ParsedRule {
  /** Undefined: the rule always applies. */
  applyTo?: Minimatch[];
  /** The rule's text without its front matter: what the model gets. */
  body: string;
}

export function parseRule(text: string): { ok: true; rule: ParsedRule } | { ok: false; error: string } {
  const split = splitFrontMatter(text);
  if (!split.ok) return split;
  const parsed = RuleFrontMatter.safeParse(split.data);
  if (!parsed.success) return { ok: false, error: `front matter: ${describeZodError(parsed.error)}` };
  const globs = parsed.data.applyTo;
  return {
    ok: true,
    rule: {
      body: split.body,
      ...(globs ? { applyTo: globs.map((g) => new Minimatch(g, { dot: true, matchBase: !g.includes('/') })) } : {}),
    },
  };
}

/** Whether a rule with these globs applies to `rel` (a path relative to its folder, with `/`). */
export function ruleApplies(globs: readonly Minimatch[], rel: string): boolean {
  return globs.some((g) => g.match(rel));
}
