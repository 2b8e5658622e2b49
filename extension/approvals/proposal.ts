// A pending edit's text before and after, as read-only documents (scheme torbit-approval), so
// the VS Code diff editor can show what the model proposes; a new file is reviewed there.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { rpc, type ApprovalView } from '../../server/protocol';
import type { Ctx } from '../ctx';

export const APPROVAL_SCHEME = 'torbit-approval';

export type Side = 'before' | 'after';

export function proposalUri(a: ApprovalView, side: Side): vscode.Uri {
  return vscode.Uri.from({ scheme: APPROVAL_SCHEME, path: `/${a.id}/${side}/${path.basename(a.edit?.absPath ?? a.title)}` });
}

export function parseProposalUri(uri: vscode.Uri): { id: string; side: Side } | undefined {
  const m = /^\/([^/]+)\/(before|after)\//.exec(uri.path);
  return m ? { id: m[1]!, side: m[2] as Side } : undefined;
}

export class ProposalContent implements vscode.TextDocumentContentProvider {
  constructor(private readonly ctx: Ctx) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    const p = parseProposalUri(uri);
    if (!p) return '';
    try {
      const t = await this.ctx.request(rpc.approvalGet, { approvalId: p.id });
      return (p.side === 'before' ? t.before : t.after) ?? '';
    } catch (err) {
      return `(this proposal is no longer pending: ${(err as Error).message})`;
    }
  }
}

/** Opens the diff of a pending edit: the file as it is against the proposal. */
export async function openProposalDiff(a: ApprovalView): Promise<void> {
  if (!a.edit) throw new Error('only edits have a diff');
  const left = a.edit.created ? proposalUri(a, 'before') : vscode.Uri.file(a.edit.absPath);
  const title = `${a.edit.path} (${a.edit.created ? 'new file' : 'change'} proposed by Torbit)`;
  await vscode.commands.executeCommand('vscode.diff', left, proposalUri(a, 'after'), title, { preview: true });
}
