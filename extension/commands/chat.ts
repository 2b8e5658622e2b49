// Commands of the chat surface.
import * as vscode from 'vscode';
import { PROVIDERS, type Provider } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { KEY_ENV } from '../../server/secrets';
import { storedProviders, storeKey } from '../secrets';
import type { CommandFactory } from './index';

const LABEL: Record<Provider, string> = {
  openai: 'OpenAI', anthropic: 'Anthropic', google: 'Google (Gemini)', 'openai-compatible': 'OpenAI-compatible server (Ollama, LM Studio, vLLM)',
};

async function setApiKey(ctx: Ctx): Promise<void> {
  const stored = await storedProviders(ctx.extension.secrets);
  const pick = await vscode.window.showQuickPick(PROVIDERS.map((p) => ({
    label: LABEL[p], provider: p,
    description: stored.includes(p) ? 'key stored' : process.env[KEY_ENV[p]] ? `using ${KEY_ENV[p]} from the environment` : 'no key',
  })), { title: 'Torbit: Set API Key', placeHolder: 'Which provider is the key for?' });
  if (!pick) return;
  const key = await vscode.window.showInputBox({
    title: `API key for ${pick.label}`,
    prompt: stored.includes(pick.provider) ? 'Enter a new key, or leave empty to remove the stored one.' : 'The key is kept in VS Code\'s secret storage.',
    password: true,
    ignoreFocusOut: true,
    validateInput: (v) => (v && /\s/.test(v.trim()) ? 'An API key has no spaces' : undefined),
  });
  if (key === undefined) return;
  await storeKey(ctx.extension.secrets, pick.provider, key.trim() || undefined);
  if (key.trim()) ctx.walkthrough.did('model');
  // The backend reads keys from its environment at start.
  await ctx.restart();
  void vscode.window.showInformationMessage(key.trim() ? `Torbit: the ${pick.label} key is stored.` : `Torbit: the stored ${pick.label} key was removed.`);
}

export const chatCommands = {
  'torbit.openChat': (_ctx: Ctx) => () => vscode.commands.executeCommand('torbit.chat.focus'),
  // Governance lives in the panel (its own container), so the chat keeps the side bar's height.
  'torbit.showGovernance': (_ctx: Ctx) => () => vscode.commands.executeCommand('torbit.governance.focus'),
  // /skills: Governance, with its Agent Skills section open and read again from disk.
  'torbit.skills.list': (ctx: Ctx) => async () => {
    await vscode.commands.executeCommand('torbit.governance.focus');
    await ctx.governance?.refreshSkills(true);
  },
  'torbit.setApiKey': (ctx: Ctx) => () => setApiKey(ctx),
  'torbit.newSession': (ctx: Ctx) => async () => {
    await vscode.commands.executeCommand('torbit.chat.focus');
    await ctx.chat?.newSession();
  },
  'torbit.stopRun': (ctx: Ctx) => async () => {
    if (!(await ctx.chat?.stop())) void vscode.window.showInformationMessage('Torbit: nothing is running.');
  },
} satisfies Record<string, CommandFactory>;
