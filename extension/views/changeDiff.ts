// Shows a change a tool applied in VS Code's diff editor: the text before (kept by the backend)
// against the file as it is now.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { rpc } from '../../server/protocol';
import type { Ctx } from '../ctx';

export const CHANGE_SCHEME = 'torbit-change';

export class ChangeContent implements vscode.TextDocumentContentProvider {
  private readonly texts = new Map<string, string>();

  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? '';
  }

  async open(ctx: Ctx, changeId: number): Promise<void> {
    const c = await ctx.request(rpc.changeGet, { changeId });
    const before = vscode.Uri.from({ scheme: CHANGE_SCHEME, path: `/${changeId}/${path.basename(c.absPath)}`, query: 'before' });
    this.texts.set(before.toString(), c.before ?? '');
    const title = `${c.path} (${c.before === null ? 'created' : 'changed'} by Torbit, change #${changeId})`;
    await vscode.commands.executeCommand('vscode.diff', before, vscode.Uri.file(c.absPath), title);
  }
}
