// Background runs as the person sees them: a cancellable progress notification per active run
// (shown again after a reload, since the backend keeps the runs), their eas-cli output in the
// "Torbit EAS" channel, and the outcome with its build link or its error.
import * as vscode from 'vscode';
import { checkExpoUrl } from '../../server/eas/expoUrl';
import { describeSpec, rpc, TERMINAL_STATES, type RunView } from '../../server/protocol';
import type { Ctx } from '../ctx';

interface Shown {
  progress: vscode.Progress<{ message?: string }>;
  resolve(): void;
}

const isActive = (r: RunView) => !TERMINAL_STATES.includes(r.state);

/** Opens a build link in the browser only when it is https on expo.dev (the backend checks too; the database could be planted). */
async function openBuildLink(raw: string): Promise<void> {
  const c = checkExpoUrl(raw);
  if (!c.ok) {
    void vscode.window.showErrorMessage(`Torbit EAS: not opening the build link: ${c.reason}`);
    return;
  }
  await vscode.env.openExternal(vscode.Uri.parse(c.url, true));
}

export class RunTracker implements vscode.Disposable {
  readonly output = vscode.window.createOutputChannel('Torbit EAS');
  private readonly runs = new Map<string, RunView>();
  private readonly shown = new Map<string, Shown>();
  /** Runs whose output this window has streamed (the others' logs are fetched when asked). */
  private readonly streamed = new Set<string>();
  private lastOutput: string | undefined;
  private readonly changed = new vscode.EventEmitter<void>();
  /** Fires when a run comes, changes or goes (the status bar and the Governance view follow). */
  readonly onDidChange = this.changed.event;
  private readonly subs: vscode.Disposable[];

  constructor(private readonly ctx: Ctx) {
    this.subs = [
      ctx.onRunChanged((r) => this.update(r)),
      ctx.onRunOutput((o) => this.append(o.runId, o.chunk)),
      ctx.onDidChangeBackend((v) => { if (v.state === 'ready') void this.reload(); }),
    ];
  }

  all(): RunView[] {
    return [...this.runs.values()].sort((a, b) => b.createdAt.localeCompare(a.createdAt));
  }

  active(): RunView[] {
    return this.all().filter(isActive);
  }

  get(id: string): RunView | undefined {
    return this.runs.get(id);
  }

  /** After a (re)start: the backend's runs; the active ones (resumed there) get their progress back. */
  async reload(): Promise<void> {
    try {
      const { runs } = await this.ctx.request(rpc.runList, { limit: 50 });
      this.runs.clear();
      for (const r of runs) this.runs.set(r.id, r);
      for (const r of runs) if (isActive(r)) this.showProgress(r);
      this.changed.fire();
    } catch (err) {
      this.ctx.log.debug(`background runs: ${(err as Error).message}`);
    }
  }

  /** A run this window just started. */
  track(r: RunView): void {
    this.update(r);
    this.output.show(true);
  }

  private update(r: RunView): void {
    const before = this.runs.get(r.id);
    // Notifications can overtake a request's answer: never go back to an older view.
    if (before && before.updatedAt > r.updatedAt) return;
    this.runs.set(r.id, r);
    if (isActive(r)) {
      this.showProgress(r);
      this.shown.get(r.id)?.progress.report({ message: progressText(r) });
    } else if (!before || isActive(before) || this.shown.has(r.id)) {
      this.shown.get(r.id)?.resolve();
      this.shown.delete(r.id);
      if (before && isActive(before)) void this.announce(r);
    }
    this.changed.fire();
  }

  private showProgress(r: RunView): void {
    if (this.shown.has(r.id)) return;
    void vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Torbit EAS: ${describeSpec(r.spec)}`, cancellable: true }, (progress, token) =>
      new Promise<void>((resolve) => {
        this.shown.set(r.id, { progress, resolve });
        progress.report({ message: progressText(this.runs.get(r.id) ?? r) });
        token.onCancellationRequested(() => {
          this.shown.delete(r.id);
          resolve();
          if (isActive(this.runs.get(r.id) ?? r)) void this.cancel(r.id);
        });
      }));
  }

  async cancel(id: string): Promise<void> {
    try {
      const { run } = await this.ctx.request(rpc.runCancel, { runId: id });
      this.update(run);
    } catch (err) {
      void vscode.window.showErrorMessage(`Torbit: canceling the run failed: ${(err as Error).message}`);
    }
  }

  private async announce(r: RunView): Promise<void> {
    const what = describeSpec(r.spec);
    const log = 'Show Log';
    const open = 'Open Build';
    const url = r.build?.url;
    const pick = r.state === 'succeeded'
      ? await vscode.window.showInformationMessage(`Torbit EAS: ${what} succeeded: ${r.detail}`, ...(url ? [open] : []), log)
      : r.state === 'failed'
        ? await vscode.window.showErrorMessage(`Torbit EAS: ${what} failed after ${r.attempt} attempt(s): ${r.error ?? r.detail}`, log)
        : await vscode.window.showWarningMessage(`Torbit EAS: ${what} was canceled (${r.detail}).`, log);
    if (pick === log) await this.showLog(r.id);
    if (pick === open && url) await openBuildLink(url);
  }

  /** The run's log in the output channel (fetched from the backend when this window did not stream it). */
  async showLog(id: string): Promise<void> {
    if (!this.streamed.has(id)) {
      const r = this.runs.get(id);
      const { text, events } = await this.ctx.request(rpc.runLog, { runId: id });
      this.output.appendLine(`── ${r ? describeSpec(r.spec) : 'run'} (run ${id.slice(0, 8)}): the log so far ──`);
      this.output.append(text);
      this.output.appendLine(`events: ${events.map((e) => e.name.replace('background_run.', '')).join(' → ') || 'none'}`);
      this.streamed.add(id);
      this.lastOutput = id;
    }
    this.output.show(true);
  }

  private append(runId: string, chunk: string): void {
    if (this.lastOutput !== runId) {
      const r = this.runs.get(runId);
      this.output.appendLine(`── ${r ? describeSpec(r.spec) : 'run'} (run ${runId.slice(0, 8)}) ──`);
      this.lastOutput = runId;
    }
    this.streamed.add(runId);
    this.output.append(chunk);
  }

  dispose(): void {
    for (const s of this.shown.values()) s.resolve();
    this.shown.clear();
    for (const s of this.subs) s.dispose();
    this.changed.dispose();
    this.output.dispose();
  }
}

/** The progress line: where the run is, and which attempt. */
export function progressText(r: RunView): string {
  const attempt = r.maxAttempts > 1 && r.attempt > 0 ? ` (attempt ${r.attempt}/${r.maxAttempts})` : '';
  return `${r.state === 'queued' && r.attempt === 0 ? 'queued' : r.detail}${attempt}`;
}
