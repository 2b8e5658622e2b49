// API keys live in VS Code's SecretStorage and reach the backend only through its environment
// (never a JSON-RPC message, which the trace setting could log).
import type * as vscode from 'vscode';
import { PROVIDERS, type Provider } from '../server/protocol';
import { KEY_ENV } from '../server/agent/secrets';

const slot = (p: Provider) => `torbit.apiKey.${p}`;

/** The backend's environment: the extension host's, with stored keys over the variables. */
export async function backendEnv(secrets: vscode.SecretStorage): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const p of PROVIDERS) {
    const key = await secrets.get(slot(p));
    if (key) env[KEY_ENV[p]] = key;
  }
  return env;
}

export async function storedProviders(secrets: vscode.SecretStorage): Promise<Provider[]> {
  const out: Provider[] = [];
  for (const p of PROVIDERS) if (await secrets.get(slot(p))) out.push(p);
  return out;
}

export async function storeKey(secrets: vscode.SecretStorage, provider: Provider, key: string | undefined): Promise<void> {
  if (key) await secrets.store(slot(provider), key);
  else await secrets.delete(slot(provider));
}

export { KEY_ENV };
