// Code lenses on proposed changes: above each pending hunk in the file, Approve / Reject / Diff,
// and Approve all in file; on the proposal side of a diff (how a new file is reviewed) the same.
import * as vscode from 'vscode';
import { approvalWords, hunkWords, type ApprovalView } from '../../server/protocol';
import { APPROVAL_SCHEME, parseProposalUri } from './proposal';
import type { ApprovalStore } from './store';

export class ApprovalLenses implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly store: ApprovalStore) {
    this.onDidChangeCodeLenses = store.onDidChange;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (doc.uri.scheme === APPROVAL_SCHEME) {
      const p = parseProposalUri(doc.uri);
      const a = p?.side === 'after' ? this.store.get(p.id) : undefined;
      return a?.edit ? this.lenses(doc, [a], 'after') : [];
    }
    if (doc.uri.scheme !== 'file') return [];
    return this.lenses(doc, this.store.editsOf(doc.uri.fsPath), 'before');
  }

  private lenses(doc: vscode.TextDocument, approvals: ApprovalView[], side: 'before' | 'after'): vscode.CodeLens[] {
    const out: vscode.CodeLens[] = [];
    let first = true;
    for (const a of approvals) {
      const hunks = a.edit!.hunks;
      let shift = 0;
      for (const h of hunks) {
        const line = Math.max(0, Math.min(side === 'before' ? h.line : h.line + shift, doc.lineCount - 1));
        shift += h.added - h.removed;
        const range = new vscode.Range(line, 0, line, 0);
        const chosen = this.store.choice(a.id, h.index);
        const label = `Torbit: ${hunkWords(h, { created: a.edit!.created })}${hunks.length > 1 ? ` (change ${h.index + 1} of ${hunks.length})` : ''}`;
        const words = approvalWords(a);
        if (chosen) {
          out.push(new vscode.CodeLens(range, { title: `${label}: ${chosen.approve ? 'approved' : 'rejected'}, waiting for the other changes`, command: '' }));
          continue;
        }
        const args = [a.id, h.index];
        out.push(
          new vscode.CodeLens(range, { title: label, command: '', tooltip: `${words.want} ${words.why}` }),
          new vscode.CodeLens(range, { title: 'Approve', command: 'torbit.approval.approve', arguments: args, tooltip: 'Apply this hunk' }),
          new vscode.CodeLens(range, { title: 'Reject', command: 'torbit.approval.reject', arguments: args, tooltip: 'Do not apply this hunk; the model is told, with your reason' }),
          new vscode.CodeLens(range, { title: 'Diff', command: 'torbit.approval.diff', arguments: [a.id], tooltip: 'Show the whole proposed change in the diff editor' }),
        );
        if (first) {
          out.push(new vscode.CodeLens(range, {
            title: 'Approve all in file', command: 'torbit.approval.approveAllInFile', arguments: [a.edit!.absPath],
            tooltip: 'Apply every pending hunk proposed for this file',
          }));
          first = false;
        }
      }
    }
    return out;
  }
}
