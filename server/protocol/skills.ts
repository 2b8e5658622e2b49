// Agent Skills as the surfaces see them: each skill found, where it came from, whether it is
// valid (and if not, the loader's codes), what its contract declares, and the sha256 of its
// SKILL.md. The backend discovers and validates them (server/skills/).
import * as z from 'zod';
import { request } from './define';

/** The loader's codes (docs/skills.md defines each). */
export const SKILL_CODES = [
  'ERR_SCHEMA_INVALID',
  'ERR_CONTRACT_UNSUPPORTED_VERSION',
  'ERR_RUNTIME_UNPINNED',
  'ERR_FINGERPRINT_INCOMPLETE',
  'ERR_PERMISSION_UNDECLARED',
  'ERR_SIDE_EFFECT_UNDECLARED',
] as const;
export const SkillCode = z.enum(SKILL_CODES);
export type SkillCode = z.infer<typeof SkillCode>;

/** One thing wrong with a skill: the code, the field it is about, and what to write instead. */
export const SkillProblem = z.object({
  code: SkillCode,
  /** The field, as a path into SKILL.md's front matter (`metadata.torbit.scripts[0].sha256`), or `SKILL.md`. */
  field: z.string(),
  message: z.string(),
});
export type SkillProblem = z.infer<typeof SkillProblem>;

export const SkillPermissions = z.object({
  categories: z.array(z.enum(['read', 'edit', 'command', 'network'])),
  /** Command argv prefixes its scripts run, as tokens. */
  commands: z.array(z.array(z.string())),
});

export const SkillView = z.object({
  /** The folder's name (the skill's name when it is valid). */
  name: z.string(),
  description: z.string().nullable(),
  /** `workspace`: a source folder of a workspace folder; `user`: the person's own ~/.agents/skills. */
  scope: z.enum(['workspace', 'user']),
  /** The source folder, as shown: `.agents/skills`, `.claude/skills`, `.github/skills`, `.torbit/skills` or `~/.agents/skills`. */
  source: z.string(),
  /** The workspace folder it is in (absolute), null for the person's own. */
  folder: z.string().nullable(),
  /** SKILL.md as a path the tools and the person use. */
  path: z.string(),
  /** sha256 of SKILL.md's bytes, null when it could not be read. */
  sha256: z.string().nullable(),
  valid: z.boolean(),
  problems: z.array(SkillProblem),
  /** The Torbit contract (metadata.torbit), when it has one and it is valid. */
  contract: z.object({
    version: z.number().int(),
    permissions: SkillPermissions,
    sideEffects: z.array(z.string()),
    limits: z.object({ maxSeconds: z.number(), maxMemoryMB: z.number() }),
    scripts: z.array(z.object({ path: z.string(), sha256: z.string(), runtime: z.string(), run: z.array(z.string()) })),
  }).nullable(),
  /** allowed-tools, as Torbit tool names (null: the skill does not narrow the tools). */
  allowedTools: z.array(z.string()).nullable(),
  /** Another skill of the same name found first, which is the one used. */
  shadowedBy: z.string().nullable(),
});
export type SkillView = z.infer<typeof SkillView>;

/** extension → server: every skill found in the workspace's skill folders and the person's own, validated. */
export const skillsList = request('torbit/skills/list', 'extension', 'any', z.object({}).strict().optional(),
  z.object({ skills: z.array(SkillView) }));
