// The EAS pipeline's status bar item: shown in an Expo workspace only, ✓ ⚠ or ✗ with every check
// in its tooltip; re-checked when the backend is ready and when eas.json, app.json, app.config.*
// or package.json change. A click runs "Torbit: Pipeline Diagnostics".
import * as vscode from 'vscode';
import { CHECK_MARK, rpc, type Diagnostics } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { escapeMarkdown } from '../statusbar';

const ICON = { ok: '$(rocket)', warn: '$(warning)', fail: '$(error)' } as const;

export class PipelineStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('torbit.eas', vscode.StatusBarAlignment.Left, 8);
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The last diagnostics (the command reuses them while fresh). */
  last: Diagnostics | undefined;

  constructor(private readonly ctx: Ctx) {
    this.item.name = 'Torbit EAS Pipeline';
    this.item.command = 'torbit.eas.diagnose';
    const watcher = vscode.workspace.createFileSystemWatcher('**/{eas.json,app.json,app.config.*,package.json}');
    const soon = () => this.schedule();
    this.subs.push(watcher, watcher.onDidChange(soon), watcher.onDidCreate(soon), watcher.onDidDelete(soon),
      ctx.onDidChangeBackend((v) => { if (v.state === 'ready') soon(); }));
  }

  private schedule(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.refresh(), 300);
  }

  /** Runs the checks and shows them; undefined when the backend cannot answer. */
  async refresh(): Promise<Diagnostics | undefined> {
    let d: Diagnostics;
    try {
      d = await this.ctx.request(rpc.easDiagnose, {});
    } catch (err) {
      this.ctx.log.debug(`EAS diagnostics: ${(err as Error).message}`);
      return undefined;
    }
    this.last = d;
    if (!d.expo) {
      this.item.hide();
      return d;
    }
    const bad = d.checks.filter((c) => c.state !== 'ok').length;
    this.item.text = `${ICON[d.state]} EAS ${CHECK_MARK[d.state]}`;
    this.item.backgroundColor = d.state === 'fail' ? new vscode.ThemeColor('statusBarItem.errorBackground') : d.state === 'warn' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const md = new vscode.MarkdownString('', true);
    md.appendMarkdown(`**EAS pipeline ${CHECK_MARK[d.state]}**${bad ? ` (${bad} to look at)` : ''}\n\n`);
    for (const c of d.checks) {
      md.appendMarkdown(`${CHECK_MARK[c.state]} **${c.title}**: ${escapeMarkdown(c.detail)}\n\n`);
      if (c.fix) md.appendMarkdown(`&nbsp;&nbsp;&nbsp;→ ${escapeMarkdown(c.fix)}\n\n`);
    }
    md.appendMarkdown('Click for Torbit: Pipeline Diagnostics.');
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: `EAS pipeline: ${d.state}, ${bad} check(s) to look at` };
    this.item.show();
    return d;
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
    for (const s of this.subs) s.dispose();
  }
}
