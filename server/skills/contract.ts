// The Torbit contract a skill may carry in its front matter's metadata.torbit: what it needs
// (permission categories and the command argv prefixes its scripts run), its side effects, each
// script's runtime with a pinned version and its sha256, and its runtime limits. The loader's
// codes are defined in docs/skills.md; each problem names the field and what to write.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseYaml } from '../frontMatter';
import * as z from 'zod';
import { relativePathProblem } from '../confine';
import type { SkillProblem } from '../protocol';
import { issueText, schemaProblem } from './frontMatter';

export const CONTRACT_VERSIONS = [1] as const;

/** What to write, per contract field. */
const CONTRACT_FIX: Record<string, string> = {
  run: 'write run: the argv the script runs with, e.g. [python3, scripts/report.py]',
  path: 'write path: the script, under scripts/ (scripts/report.py)',
  runtime: 'write runtime: { name: python, version: "3.12" }',
  categories: 'write categories: a list of read, edit, command, network',
  commands: 'write commands: a list of argv prefixes, e.g. [[python3, scripts/report.py]]',
  permissions: 'write permissions: { categories: [read, command], commands: [[python3, scripts/report.py]] }',
  sideEffects: 'write sideEffects: [] or a list of writes-files, deletes-files, network',
  maxSeconds: 'write maxSeconds: a whole number of seconds from 1 to 86400',
  maxMemoryMB: 'write maxMemoryMB: a whole number of megabytes from 16 up',
  limits: 'write limits: { maxSeconds: 60, maxMemoryMB: 512 }',
  scripts: 'write scripts: a list of { path, sha256, runtime, run, sideEffects }',
};

export const PermissionCategory = z.enum(['read', 'edit', 'command', 'network']);
export type PermissionCategory = z.infer<typeof PermissionCategory>;
export const SideEffect = z.enum(['writes-files', 'deletes-files', 'network']);
export type SideEffect = z.infer<typeof SideEffect>;

const Token = z.string().min(1).refine((t) => !t.includes('\0'), 'a token holds a NUL byte');

const ScriptEntry = z.object({
  /** The script, relative to the skill's folder, under scripts/. */
  path: z.string().min(1).refine((p) => !relativePathProblem(p) && /^scripts\//.test(normalizeToken(p)), 'must be a relative path under scripts/, e.g. scripts/report.py'),
  /** Its sha256 (checked for ERR_FINGERPRINT_INCOMPLETE, so it may be missing here). */
  sha256: z.unknown().optional(),
  /** Its runtime and pinned version (checked for ERR_RUNTIME_UNPINNED). */
  runtime: z.object({ name: z.string().min(1).optional(), version: z.union([z.string(), z.number()]).optional() }).strict().optional(),
  /** The argv it is run with, relative paths from the skill's folder: [python3, scripts/report.py]. */
  run: z.array(Token).min(1),
  sideEffects: z.array(SideEffect).default([]),
}).strict();

export const ContractBody = z.object({
  contract: z.number(),
  permissions: z.object({
    categories: z.array(PermissionCategory),
    commands: z.array(z.array(Token).min(1)).default([]),
  }).strict(),
  sideEffects: z.array(SideEffect).default([]),
  scripts: z.array(ScriptEntry).default([]),
  limits: z.object({
    maxSeconds: z.number().int().min(1).max(86_400),
    maxMemoryMB: z.number().int().min(16).max(1_048_576),
  }).strict(),
}).strict();
export type ContractBody = z.infer<typeof ContractBody>;

export interface ContractScript {
  path: string;
  sha256: string;
  runtime: { name: string; version: string };
  run: string[];
  sideEffects: SideEffect[];
}

/** A contract that passed every check. */
export interface Contract {
  version: number;
  categories: PermissionCategory[];
  commands: string[][];
  sideEffects: SideEffect[];
  scripts: ContractScript[];
  limits: { maxSeconds: number; maxMemoryMB: number };
}

/** major.minor or major.minor.patch, digits only: not a range, a tag or a bare major. */
export const PINNED_VERSION = /^\d+\.\d+(?:\.\d+)?$/;

/** A path-like token as the contract compares it: `./scripts/a.py` and `scripts/a.py` are one. */
export function normalizeToken(t: string): string {
  return t.includes('/') ? path.posix.normalize(t.replace(/\\/g, '/')).replace(/^\.\//, '') : t;
}

export function sha256File(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

/** Whether `argv` starts with `prefix`, token by token (path-like tokens normalized). */
export function coversArgv(prefix: readonly string[], argv: readonly string[]): boolean {
  return prefix.length <= argv.length && prefix.every((t, i) => normalizeToken(t) === normalizeToken(argv[i]!));
}

const MAX_SCRIPT_FILES = 500;
/** A script bigger than this is not hashed (a planted giant file would stall every turn's discovery). */
const MAX_SCRIPT_BYTES = 32 * 1024 * 1024;

/** Every file under the skill's scripts/ (relative, POSIX), and the entries that are not plain files. */
function scriptFiles(dir: string): { files: string[]; odd: string[] } {
  const files: string[] = [];
  const odd: string[] = [];
  const walk = (rel: string) => {
    const abs = path.join(dir, rel);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(abs, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      const r = `${rel}/${e.name}`;
      if (files.length + odd.length >= MAX_SCRIPT_FILES) return;
      if (e.isDirectory()) walk(r);
      else if (e.isFile()) files.push(r);
      else odd.push(r);
    }
  };
  const top = fs.lstatSync(path.join(dir, 'scripts'), { throwIfNoEntry: false });
  if (top?.isDirectory()) walk('scripts');
  else if (top) odd.push('scripts');
  return { files, odd };
}

/**
 * Checks metadata.torbit of a skill whose folder is `dir` (its real path). Undefined `raw`: no
 * contract. The version comes first (a later version may say anything else differently), then
 * the schema, then each rule on its own, so one skill can show several codes at once.
 */
export function checkContract(raw: unknown, dir: string): { contract?: Contract; problems: SkillProblem[] } {
  const F = 'metadata.torbit';
  let value = raw;
  if (typeof raw === 'string') {
    // The specification's metadata values are strings: the block may be written as one (YAML or JSON).
    try {
      value = parseYaml(raw);
    } catch (err) {
      return { problems: [schemaProblem(F, `${F} is a string that is not valid YAML or JSON (${(err as Error).message.split('\n')[0]}): write it as a mapping`)] };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { problems: [schemaProblem(F, `${F} is not a mapping: write contract: 1, permissions:, sideEffects:, scripts: and limits: under it (docs/skills.md)`)] };
  }
  const version = (value as { contract?: unknown }).contract;
  if (typeof version !== 'number' || !(CONTRACT_VERSIONS as readonly number[]).includes(version)) {
    return {
      problems: [{
        code: 'ERR_CONTRACT_UNSUPPORTED_VERSION', field: `${F}.contract`,
        message: `${F}.contract is ${version === undefined ? 'missing' : JSON.stringify(version)}, and this Torbit reads contract version ${CONTRACT_VERSIONS.join(', ')}: write contract: 1`,
      }],
    };
  }
  const parsed = ContractBody.safeParse(value);
  if (!parsed.success) {
    return {
      problems: parsed.error.issues.map((i) => {
        const field = [F, ...i.path.map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))].join('.').replace(/\.\[/g, '[');
        const key = i.path.find((p) => typeof p === 'string' && p in CONTRACT_FIX) as string | undefined;
        return schemaProblem(field, `${field} ${issueText(i)}: ${key ? CONTRACT_FIX[key] : 'a contract has contract, permissions, sideEffects, scripts and limits'} (docs/skills.md shows a whole one)`);
      }),
    };
  }
  const c = parsed.data;
  const problems: SkillProblem[] = [];
  const scripts: ContractScript[] = [];
  const listed = new Set<string>();
  const { files, odd } = scriptFiles(dir);
  c.scripts.forEach((s, i) => {
    const at = `${F}.scripts[${i}]`;
    const rel = normalizeToken(s.path);
    listed.add(rel);
    const version = s.runtime?.version === undefined ? undefined : String(s.runtime.version);
    if (!s.runtime?.name || version === undefined || !PINNED_VERSION.test(version)) {
      const field = !s.runtime ? `${at}.runtime` : !s.runtime.name ? `${at}.runtime.name` : `${at}.runtime.version`;
      problems.push({
        code: 'ERR_RUNTIME_UNPINNED', field,
        message: `${field}: ${rel} has ${!s.runtime ? 'no runtime' : !s.runtime.name ? 'no runtime name' : version === undefined ? 'no runtime version' : `runtime version ${JSON.stringify(version)}, which is not pinned`}: write runtime: { name: ${s.runtime?.name ?? 'python'}, version: "${/node/i.test(s.runtime?.name ?? '') ? '22.11' : '3.12'}" } (major.minor or major.minor.patch, no range)`,
      });
    }
    const abs = path.join(dir, rel);
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (!st?.isFile()) {
      problems.push({ code: 'ERR_FINGERPRINT_INCOMPLETE', field: `${at}.path`, message: `${at}.path: ${rel} is listed but is ${st ? 'not a plain file' : 'not there'}: add the file, or take its entry out of ${F}.scripts` });
    } else if (st.size > MAX_SCRIPT_BYTES) {
      problems.push({ code: 'ERR_FINGERPRINT_INCOMPLETE', field: `${at}.path`, message: `${at}.path: ${rel} is ${st.size} bytes, over the ${MAX_SCRIPT_BYTES} Torbit fingerprints: make it smaller` });
    } else {
      const actual = sha256File(abs);
      const listedSha = typeof s.sha256 === 'string' ? s.sha256.toLowerCase() : undefined;
      if (listedSha !== actual) {
        problems.push({
          code: 'ERR_FINGERPRINT_INCOMPLETE', field: `${at}.sha256`,
          message: `${at}.sha256: ${rel} ${listedSha ? `has sha256 ${actual}, not the ${listedSha} listed` : s.sha256 === undefined ? 'has no sha256' : 'has a sha256 that is not a string'}: review the script, then write sha256: "${actual}"`,
        });
      }
    }
    const covered = c.permissions.commands.some((p) => coversArgv(p, s.run));
    if (!covered) {
      problems.push({
        code: 'ERR_PERMISSION_UNDECLARED', field: `${F}.permissions.commands`,
        message: `${F}.permissions.commands: ${rel} runs as [${s.run.join(', ')}], which no declared command prefix covers: add - [${s.run.join(', ')}] to ${F}.permissions.commands`,
      });
    }
    for (const e of s.sideEffects) {
      if (!c.sideEffects.includes(e)) {
        problems.push({ code: 'ERR_SIDE_EFFECT_UNDECLARED', field: `${F}.sideEffects`, message: `${F}.sideEffects: ${rel} declares the side effect ${e}, which the skill does not: add ${e} to ${F}.sideEffects` });
      }
    }
    scripts.push({ path: rel, sha256: typeof s.sha256 === 'string' ? s.sha256.toLowerCase() : '', runtime: { name: s.runtime?.name ?? '', version: version ?? '' }, run: s.run, sideEffects: s.sideEffects });
  });
  for (const f of files) {
    if (!listed.has(f)) {
      const big = (fs.statSync(path.join(dir, f), { throwIfNoEntry: false })?.size ?? 0) > MAX_SCRIPT_BYTES;
      problems.push({ code: 'ERR_FINGERPRINT_INCOMPLETE', field: `${F}.scripts`, message: `${F}.scripts: ${f} is in scripts/ but not listed: review it, then add - { path: ${f}, sha256: ${big ? '<its sha256>' : sha256File(path.join(dir, f))}, runtime: …, run: […] }` });
    }
  }
  for (const f of odd) {
    problems.push({ code: 'ERR_FINGERPRINT_INCOMPLETE', field: `${F}.scripts`, message: `${F}.scripts: ${f} is a symbolic link or another special file, which cannot be fingerprinted: put the file itself there` });
  }
  const cats = new Set(c.permissions.categories);
  const needCategory = (cat: PermissionCategory, why: string) => {
    if (!cats.has(cat)) problems.push({ code: 'ERR_PERMISSION_UNDECLARED', field: `${F}.permissions.categories`, message: `${F}.permissions.categories: ${why}, but ${cat} is not among them: add ${cat} to ${F}.permissions.categories` });
  };
  if (c.scripts.length || c.permissions.commands.length) needCategory('command', 'the skill runs commands');
  if (c.sideEffects.includes('network')) needCategory('network', 'the skill declares the side effect network');
  if (c.sideEffects.includes('writes-files') || c.sideEffects.includes('deletes-files')) needCategory('edit', 'the skill declares that it writes or deletes files');
  if (problems.length) return { problems };
  return {
    contract: { version: c.contract, categories: [...cats], commands: c.permissions.commands, sideEffects: c.sideEffects, scripts, limits: c.limits },
    problems: [],
  };
}
