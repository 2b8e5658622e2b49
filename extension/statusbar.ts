// The status bar item: the backend's state at a glance; a click opens the log.
import * as vscode from 'vscode';
import type { BackendView } from '../server/protocol';

export class StatusBar implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('torbit.backend', vscode.StatusBarAlignment.Left, 10);
  private readonly pending = vscode.window.createStatusBarItem('torbit.approvals', vscode.StatusBarAlignment.Left, 9);

  constructor() {
    this.item.name = 'Torbit Backend';
    this.item.command = 'torbit.showLogs';
    this.show({ state: 'starting' });
    this.item.show();
    this.pending.name = 'Torbit Approvals';
    this.pending.command = 'torbit.approval.review';
    this.pending.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
  }

  /** How many decisions the backend waits for; a click shows the oldest. */
  showApprovals(n: number): void {
    this.pending.text = `$(bell-dot) ${n} approval${n === 1 ? '' : 's'}`;
    this.pending.tooltip = `Torbit is waiting for your decision on ${n} proposed action${n === 1 ? '' : 's'}. Click to review.`;
    if (n > 0) this.pending.show();
    else this.pending.hide();
  }

  show(view: BackendView): void {
    const s = view.status;
    const md = new vscode.MarkdownString('', true);
    md.appendMarkdown(`**Torbit backend: ${view.state}**`);
    if (view.detail) md.appendMarkdown(`\n\n${escapeMarkdown(view.detail)}`);
    if (s) {
      md.appendMarkdown(`\n\n- version ${s.version}, pid ${s.pid}\n- data: \`${s.dataDir}\` (${s.dataDirSource})\n- schema: ${s.schemaVersion ?? 'n/a'}`);
      for (const n of s.notices) md.appendMarkdown(`\n- $(warning) ${escapeMarkdown(n)}`);
    }
    if (!vscode.workspace.isTrusted) md.appendMarkdown('\n\n$(shield) Restricted mode: the workspace is untrusted, so the AI only reads (no edits, no commands, no shipping). Trust the folder to allow them.');
    md.appendMarkdown('\n\nClick to open the Torbit log.');
    this.item.tooltip = md;
    this.item.backgroundColor = view.state === 'error' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.item.text = {
      starting: '$(sync~spin) Torbit: starting',
      ready: '$(check) Torbit: ready',
      error: '$(error) Torbit: error',
      stopped: '$(circle-slash) Torbit: stopped',
    }[view.state];
  }

  dispose(): void {
    this.item.dispose();
    this.pending.dispose();
  }
}

/** Text shown literally inside Markdown (a tooltip). */
export function escapeMarkdown(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!<>|]/g, '\\$&');
}
