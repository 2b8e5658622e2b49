// The one registry of credential variables Torbit knows. Nothing else names a secret variable:
// the environment of model-run commands, the environment of eas-cli, the Redactor and the list in
// docs/security.md all come from SECRETS. A credential reaches the backend only through its
// environment; it must not reach the database, the logs, the webview, a review bundle or a
// command the model runs.
import * as fs from 'node:fs';
import type { Provider } from './protocol';

/** Who may receive a credential in a child process's environment. */
export type Recipient = 'eas';

export interface SecretVar {
  readonly name: string;
  /** What it is, for docs/security.md and error messages. */
  readonly what: string;
  /** `value`: the variable holds the secret. `path`: it names a file that holds it (its content is redacted). `json-or-path`: either. `id`: an identifier that belongs to a credential (kept from model-run commands, not redacted). */
  readonly holds: 'value' | 'path' | 'json-or-path' | 'id';
  /** The child processes that get it; model-run commands never get any. */
  readonly for: readonly Recipient[];
}

const secret = (name: string, what: string, holds: SecretVar['holds'] = 'value', ...recipients: Recipient[]): SecretVar =>
  ({ name, what, holds, for: recipients });

export const SECRETS: readonly SecretVar[] = [
  secret('OPENAI_API_KEY', 'OpenAI API key'),
  secret('ANTHROPIC_API_KEY', 'Anthropic API key'),
  secret('GOOGLE_GENERATIVE_AI_API_KEY', 'Google Generative AI API key'),
  secret('OPENAI_COMPATIBLE_API_KEY', 'API key of the OpenAI-compatible server'),
  secret('TORBIT_API_KEY', 'API key for any provider (the CLI\'s catch-all)'),
  secret('EXPO_TOKEN', 'Expo access token (eas-cli)', 'value', 'eas'),
  secret('EXPO_APPLE_APP_SPECIFIC_PASSWORD', 'Apple app-specific password (eas-cli)', 'value', 'eas'),
  secret('APPLE_APP_SPECIFIC_PASSWORD', 'Apple app-specific password (the seed\'s name)', 'value', 'eas'),
  secret('EXPO_APPLE_PASSWORD', 'Apple ID password (eas-cli)', 'value', 'eas'),
  secret('EXPO_ASC_API_KEY_PATH', 'App Store Connect API key file (.p8)', 'path', 'eas'),
  secret('ASC_API_KEY_PATH', 'App Store Connect API key file (the seed\'s name)', 'path', 'eas'),
  secret('EXPO_ASC_KEY_ID', 'App Store Connect API key id', 'id', 'eas'),
  secret('ASC_API_KEY_ID', 'App Store Connect API key id (the seed\'s name)', 'id', 'eas'),
  secret('EXPO_ASC_ISSUER_ID', 'App Store Connect issuer id', 'id', 'eas'),
  secret('ASC_API_KEY_ISSUER_ID', 'App Store Connect issuer id (the seed\'s name)', 'id', 'eas'),
  secret('GOOGLE_SERVICE_ACCOUNT_JSON', 'Google Play service account key (the JSON, or its path)', 'json-or-path', 'eas'),
  secret('GOOGLE_SERVICE_ACCOUNT_KEY_PATH', 'Google Play service account key file', 'path', 'eas'),
  secret('EXPO_ANDROID_SERVICE_ACCOUNT_KEY_PATH', 'Google Play service account key file (eas-cli)', 'path', 'eas'),
  secret('TORBIT_AUDIT_SIGNING_SECRET', 'HMAC secret that signs audit bundles'),
  secret('TORBIT_SIGNING_SECRET', 'HMAC secret that signs audit bundles (legacy name)'),
  secret('TORBIT_WORKER_TOKEN', 'bearer token of the team worker'),
  secret('CRON_SECRET', 'bearer token of the team worker (the seed\'s name)'),
  secret('TORBIT_TEAM_DATABASE_URL', 'team PostgreSQL URL (holds its password)'),
];

/** A registered name, checked: code that names a credential variable takes it from here. */
function registered<N extends string>(name: N): N {
  if (!SECRETS.some((s) => s.name === name)) throw new Error(`${name} is not in the secrets registry`);
  return name;
}

/** Names the code uses by themselves (checks, messages). Each is an entry of SECRETS. */
export const EXPO_TOKEN_ENV = registered('EXPO_TOKEN');
export const ASC = {
  password: registered('EXPO_APPLE_APP_SPECIFIC_PASSWORD'),
  keyPath: registered('EXPO_ASC_API_KEY_PATH'),
  keyId: registered('EXPO_ASC_KEY_ID'),
  issuerId: registered('EXPO_ASC_ISSUER_ID'),
};
/** The seed's names for eas-cli's Apple variables (credentials.ts copies them over). */
export const ASC_ALIASES: Record<string, string> = {
  [registered('APPLE_APP_SPECIFIC_PASSWORD')]: ASC.password,
  [registered('ASC_API_KEY_ID')]: ASC.keyId,
  [registered('ASC_API_KEY_ISSUER_ID')]: ASC.issuerId,
  [registered('ASC_API_KEY_PATH')]: ASC.keyPath,
};
export const GOOGLE_SERVICE_ACCOUNT = {
  keyPath: registered('GOOGLE_SERVICE_ACCOUNT_KEY_PATH'),
  json: registered('GOOGLE_SERVICE_ACCOUNT_JSON'),
  easKeyPath: registered('EXPO_ANDROID_SERVICE_ACCOUNT_KEY_PATH'),
};

/** Torbit's own internals, kept from every child process that is not Torbit. */
const INTERNAL_ENV = ['ELECTRON_RUN_AS_NODE', 'TORBIT_DATA_DIR', 'TORBIT_EXPO_TOKEN_SOURCE'];

/** The environment variable each provider's key is read from (what operators already use). */
export const KEY_ENV: Record<Provider, string> = {
  openai: registered('OPENAI_API_KEY'),
  anthropic: registered('ANTHROPIC_API_KEY'),
  google: registered('GOOGLE_GENERATIVE_AI_API_KEY'),
  'openai-compatible': registered('OPENAI_COMPATIBLE_API_KEY'),
};
/** A key for any provider (the CLI's catch-all). */
export const GENERIC_KEY_ENV = registered('TORBIT_API_KEY');
export const AUDIT_SECRET_ENV = registered('TORBIT_AUDIT_SIGNING_SECRET');
export const LEGACY_AUDIT_SECRET_ENV = registered('TORBIT_SIGNING_SECRET');

export function apiKeyFor(provider: Provider, env: NodeJS.ProcessEnv): string | undefined {
  return env[KEY_ENV[provider]]?.trim() || env[GENERIC_KEY_ENV]?.trim() || undefined;
}

/** The environment for commands the model runs (and Ship's tests): the user's, minus every credential and Torbit's internals. */
export function commandEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const s of SECRETS) delete out[s.name];
  for (const k of INTERNAL_ENV) delete out[k];
  return out;
}

/** The environment for a child that needs some credentials: commandEnv plus exactly those registered for it. */
export function envFor(recipient: Recipient, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = commandEnv(env);
  for (const s of SECRETS) if (s.for.includes(recipient) && env[s.name] !== undefined) out[s.name] = env[s.name];
  return out;
}

// Short values would redact ordinary words; real keys are long.
const MIN_SECRET_LENGTH = 8;
const MAX_KEY_FILE_BYTES = 64 * 1024;

function readSmall(file: string): string | undefined {
  try {
    const st = fs.statSync(file);
    return st.isFile() && st.size <= MAX_KEY_FILE_BYTES ? fs.readFileSync(file, 'utf8') : undefined;
  } catch {
    return undefined;
  }
}

/** The pieces of a secret that must never show: the value, a key block's lines, a JSON key's private_key. */
function partsOf(value: string): string[] {
  const v = value.trim();
  const out = [v];
  let text = v;
  if (v.startsWith('{')) {
    try {
      const pk = (JSON.parse(v) as { private_key?: unknown }).private_key;
      if (typeof pk === 'string') { out.push(pk.trim()); text = pk; }
    } catch { /* not JSON: the value alone */ }
  }
  // A PEM body printed in another layout (one line, escaped newlines) still shows its base64 lines.
  if (/-----BEGIN [A-Z ]+-----/.test(text)) {
    for (const line of text.split(/\\n|\r?\n/)) {
      const l = line.trim();
      if (l.length >= 16 && !l.startsWith('-----')) out.push(l);
    }
  }
  return out;
}

/** Every secret value the environment holds (and the key files it names), longest first. */
export function secretValues(env: NodeJS.ProcessEnv): string[] {
  const found: string[] = [];
  for (const s of SECRETS) {
    const v = env[s.name]?.trim();
    if (!v || s.holds === 'id') continue;
    if (s.holds === 'value' || (s.holds === 'json-or-path' && v.startsWith('{'))) found.push(...partsOf(v));
    else {
      const content = readSmall(v);
      if (content) found.push(...partsOf(content));
      if (s.holds === 'json-or-path' && content === undefined) found.push(v);
    }
  }
  return [...new Set(found.filter((v) => v.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
}

export const REDACTED = '[redacted]';

/** Where secrets occur in text: sorted [start, end) ranges, overlapping occurrences merged into one. */
function occurrences(text: string, secrets: readonly string[]): Array<[number, number]> {
  const found: Array<[number, number]> = [];
  for (const secret of secrets) {
    for (let at = text.indexOf(secret); at !== -1; at = text.indexOf(secret, at + 1)) found.push([at, at + secret.length]);
  }
  found.sort((a, b) => a[0] - b[0]);
  const merged: Array<[number, number]> = [];
  for (const r of found) {
    const last = merged[merged.length - 1];
    if (last && r[0] < last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([r[0], r[1]]);
  }
  return merged;
}

function mask(text: string, ranges: ReadonlyArray<[number, number]>): string {
  let out = '';
  let from = 0;
  for (const [start, end] of ranges) {
    out += text.slice(from, start) + REDACTED;
    from = end;
  }
  return out + text.slice(from);
}

/** Array.isArray alone narrows a readonly array to any[]. */
function isValueList(env: NodeJS.ProcessEnv | readonly string[]): env is readonly string[] {
  return Array.isArray(env);
}

/**
 * Replaces every known secret value in text with [redacted]. Every occurrence is found in the
 * original text before anything is replaced, so two secrets that overlap (one's end is the other's
 * start) are masked together: replacing one first would leave the rest of the other in view.
 */
export class Redactor {
  readonly secrets: readonly string[];

  constructor(env: NodeJS.ProcessEnv | readonly string[]) {
    this.secrets = isValueList(env) ? [...env].sort((a, b) => b.length - a.length) : secretValues(env);
  }

  text(s: string): string {
    if (!this.secrets.some((secret) => s.includes(secret))) return s;
    return mask(s, occurrences(s, this.secrets));
  }

  /** Redacts every string inside a JSON-like value. */
  value<T>(v: T): T {
    if (typeof v === 'string') return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x: unknown) => this.value(x)) as T;
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x)])) as T;
    return v;
  }

  /** A redactor for one stream: see StreamRedactor. */
  stream(): StreamRedactor {
    return new StreamRedactor(this);
  }

  /**
   * A stream's writer that passes redacted text on to `sink`: write() each chunk, end() once the
   * stream is over (it passes on what was held back). Nothing empty reaches the sink.
   */
  pipe(sink: (text: string) => void): { write(chunk: string): void; end(): void } {
    const stream = this.stream();
    const pass = (text: string) => { if (text) sink(text); };
    return { write: (chunk) => pass(stream.push(chunk)), end: () => pass(stream.flush()) };
  }
}

/**
 * Redaction of a stream of chunks. A secret split across two chunks would survive chunk-by-chunk
 * redaction, so this holds back, unredacted, the tail that could still be the start of a secret
 * (at most the longest secret's length less one), and any secret that reaches into that tail,
 * until the next chunk, or flush(), decides it. What it passes on, joined, is the redaction of
 * the whole stream.
 */
export class StreamRedactor {
  private held = '';

  constructor(private readonly redactor: Redactor) {}

  /** The part of the stream so far that is safe to pass on. */
  push(chunk: string): string {
    const text = this.held + chunk;
    const ranges = occurrences(text, this.redactor.secrets);
    let cut = text.length - this.pendingPrefix(text);
    // A secret that reaches past the cut could belong to a longer run of overlapping secrets.
    for (const [start, end] of ranges) if (start < cut && end > cut) cut = start;
    this.held = text.slice(cut);
    return mask(text.slice(0, cut), ranges.filter(([, end]) => end <= cut));
  }

  /** The rest, at the end of the stream. */
  flush(): string {
    const rest = this.redactor.text(this.held);
    this.held = '';
    return rest;
  }

  /** The length of the longest tail of text that is a proper prefix of some secret. */
  private pendingPrefix(text: string): number {
    let best = 0;
    const last = text.charCodeAt(text.length - 1);
    for (const s of this.redactor.secrets) {
      for (let k = Math.min(s.length - 1, text.length); k > best; k--) {
        if (s.charCodeAt(k - 1) === last && text.endsWith(s.slice(0, k))) { best = k; break; }
      }
    }
    return best;
  }
}
