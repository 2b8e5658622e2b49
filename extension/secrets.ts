// API keys live in VS Code's SecretStorage and reach the backend only through its environment
// (never a JSON-RPC message, which the trace setting could log).
import type * as vscode from 'vscode';
import { PROVIDERS, type Provider } from '../server/protocol';
import { EXPO_TOKEN_ENV, KEY_ENV } from '../server/secrets';

const slot = (p: Provider) => `torbit.apiKey.${p}`;
const EXPO_TOKEN_SLOT = 'torbit.expoToken';

/** The backend's environment: the extension host's, with stored keys over the variables. */
export async function backendEnv(secrets: vscode.SecretStorage): Promise<NodeJS.ProcessEnv> {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const p of PROVIDERS) {
    const key = await secrets.get(slot(p));
    if (key) env[KEY_ENV[p]] = key;
  }
  const expo = await secrets.get(EXPO_TOKEN_SLOT);
  if (expo) {
    env[EXPO_TOKEN_ENV] = expo;
    // So the diagnostics can say where the token came from (never what it is).
    env.TORBIT_EXPO_TOKEN_SOURCE = 'secret-storage';
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

export async function hasExpoToken(secrets: vscode.SecretStorage): Promise<boolean> {
  return !!(await secrets.get(EXPO_TOKEN_SLOT));
}

export async function storeExpoToken(secrets: vscode.SecretStorage, token: string | undefined): Promise<void> {
  if (token) await secrets.store(EXPO_TOKEN_SLOT, token);
  else await secrets.delete(EXPO_TOKEN_SLOT);
}
