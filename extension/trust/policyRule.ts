// "Always allow…" on a pending command: the backend's proposed rule for .torbit/policy.json shown
// in VS Code's diff editor against the file as it is, then a modal with the new sha256; written
// (and the command approved) only when the person approves, and only if the file did not change
// meanwhile. Then the new sha256, and a reminder when torbit.policyHash pins the old one.
import * as vscode from 'vscode';
import { rpc, type ApprovalView, type PolicyRuleProposal } from '../../server/protocol';
import type { Ctx } from '../ctx';

export const POLICY_RULE_SCHEME = 'torbit-policy-rule';

export class PolicyRuleContent implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /** Proposes, shows the diff, asks, writes. Returns whether the rule was written (and the approval approved). */
  async alwaysAllow(ctx: Ctx, a: ApprovalView): Promise<boolean> {
    const p = await ctx.request(rpc.policyProposeRule, { approvalId: a.id });
    const stamp = Date.now();
    const before = vscode.Uri.from({ scheme: POLICY_RULE_SCHEME, path: `/${stamp}/policy.json`, query: 'current' });
    const after = vscode.Uri.from({ scheme: POLICY_RULE_SCHEME, path: `/${stamp}/policy.json`, query: 'proposed' });
    // With no file yet, the left side is the built-in default written out: the diff shows the rule alone.
    this.texts.set(before.toString(), p.baseline);
    this.texts.set(after.toString(), p.after);
    let choice: string | undefined;
    const approve = 'Add Rule and Approve';
    try {
      await vscode.commands.executeCommand('vscode.diff', before, after, `.torbit/policy.json: ${p.before === null ? 'built-in default (no file yet)' : 'as it is'} ↔ always allowing ${p.label}`, { preview: true });
      revealChange(after, p.baseline, p.after);
      choice = await vscode.window.showInformationMessage(
        `Add this rule to .torbit/policy.json, and approve this command?`,
        { modal: true, detail: detail(p) }, approve);
    } finally {
      // The decision is made: the diff's left side would only go stale.
      await this.closeDiff(after);
      this.texts.delete(before.toString());
      this.texts.delete(after.toString());
    }
    if (choice !== approve) return false;
    const w = await ctx.request(rpc.policyWriteRule, { approvalId: a.id, expectedHashBefore: p.hashBefore });
    ctx.approvals.remove(a.id);
    void ctx.governance?.refresh();
    const done = `Torbit: ${p.label} is now allowed by .torbit/policy.json${w.approved ? ', and this command was approved' : ''}. New sha256: ${w.hash}`;
    if (!(await remindOfPin(done, w.hash))) void vscode.window.showInformationMessage(done);
    return true;
  }

  private async closeDiff(proposed: vscode.Uri): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === proposed.toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  }
}

/** Scrolls the proposed side so the change sits at the top, above the modal that asks about it. */
function revealChange(uri: vscode.Uri, before: string, after: string): void {
  const a = before.split('\n');
  const b = after.split('\n');
  let line = 0;
  while (line < b.length && a[line] === b[line]) line++;
  const editor = vscode.window.visibleTextEditors.find((e) => e.document.uri.toString() === uri.toString());
  editor?.revealRange(new vscode.Range(Math.max(0, line - 3), 0, Math.min(b.length - 1, line + 1), 0), vscode.TextEditorRevealType.AtTop);
}

/** The modal's detail: what the rule allows, what still wins over it, and the sha256s. */
function detail(p: PolicyRuleProposal): string {
  const what = p.rule.match === 'exact' ? `exactly ${JSON.stringify(p.rule.argv)}` : `commands starting with ${JSON.stringify(p.rule.argv)}`;
  return [
    `Rule: allow ${what} (${p.label}) without asking, from now on, in every session.`,
    'It goes last: your rules that deny or ask still win, and shell syntax, shells, wrappers and programs given by path still ask.',
    '',
    `${p.before === null ? 'There is no policy file yet: the built-in default is written out with the rule.' : `Current sha256: ${p.hashBefore ?? ''}`}`,
    `New sha256: ${p.hashAfter}`,
    'The change is recorded in the audit log; if the file changes before you approve, nothing is written.',
  ].join('\n');
}

/**
 * When torbit.policyHash pins a sha256 the file no longer has (every action asks until it is
 * updated), says so with what was done, in one warning, and returns true. The setting is
 * machine-overridable, so Torbit may write it where it is set (user, workspace or folder
 * settings); if that fails, the Settings editor opens on it.
 */
async function remindOfPin(done: string, hash: string): Promise<boolean> {
  const folder = vscode.workspace.workspaceFolders?.[0];
  const cfg = vscode.workspace.getConfiguration('torbit', folder);
  const pinned = cfg.get<string>('policyHash', '').trim().toLowerCase();
  if (!pinned || pinned === hash) return false;
  const update = 'Update torbit.policyHash';
  const pick = await vscode.window.showWarningMessage(
    `${done}. But torbit.policyHash still pins the old sha256 (${pinned.slice(0, 12)}…), so the new policy is refused and every action asks until you update the pin.`,
    update, 'Open Settings');
  if (pick === update) {
    const i = cfg.inspect<string>('policyHash');
    const target = i?.workspaceFolderValue ? vscode.ConfigurationTarget.WorkspaceFolder
      : i?.workspaceValue ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    try {
      await cfg.update('policyHash', hash, target);
      void vscode.window.showInformationMessage(`Torbit: torbit.policyHash now pins ${hash.slice(0, 12)}…; the backend restarts with it.`);
      return true;
    } catch {
      // Fall through to the Settings editor.
    }
  }
  if (pick) await vscode.commands.executeCommand('workbench.action.openSettings', 'torbit.policyHash');
  return true;
}
