// The EAS pipeline's status bar item: shown in an Expo workspace only, ✓ ⚠ or ✗ with every check
// in its tooltip, and the state of any running build or submission; re-checked when the backend
// is ready and when eas.json, app.json, app.config.* or package.json change. A click runs
// "Torbit: Pipeline Diagnostics".
import * as vscode from 'vscode';
import { CHECK_MARK, describeSpec, PLATFORM_NAME, rpc, type Diagnostics, type RunView } from '../../server/protocol';
import type { RunTracker } from './runTracker';
import { progressText } from './runTracker';
import type { Ctx } from '../ctx';
import { escapeMarkdown } from '../statusbar';
import { onFilesChange } from '../fileWatch';

const ICON = { ok: '$(rocket)', warn: '$(warning)', fail: '$(error)' } as const;

export class PipelineStatus implements vscode.Disposable {
  private readonly item = vscode.window.createStatusBarItem('torbit.eas', vscode.StatusBarAlignment.Left, 8);
  private readonly subs: vscode.Disposable[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** The last diagnostics (the command reuses them while fresh). */
  last: Diagnostics | undefined;

  constructor(private readonly ctx: Ctx, private readonly runs: RunTracker) {
    this.item.name = 'Torbit EAS Pipeline';
    this.item.command = 'torbit.eas.diagnose';
    const soon = () => this.schedule();
    this.subs.push(onFilesChange('**/{eas.json,app.json,app.config.*,package.json}', soon),
      ctx.onDidChangeBackend((v) => { if (v.state === 'ready') soon(); }),
      runs.onDidChange(() => { if (this.last) this.render(this.last); }));
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
    this.render(d);
    return d;
  }

  private render(d: Diagnostics): void {
    if (!d.expo) {
      this.item.hide();
      return;
    }
    const bad = d.checks.filter((c) => c.state !== 'ok').length;
    const active = this.runs.active();
    const lead = active[0];
    this.item.text = `${lead ? '$(sync~spin)' : ICON[d.state]} EAS ${CHECK_MARK[d.state]}${lead ? ` · ${runLabel(lead)}${active.length > 1 ? ` +${active.length - 1}` : ''}` : ''}`;
    this.item.backgroundColor = d.state === 'fail' ? new vscode.ThemeColor('statusBarItem.errorBackground') : d.state === 'warn' ? new vscode.ThemeColor('statusBarItem.warningBackground') : undefined;
    const md = new vscode.MarkdownString('', true);
    md.appendMarkdown(`**EAS pipeline ${CHECK_MARK[d.state]}**${bad ? ` (${bad} to look at)` : ''}\n\n`);
    for (const c of d.checks) {
      md.appendMarkdown(`${CHECK_MARK[c.state]} **${c.title}**: ${escapeMarkdown(c.detail)}\n\n`);
      if (c.fix) md.appendMarkdown(`&nbsp;&nbsp;&nbsp;→ ${escapeMarkdown(c.fix)}\n\n`);
    }
    const recent = this.runs.all().slice(0, 5);
    if (recent.length) {
      md.appendMarkdown('---\n\n**Runs**\n\n');
      for (const r of recent) md.appendMarkdown(`${r.state === 'succeeded' ? '✓' : r.state === 'failed' ? '✗' : r.state === 'canceled' ? '⊘' : '⟳'} ${escapeMarkdown(describeSpec(r.spec))}: ${escapeMarkdown(r.state === 'failed' ? r.error ?? r.detail : progressText(r))}\n\n`);
    }
    md.appendMarkdown('Click for Torbit: Pipeline Diagnostics.');
    this.item.tooltip = md;
    this.item.accessibilityInformation = { label: `EAS pipeline: ${d.state}, ${bad} check(s) to look at${lead ? `; ${describeSpec(lead.spec)}: ${progressText(lead)}` : ''}` };
    this.item.show();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.item.dispose();
    for (const s of this.subs) s.dispose();
  }
}

/** A running run, short enough for the status bar: "iOS build IN_PROGRESS", "iOS submission IN_QUEUE". */
function runLabel(r: RunView): string {
  const status = r.phase === 'submit' ? r.submission?.status : r.build?.status;
  return `${PLATFORM_NAME[r.spec.platform]} ${r.phase === 'submit' ? 'submission' : 'build'}${status ? ` ${status}` : r.state === 'queued' ? ' queued' : ''}`;
}
