// A review's blockers as diagnostics: each on its line of the file's new version, in the
// Problems panel, until the next review replaces them.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Blocker, ReviewResult } from '../../server/protocol';

const SEVERITY: Record<Blocker['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

export function showBlockers(collection: vscode.DiagnosticCollection, r: ReviewResult): number {
  collection.clear();
  const byFile = new Map<string, vscode.Diagnostic[]>();
  for (const b of r.review.verdict.blockers) {
    const file = path.join(r.bundle.root, ...b.file.split('/'));
    const line = b.line - 1;
    const d = new vscode.Diagnostic(new vscode.Range(line, 0, line, Number.MAX_SAFE_INTEGER), b.message, SEVERITY[b.severity]);
    d.source = `Torbit review${r.review.verdict.meta.simulated ? ' (simulated)' : ''}`;
    d.code = `review ${r.review.id}`;
    byFile.set(file, [...(byFile.get(file) ?? []), d]);
  }
  for (const [file, list] of byFile) collection.set(vscode.Uri.file(file), list);
  return r.review.verdict.blockers.length;
}
