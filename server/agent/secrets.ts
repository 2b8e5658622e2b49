// API keys reach the backend only through its environment. They must not reach the database,
// the logs, the webview or the commands the model runs: this file knows where they are.
import type { Provider } from '../protocol';

/** The environment variable each provider's key is read from (what operators already use). */
export const KEY_ENV: Record<Provider, string> = {
  openai: 'OPENAI_API_KEY',
  anthropic: 'ANTHROPIC_API_KEY',
  google: 'GOOGLE_GENERATIVE_AI_API_KEY',
  'openai-compatible': 'OPENAI_COMPATIBLE_API_KEY',
};

/** A key for any provider (the CLI's catch-all). */
export const GENERIC_KEY_ENV = 'TORBIT_API_KEY';

const SECRET_ENV = [...Object.values(KEY_ENV), GENERIC_KEY_ENV, 'EXPO_TOKEN'];

export function apiKeyFor(provider: Provider, env: NodeJS.ProcessEnv): string | undefined {
  return env[KEY_ENV[provider]]?.trim() || env[GENERIC_KEY_ENV]?.trim() || undefined;
}

/** Replaces every known secret value in text with [redacted]. */
export class Redactor {
  private readonly secrets: string[];

  constructor(env: NodeJS.ProcessEnv) {
    // Short values would redact ordinary words; real keys are long.
    this.secrets = [...new Set(SECRET_ENV.map((k) => env[k]?.trim()).filter((v): v is string => !!v && v.length >= 8))]
      .sort((a, b) => b.length - a.length);
  }

  text(s: string): string {
    let out = s;
    for (const secret of this.secrets) if (out.includes(secret)) out = out.split(secret).join('[redacted]');
    return out;
  }

  /** Redacts every string inside a JSON-like value. */
  value<T>(v: T): T {
    if (typeof v === 'string') return this.text(v) as T;
    if (Array.isArray(v)) return v.map((x: unknown) => this.value(x)) as T;
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x)])) as T;
    return v;
  }
}

/** The environment for commands the model runs: the user's, minus Torbit's secrets and internals. */
export function commandEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = { ...env };
  for (const k of SECRET_ENV) delete out[k];
  delete out.ELECTRON_RUN_AS_NODE;
  delete out.TORBIT_DATA_DIR;
  return out;
}

