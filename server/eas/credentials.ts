// Store credentials for EAS Submit: where they may come from, whether they are usable, and the
// environment eas-cli gets them in. Values are checked, never logged or stored: a check's detail
// names variables and files, not what they hold.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import type { PipelineCheck } from '../protocol';
import { ASC, ASC_ALIASES, GOOGLE_SERVICE_ACCOUNT as GSA } from '../secrets';
import type { EasJson } from './easJson';

/** The names the seed used, and eas-cli's for the same thing (eas-cli's win when both are set). */
export const SEED_NAMES: Record<string, string> = ASC_ALIASES;

/** The environment with eas-cli's names filled in from the seed's. */
export function withEasNames(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const [seed, eas] of Object.entries(SEED_NAMES)) if (!out[eas]?.trim() && out[seed]?.trim()) out[eas] = out[seed];
  return out;
}

const set = (v: string | undefined): v is string => !!v && v.trim().length > 0;

/** eas.json allows "$VAR" in these fields; resolved as eas-cli does. */
function interpolate(v: string | undefined, env: NodeJS.ProcessEnv): string | undefined {
  if (!v) return undefined;
  const m = /^\$([A-Za-z_][A-Za-z0-9_]*)$/.exec(v.trim());
  return m ? env[m[1]!] : v;
}

// eas-cli's own rules (IosSubmitCommand, the eas.json schema).
const APP_SPECIFIC_PASSWORD = /^[a-z]{4}-[a-z]{4}-[a-z]{4}-[a-z]{4}$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const ASC_KEY_ID = /^[\dA-Z]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function readable(file: string): string | undefined {
  try {
    return fs.statSync(file).isFile() ? fs.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The submit profile Torbit submits with. */
const profileOf = (eas: EasJson | null) => eas?.submit?.production;

export function iosCheck(env: NodeJS.ProcessEnv, root: string, eas: EasJson | null): PipelineCheck {
  const e = withEasNames(env);
  const ios = profileOf(eas)?.ios;
  const title = 'iOS submit credentials';
  const where = 'in the environment VS Code starts from (or eas.json\'s submit.production.ios)';
  const asp = { password: e[ASC.password], appleId: e.EXPO_APPLE_ID ?? ios?.appleId };
  const asc = {
    path: e[ASC.keyPath] ?? interpolate(ios?.ascApiKeyPath, e),
    keyId: e[ASC.keyId] ?? interpolate(ios?.ascApiKeyId, e),
    issuerId: e[ASC.issuerId] ?? interpolate(ios?.ascApiKeyIssuerId, e),
  };
  const aspProblems: string[] = [];
  if (set(asp.password) || set(e.EXPO_APPLE_ID)) {
    if (!set(asp.password)) aspProblems.push(`${ASC.password} is not set`);
    else if (!APP_SPECIFIC_PASSWORD.test(asp.password.trim())) aspProblems.push(`${ASC.password} must be xxxx-xxxx-xxxx-xxxx (lowercase letters), as appleid.apple.com generates it`);
    if (!set(asp.appleId)) aspProblems.push('EXPO_APPLE_ID (your Apple ID\'s email) is not set');
    else if (!EMAIL.test(asp.appleId.trim())) aspProblems.push('EXPO_APPLE_ID must be your Apple ID\'s email address');
  }
  const ascProblems: string[] = [];
  if (set(asc.path) || set(asc.keyId) || set(asc.issuerId)) {
    if (!set(asc.path)) ascProblems.push(`${ASC.keyPath} (the .p8 file) is not set`);
    else {
      const file = path.resolve(root, asc.path);
      const text = readable(file);
      if (text === undefined) ascProblems.push(`${ASC.keyPath}: ${file} does not exist`);
      else if (!file.endsWith('.p8') || !/-----BEGIN PRIVATE KEY-----/.test(text)) ascProblems.push(`${ASC.keyPath}: ${file} is not an App Store Connect .p8 key`);
    }
    if (!set(asc.keyId)) ascProblems.push(`${ASC.keyId} is not set`);
    else if (!ASC_KEY_ID.test(asc.keyId.trim())) ascProblems.push(`${ASC.keyId} must be the key's id (uppercase letters and digits, e.g. ABC123DEFG)`);
    if (!set(asc.issuerId)) ascProblems.push(`${ASC.issuerId} is not set`);
    else if (!UUID.test(asc.issuerId.trim())) ascProblems.push(`${ASC.issuerId} must be the issuer id from App Store Connect (a UUID)`);
  }
  const aspTried = set(asp.password) || set(e.EXPO_APPLE_ID);
  const ascTried = set(asc.path) || set(asc.keyId) || set(asc.issuerId);
  if (aspTried && !aspProblems.length) return { id: 'ios-credentials', title, state: 'ok', detail: 'an app-specific password with EXPO_APPLE_ID', fix: null };
  if (ascTried && !ascProblems.length) return { id: 'ios-credentials', title, state: 'ok', detail: `an App Store Connect API key (${ASC.keyPath}, ${ASC.keyId}, ${ASC.issuerId})`, fix: null };
  if (!aspTried && !ascTried) {
    return {
      id: 'ios-credentials', title, state: 'warn', detail: 'none set: TestFlight and App Store Connect submissions cannot run',
      fix: `Set ${ASC.password} with EXPO_APPLE_ID, or the App Store Connect API key trio ${ASC.keyPath}, ${ASC.keyId} and ${ASC.issuerId}, ${where}. The names ${Object.keys(ASC_ALIASES).join(', ')} work too.`,
    };
  }
  const problems = [...aspProblems, ...ascProblems];
  return { id: 'ios-credentials', title, state: 'fail', detail: problems.join('; '), fix: `Fix ${problems.length === 1 ? 'it' : 'them'} ${where}.` };
}

export const ServiceAccountKey = z.object({
  type: z.literal('service_account'),
  project_id: z.string().min(1),
  private_key_id: z.string().min(1),
  private_key: z.string().regex(/-----BEGIN PRIVATE KEY-----/, 'a PEM private key'),
  client_email: z.string().regex(EMAIL, 'an email address'),
}).passthrough();

export function androidCheck(env: NodeJS.ProcessEnv, root: string, eas: EasJson | null): PipelineCheck {
  const title = 'Android service account';
  const fix = `Set ${GSA.keyPath} (or ${GSA.easKeyPath}) to the Google Play service account's JSON key, or ${GSA.json} to its content, in the environment VS Code starts from; or set serviceAccountKeyPath in eas.json's submit.production.android.`;
  const profilePath = interpolate(profileOf(eas)?.android?.serviceAccountKeyPath, env);
  const sources: { name: string; file?: string; inline?: string }[] = [];
  if (set(env[GSA.keyPath])) sources.push({ name: GSA.keyPath, file: env[GSA.keyPath] });
  const inlineOrPath = env[GSA.json];
  if (set(inlineOrPath)) {
    const v = inlineOrPath.trim();
    sources.push(v.startsWith('{') ? { name: GSA.json, inline: v } : { name: GSA.json, file: v });
  }
  if (set(env[GSA.easKeyPath])) sources.push({ name: GSA.easKeyPath, file: env[GSA.easKeyPath] });
  if (set(profilePath)) sources.push({ name: 'eas.json submit.production.android.serviceAccountKeyPath', file: profilePath });
  const first = sources[0];
  if (!first) return { id: 'android-credentials', title, state: 'warn', detail: 'none found: Google Play submissions cannot run', fix };
  const file = first.file === undefined ? undefined : path.resolve(root, first.file);
  const text = first.inline ?? (file ? readable(file) : undefined);
  const what = file ? `${first.name}: ${file}` : first.name;
  if (text === undefined) return { id: 'android-credentials', title, state: 'fail', detail: `${what} does not exist`, fix };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { id: 'android-credentials', title, state: 'fail', detail: `${what} is not JSON`, fix };
  }
  const key = ServiceAccountKey.safeParse(json);
  if (!key.success) {
    const fields = [...new Set(key.error.issues.map((i) => i.path.join('.') || '(value)'))].join(', ');
    return { id: 'android-credentials', title, state: 'fail', detail: `${what} is not a service account key (${fields})`, fix };
  }
  return { id: 'android-credentials', title, state: 'ok', detail: `${what} (${key.data.client_email})`, fix: null };
}
