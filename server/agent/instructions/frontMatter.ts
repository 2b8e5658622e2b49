// The front matter of a `.torbit/rules/*.md` rule (Copilot's `*.instructions.md` convention):
// `applyTo: <globs>` says which files it is for. The YAML is read by Torbit's one front-matter
// parser (server/frontMatter.ts); an error names what is wrong, and a rule with an error is left
// out (and named in the chat), nothing more.
import * as path from 'node:path';
import { Minimatch } from 'minimatch';
import * as z from 'zod';
import { parseFrontMatter } from '../../frontMatter';
import { describeZodError } from '../../protocol';

export type FrontMatterResult =
  | { ok: true; data: Record<string, unknown>; body: string }
  | { ok: false; error: string };

/** Splits `---` front matter from the body; a file without any has an empty record. */
export function splitFrontMatter(text: string): FrontMatterResult {
  const r = parseFrontMatter(text);
  if (!r.ok) return { ok: false, error: `front matter: ${r.error}` };
  const { data, body } = r.value;
  if (data === null || typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, error: 'front matter: it is not a mapping: write "key: value" lines, e.g. applyTo: "src/**/*.ts"' };
  }
  return { ok: true, data: data as Record<string, unknown>, body: body.replace(/^\n+/, '') };
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
