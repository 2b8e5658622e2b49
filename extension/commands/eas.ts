// Commands of EAS shipping: the pipeline diagnostics (with the fixes Torbit can make from there),
// creating or completing eas.json through an approved diff, and the Expo token in secret storage.
import * as vscode from 'vscode';
import { CHECK_MARK } from '../../server/protocol';
import { EXPO_TOKEN_ENV } from '../../server/secrets';
import type { Ctx } from '../ctx';
import { hasExpoToken, storeExpoToken } from '../secrets';
import { checkRows } from '../eas/diagnosticRows';
import { fail } from './fail';


type Item = vscode.QuickPickItem & { run?: string };

export const easCommands = {
  'torbit.eas.diagnose': (ctx: Ctx) => async () => {
    const d = await ctx.pipeline?.refresh();
    if (!d) { fail(ctx, 'running the pipeline checks')(new Error(`the Torbit backend is ${ctx.backend.state}`)); return; }
    if (!d.expo) {
      void vscode.window.showInformationMessage(`Torbit: this workspace is not an Expo app (${d.checks[0]?.detail ?? 'no app.json'}).`);
      return;
    }
    const easJson = d.checks.find((c) => c.id === 'eas-json');
    // What Torbit can fix from here, by check: offered under "Fix", and run when a row of the check is picked.
    const fixCommand: Partial<Record<string, string>> = {};
    const actions: Item[] = [];
    // Missing, or missing profiles: Torbit can merge its defaults in (a damaged file is the person's to fix).
    if (easJson && (easJson.detail === 'missing' || easJson.state === 'warn')) {
      actions.push({ label: easJson.detail === 'missing' ? '$(add) Create eas.json' : '$(add) Add the missing eas.json profiles', run: (fixCommand['eas-json'] = 'torbit.eas.createConfig') });
    }
    if (d.checks.find((c) => c.id === 'expo-token')?.state !== 'ok') actions.push({ label: '$(key) Set Expo Token', run: (fixCommand['expo-token'] = 'torbit.eas.setToken') });
    // Each check's finding and fix wrapped into rows that show whole (a quick pick cuts a long line with "…").
    const items: Item[] = d.checks.flatMap((c) => checkRows(c).map((r) => ({ label: r.label, ...(r.description ? { description: r.description } : {}), run: fixCommand[r.check] })));
    const pick = await vscode.window.showQuickPick([
      ...(actions.length ? [{ label: 'Fix', kind: vscode.QuickPickItemKind.Separator }, ...actions] : []),
      { label: `Checks: ${CHECK_MARK[d.state]}`, kind: vscode.QuickPickItemKind.Separator },
      ...items,
    ], { title: `Torbit: EAS Pipeline Diagnostics ${CHECK_MARK[d.state]}`, placeHolder: 'Each check, what it found, and what to set where', matchOnDescription: true });
    if (pick?.run) await vscode.commands.executeCommand(pick.run);
  },
  'torbit.eas.createConfig': (ctx: Ctx) => async () => {
    try {
      if (await ctx.easProposals.propose(ctx)) await ctx.pipeline?.refresh();
    } catch (err) {
      fail(ctx, 'proposing eas.json')(err as Error);
    }
  },
  'torbit.eas.setToken': (ctx: Ctx) => async () => {
    const stored = await hasExpoToken(ctx.extension.secrets);
    const token = await vscode.window.showInputBox({
      title: `Expo access token (${EXPO_TOKEN_ENV})`,
      prompt: stored ? 'Enter a new token, or leave empty to remove the stored one.' : 'Create one at expo.dev → Account settings → Access tokens. It is kept in VS Code\'s secret storage and given to eas-cli only.',
      password: true,
      ignoreFocusOut: true,
      validateInput: (v) => (v && /\s/.test(v.trim()) ? 'A token has no spaces' : undefined),
    });
    if (token === undefined) return;
    await storeExpoToken(ctx.extension.secrets, token.trim() || undefined);
    // The backend reads secrets from its environment at start.
    await ctx.restart();
    void vscode.window.showInformationMessage(token.trim() ? 'Torbit: the Expo token is stored.' : 'Torbit: the stored Expo token was removed.');
  },
};
