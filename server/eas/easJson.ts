// eas.json: read back from disk through a schema that follows eas-cli's own (the fields Torbit
// relies on are typed, the rest passes through untouched), and Torbit's defaults merged into it
// without ever changing what the person wrote.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { describeZodError } from '../protocol';

export const EAS_JSON = 'eas.json';

const Env = z.record(z.string(), z.string());
const BuildProfile = z.object({
  extends: z.string().optional(),
  distribution: z.enum(['store', 'internal']).optional(),
  developmentClient: z.boolean().optional(),
  autoIncrement: z.union([z.boolean(), z.string()]).optional(),
  channel: z.string().regex(/^[a-z\d][a-z\d._-]*$/, 'lowercase letters, digits, ".", "_" and "-"').optional(),
  env: Env.optional(),
  ios: z.object({ simulator: z.boolean().optional() }).passthrough().optional(),
  android: z.object({ buildType: z.enum(['apk', 'app-bundle']).optional() }).passthrough().optional(),
}).passthrough();

const SubmitProfile = z.object({
  extends: z.string().optional(),
  android: z.object({
    serviceAccountKeyPath: z.string().optional(),
    track: z.string().min(1).optional(),
    releaseStatus: z.enum(['completed', 'draft', 'halted', 'inProgress']).optional(),
  }).passthrough().optional(),
  ios: z.object({
    appleId: z.string().optional(),
    ascAppId: z.string().regex(/^\d+$/, 'the App Store Connect app id: digits only').optional(),
    ascApiKeyPath: z.string().optional(),
    ascApiKeyId: z.string().optional(),
    ascApiKeyIssuerId: z.string().optional(),
  }).passthrough().optional(),
}).passthrough();

export const EasJson = z.object({
  $schema: z.string().optional(),
  cli: z.object({ version: z.string().optional(), appVersionSource: z.enum(['local', 'remote']).optional() }).passthrough().optional(),
  build: z.record(z.string(), BuildProfile).optional(),
  submit: z.record(z.string(), SubmitProfile).optional(),
}).passthrough();
export type EasJson = z.infer<typeof EasJson>;

/** What `eas build:configure` would write, and what Torbit merges into an eas.json that lacks it. */
export const EAS_DEFAULTS = {
  cli: { appVersionSource: 'remote' },
  build: {
    development: { developmentClient: true, distribution: 'internal' },
    preview: { distribution: 'internal' },
    production: { autoIncrement: true },
  },
  submit: { production: {} },
} as const;

export class EasJsonError extends Error {}

/** The folder's eas.json, checked; null when there is none. A damaged one throws with the reason. */
export function readEasJson(root: string): { text: string; json: EasJson; raw: Record<string, unknown> } | null {
  const file = path.join(root, EAS_JSON);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EasJsonError(`${EAS_JSON} cannot be read: ${(err as Error).message}`);
  }
  return { text, ...parseEasJson(text) };
}

/** `json` is checked; `raw` is the file's object as written (key order kept, for merging). */
export function parseEasJson(text: string): { json: EasJson; raw: Record<string, unknown> } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new EasJsonError(`${EAS_JSON} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = EasJson.safeParse(raw);
  if (!parsed.success) throw new EasJsonError(`${EAS_JSON}: ${describeZodError(parsed.error)}`);
  return { json: parsed.data, raw: raw as Record<string, unknown> };
}

/**
 * The defaults merged in: a missing section or profile is added, nothing present is changed
 * (a profile the person has, even empty, stays theirs). Key order is kept; two-space indent.
 */
export function mergeDefaults(existing: Record<string, unknown> | null): { json: Record<string, unknown>; added: string[] } {
  const out: Record<string, unknown> = structuredClone(existing ?? {});
  const added: string[] = [];
  if (!out.cli) {
    out.cli = { ...EAS_DEFAULTS.cli };
    added.push('cli');
  }
  for (const section of ['build', 'submit'] as const) {
    const have = (out[section] ?? {}) as Record<string, unknown>;
    for (const [name, profile] of Object.entries(EAS_DEFAULTS[section])) {
      if (name in have) continue;
      have[name] = structuredClone(profile);
      added.push(`${section}.${name}`);
    }
    out[section] = have;
  }
  return { json: out, added };
}

export function formatEasJson(json: unknown): string {
  return `${JSON.stringify(json, null, 2)}\n`;
}

/** eas-cli's default Google Play track when a submit profile names none. */
export const DEFAULT_TRACK = 'internal';

/** The Google Play track a submit profile sends to (following `extends`, as eas-cli does). */
export function trackOf(eas: EasJson, profile: string): string {
  const seen = new Set<string>();
  for (let name: string | undefined = profile; name && !seen.has(name); name = eas.submit?.[name]?.extends) {
    seen.add(name);
    const t = eas.submit?.[name]?.android?.track;
    if (t) return t;
  }
  return DEFAULT_TRACK;
}
