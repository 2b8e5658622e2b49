// Shared plumbing of Torbit's webview views: HTML, validated messages in, typed messages out.
import * as vscode from 'vscode';
import { parseFromWebview, type FromWebviewMessage, type ToWebviewMessage } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { localResourceRoots, webviewHtml, type WebviewEntry } from './html';

/** A pending approval's button in a webview (chat card, Governance view). */
export async function runApprovalAction(approvalId: string, action: Extract<FromWebviewMessage, { type: 'approval' }>['action']): Promise<void> {
  await vscode.commands.executeCommand(`torbit.approval.${action}`, approvalId);
}

export abstract class WebviewHost implements vscode.WebviewViewProvider {
  private view: vscode.WebviewView | undefined;
  /** The view's badge (on its tab or activity bar item), kept for a view resolved later. */
  private badge: vscode.ViewBadge | undefined;

  constructor(protected readonly ctx: Ctx, private readonly entry: WebviewEntry, private readonly title: string) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    view.badge = this.badge;
    const uri = this.ctx.extension.extensionUri;
    view.webview.options = { enableScripts: true, localResourceRoots: localResourceRoots(uri) };
    view.webview.html = webviewHtml(view.webview, uri, this.entry, this.title);
    const subs = [
      view.webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      this.ctx.onDidChangeBackend((b) => this.post({ type: 'backend', ...b })),
    ];
    view.onDidDispose(() => {
      this.view = undefined;
      subs.forEach((d) => { d.dispose(); });
    });
  }

  /** Shows a count on the view's tab (none at 0), so what waits is seen while the view is not. */
  protected showBadge(value: number, tooltip: string): void {
    this.badge = value > 0 ? { value, tooltip } : undefined;
    if (this.view) this.view.badge = this.badge;
  }

  protected post(msg: ToWebviewMessage): void {
    void this.view?.webview.postMessage(msg);
  }

  private receive(raw: unknown): void {
    const parsed = parseFromWebview(raw);
    if (!parsed.ok) {
      this.ctx.log.warn(`${this.title} view sent a malformed message, ignored: ${parsed.error}`);
      this.post({ type: 'notice', level: 'error', text: `Torbit ignored a malformed message: ${parsed.error}` });
      return;
    }
    const msg = parsed.message;
    switch (msg.type) {
      case 'ready':
        this.post({ type: 'backend', ...this.ctx.backend });
        this.onReady();
        break;
      case 'runCommand':
        void vscode.commands.executeCommand(msg.command);
        break;
      default:
        void Promise.resolve(this.handle(msg)).catch((err: Error) =>
          this.post({ type: 'notice', level: 'error', text: err.message }));
    }
  }

  /** The webview (re)loaded: send it what it shows. */
  protected onReady(): void {}

  /** View-specific messages (everything but ready and runCommand). */
  protected abstract handle(msg: Exclude<FromWebviewMessage, { type: 'ready' | 'runCommand' }>): void | Promise<void>;
}
