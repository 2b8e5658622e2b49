// A repository's .torbit/policy.json that loosens Torbit's built-in policy is not applied until
// the person accepts that exact file (the backend keeps the default in force meanwhile). Here the
// person is told, once per file per window, what it loosens, and can accept it
// (torbit/policy/accept) or keep the default. The Governance view shows the state and offers the
// same review (torbit.policy.review).
import * as vscode from 'vscode';
import { rpc, type PolicyView } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { fail } from '../commands/fail';
import { onFilesChange } from '../fileWatch';

type Pending = NonNullable<PolicyView['pending']>;

/** Watches for a pending loosening (backend ready, the file changed) and asks the person once per hash. */
export function watchPolicyAcceptance(ctx: Ctx): vscode.Disposable {
  const asked = new Set<string>();
  const check = async () => {
    if (ctx.backend.state !== 'ready' || !vscode.workspace.isTrusted) return;
    const view = await ctx.request(rpc.policyGet, {});
    if (!view.pending || asked.has(view.pending.hash)) return;
    asked.add(view.pending.hash);
    await offer(ctx, view.pending);
  };
  const run = () => { void check().catch(fail(ctx, 'policy acceptance')); };
  return vscode.Disposable.from(
    ctx.onDidChangeBackend((b) => { if (b.state === 'ready') run(); }),
    onFilesChange('**/.torbit/policy.json', run, ['change', 'create']),
  );
}

/** The notification: what the file loosens, at a glance, with Review and Accept / Keep Default. */
async function offer(ctx: Ctx, pending: Pending): Promise<void> {
  const glance = pending.loosens.slice(0, 2).join('; ') + (pending.loosens.length > 2 ? `; and ${pending.loosens.length - 2} more` : '');
  const choice = await vscode.window.showWarningMessage(
    `This repository's .torbit/policy.json would let the AI do more without asking: ${glance}. Torbit's built-in policy applies until you accept it.`,
    'Review and Accept', 'Keep Default',
  );
  if (choice === 'Review and Accept') await review(ctx, pending);
}

/** Opens the file and asks, modally, with everything it loosens listed; Accept sends its sha256. */
async function review(ctx: Ctx, pending: Pending): Promise<boolean> {
  const view = await ctx.request(rpc.policyGet, {});
  await vscode.window.showTextDocument(vscode.Uri.file(view.path), { preview: true, preserveFocus: true }).then(undefined, () => undefined);
  const accept = 'Accept This Policy';
  const choice = await vscode.window.showWarningMessage('Accept this repository\'s policy?', {
    modal: true,
    detail: [
      'It loosens Torbit\'s built-in policy:',
      ...pending.loosens.map((l) => `• ${l}`),
      '',
      `You accept exactly this file (sha256 ${pending.hash}); if it changes, you are asked again. The acceptance is recorded in the audit log.`,
    ].join('\n'),
  }, accept, 'Keep Default');
  if (choice !== accept) return false;
  const now = await ctx.request(rpc.policyAccept, { sha256: pending.hash });
  void ctx.governance?.refresh();
  void vscode.window.showInformationMessage(`Torbit: the repository's policy (sha256 ${now.hash.slice(0, 12)}…) is accepted and in force.`);
  return true;
}

/** torbit.policy.review: the same review, from the Governance view or the palette. */
export const policyCommands = {
  'torbit.policy.review': (ctx: Ctx) => () => ctx.request(rpc.policyGet, {}).then(async (view) => {
    if (!view.pending) {
      void vscode.window.showInformationMessage(view.acceptance === 'accepted'
        ? 'Torbit: the repository\'s policy is accepted and in force.'
        : 'Torbit: there is no repository policy waiting for your acceptance.');
      return;
    }
    await review(ctx, view.pending);
  }).catch(fail(ctx, 'policy review')),
} as const;
