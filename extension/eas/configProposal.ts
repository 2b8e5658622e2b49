// eas.json as Torbit proposes it, shown in VS Code's diff editor against the file as it is, then
// written only when the person approves (and only if the file did not change meanwhile).
import * as vscode from 'vscode';
import { rpc } from '../../server/protocol';
import type { Ctx } from '../ctx';

export const EAS_SCHEME = 'torbit-eas';

export class EasProposalContent implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  /**
   * Proposes, shows the diff, asks, writes. Returns whether eas.json was written; with `track`,
   * whether it is (now) pointed at that track, so nothing to change counts as done.
   */
  async propose(ctx: Ctx, o: { track?: { profile: string; track: string } } = {}): Promise<boolean> {
    const p = await ctx.request(rpc.easProposeConfig, o.track ? { track: o.track } : {});
    if (!p.added.length && !p.changed.length && p.before !== null) {
      if (o.track) return true;
      void vscode.window.showInformationMessage('Torbit: eas.json already has the development, preview and production build profiles and a production submit profile.');
      return false;
    }
    const stamp = Date.now();
    const before = vscode.Uri.from({ scheme: EAS_SCHEME, path: `/${stamp}/eas.json`, query: 'current' });
    const after = vscode.Uri.from({ scheme: EAS_SCHEME, path: `/${stamp}/eas.json`, query: 'proposed' });
    this.texts.set(before.toString(), p.before ?? '');
    this.texts.set(after.toString(), p.after);
    const purpose = o.track ? `submitting to Google Play's ${o.track.track} track` : 'with Torbit\'s defaults';
    await vscode.commands.executeCommand('vscode.diff', before, after, `eas.json: ${p.before === null ? 'new' : 'as it is'} ↔ ${purpose}`);
    const approve = 'Approve and Write';
    const what = [p.added.length ? `adding ${p.added.join(', ')}` : '', p.changed.length ? `changing ${p.changed.join(', ')}` : ''].filter(Boolean).join(' and ');
    const choice = await vscode.window.showInformationMessage(
      `Torbit: ${p.before === null ? 'create' : 'update'} eas.json, ${what}?`,
      { modal: true, detail: p.changed.length ? 'Only what is named changes; the diff shows exactly what.' : 'Nothing you wrote changes; the diff shows exactly what is added.' }, approve);
    // The decision is made: the diff's left side would only go stale.
    await this.closeDiff(after);
    this.texts.delete(before.toString());
    this.texts.delete(after.toString());
    if (choice !== approve) return false;
    const w = await ctx.request(rpc.easWriteConfig, { before: p.before, after: p.after });
    void vscode.window.showInformationMessage(`Torbit: ${w.file} written.`);
    return true;
  }

  private async closeDiff(proposed: vscode.Uri): Promise<void> {
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs)
      .filter((t) => t.input instanceof vscode.TabInputTextDiff && t.input.modified.toString() === proposed.toString());
    if (tabs.length) await vscode.window.tabGroups.close(tabs);
  }
}
