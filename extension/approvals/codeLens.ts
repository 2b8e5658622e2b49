// Code lenses on proposed changes. Where the proposed text is in view (the inline review, the
// proposal side of a diff, how a new file is reviewed): above each hunk, Approve / Reject / Diff,
// and Approve all in file. In the file itself, which shows only the text as it is: above each
// hunk, what it changes and Review Inline, so each hunk is decided where it is seen.
import * as vscode from 'vscode';
import { approvalWords, hunkWords, type ApprovalView, type HunkView } from '../../server/protocol';
import { fileOfInline, INLINE_SCHEME, type InlineReview } from './inline';
import { APPROVAL_SCHEME, parseProposalUri } from './proposal';
import type { ApprovalStore } from './store';

interface Place {
  a: ApprovalView;
  h: HunkView;
  line: number;
}

export class ApprovalLenses implements vscode.CodeLensProvider {
  readonly onDidChangeCodeLenses: vscode.Event<void>;

  constructor(private readonly store: ApprovalStore, private readonly inline: InlineReview) {
    // The inline review follows every change of the store (and its own rebuilds).
    this.onDidChangeCodeLenses = inline.onDidChangeModels;
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (doc.uri.scheme === APPROVAL_SCHEME) {
      const p = parseProposalUri(doc.uri);
      const a = p?.side === 'after' ? this.store.get(p.id) : undefined;
      if (!a?.edit) return [];
      let shift = 0;
      return this.decidable(doc, a.edit.hunks.map((h) => {
        const line = h.line + shift;
        shift += h.added - h.removed;
        return { a, h, line };
      }));
    }
    if (doc.uri.scheme === INLINE_SCHEME) {
      const m = this.inline.modelOf(doc);
      if (!m || !fileOfInline(doc.uri)) return [];
      return this.decidable(doc, m.blocks.flatMap((b) => {
        const a = this.store.get(b.approvalId);
        const h = a?.edit?.hunks.find((x) => x.index === b.hunk);
        return a && h ? [{ a, h, line: b.start }] : [];
      }));
    }
    if (doc.uri.scheme !== 'file') return [];
    return this.store.editsOf(doc.uri.fsPath).flatMap((a) => a.edit!.hunks.flatMap((h) => {
      const range = rangeAt(doc, h.line);
      const label = this.label(a, h);
      const chosen = this.store.choice(a.id, h.index);
      return [
        new vscode.CodeLens(range, { title: chosen ? `${label}: ${chosen.approve ? 'approved' : 'rejected'}, waiting for the other changes` : label, command: '', tooltip: `${approvalWords(a).want} ${approvalWords(a).why}` }),
        new vscode.CodeLens(range, { title: 'Review Inline', command: 'torbit.approval.review', arguments: [a.id, h.index], tooltip: 'Show the proposed text where it goes, and approve or reject it there' }),
        new vscode.CodeLens(range, { title: 'Diff', command: 'torbit.approval.diff', arguments: [a.id], tooltip: 'Show the whole proposed change in the diff editor' }),
      ];
    }));
  }

  private label(a: ApprovalView, h: HunkView): string {
    const n = a.edit!.hunks.length;
    return `Torbit: ${hunkWords(h, { created: a.edit!.created })}${n > 1 ? ` (change ${h.index + 1} of ${n})` : ''}`;
  }

  /** Lenses to decide each hunk, above where its proposed text is shown. */
  private decidable(doc: vscode.TextDocument, places: Place[]): vscode.CodeLens[] {
    const out: vscode.CodeLens[] = [];
    let first = true;
    for (const { a, h, line } of places) {
      const range = rangeAt(doc, line);
      const label = this.label(a, h);
      const chosen = this.store.choice(a.id, h.index);
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
    return out;
  }
}

function rangeAt(doc: vscode.TextDocument, line: number): vscode.Range {
  const l = Math.max(0, Math.min(line, doc.lineCount - 1));
  return new vscode.Range(l, 0, l, 0);
}
