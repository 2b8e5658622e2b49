// The Chat view: relays prompts to the backend and the backend's events back, keeps which
// session is on screen (across window reloads), and carries out what the webview asks.
import * as vscode from 'vscode';
import {
  rpc, type ChatEventParams, type ChatState, type FromWebviewMessage, type SessionSummary,
} from '../../server/protocol';
import { readConfig } from '../config';
import type { Ctx } from '../ctx';
import type { ChangeContent } from './changeDiff';
import { runApprovalAction, WebviewHost } from './host';
import { onFilesChange } from '../fileWatch';
import { runBuiltin, slashCommands } from './slashCommands';
import { resolveOpenableFile } from './workspaceFile';
import { personalInstructionFiles } from '../../server/agent/instructions/personal';

const SESSION_KEY = 'torbit.chat.sessionId';

type ChatMessage = Exclude<FromWebviewMessage, { type: 'ready' | 'runCommand' }>;

export class ChatView extends WebviewHost {
  static readonly id = 'torbit.chat';
  private sessionId: string | null;
  private runningTurnId: string | null = null;
  /** torbit.diagnostics.recordRelayTimings, as last sent to the webview. */
  private recordTimings = false;
  /** Events that arrive before chat/send has answered with a new session's id. */
  private early: ChatEventParams[] | undefined;

  constructor(ctx: Ctx, private readonly changes: ChangeContent) {
    super(ctx, 'chat', 'Torbit Chat');
    this.sessionId = ctx.extension.workspaceState.get<string>(SESSION_KEY) ?? null;
    ctx.subscriptions.push(
      ctx.onChatEvent((e) => this.onEvent(e)),
      ctx.onDidChangeBackend((b) => { if (b.state === 'ready') { void this.pushState(); void this.pushCommands(); } }),
      // The workspace's own commands, listed again whenever one is added, changed or removed.
      onFilesChange('**/.torbit/commands/*.md', () => this.pushCommands()),
      // A restore may have taken turns out of (or back into) the conversation on screen.
      ctx.onCheckpointChanged((e) => { if (e.restored) void this.pushState(); }),
      vscode.workspace.onDidChangeConfiguration((e) => {
        if (e.affectsConfiguration('torbit.model') || e.affectsConfiguration('torbit.models')) void this.pushState();
      }),
    );
  }

  /** The session on screen (null: a new, empty one). */
  get currentSession(): string | null {
    return this.sessionId;
  }

  private async setSession(id: string | null): Promise<void> {
    this.sessionId = id;
    await this.ctx.extension.workspaceState.update(SESSION_KEY, id ?? undefined);
  }

  protected override onReady(): void {
    void this.pushState();
    void this.pushCommands();
  }

  private async pushCommands(): Promise<void> {
    this.post({ type: 'slashCommands', commands: await slashCommands(this.ctx) });
  }

  /** Sends the whole state: models, sessions, and the transcript of the session on screen. */
  async pushState(): Promise<void> {
    const cfg = readConfig();
    const models = [...new Set([cfg.model, ...cfg.models])];
    const state: ChatState = {
      models, model: cfg.model, sessions: [], sessionId: this.sessionId, transcript: [], runningTurnId: null, recordTimings: cfg.recordRelayTimings, checkpoint: null,
    };
    if (this.ctx.backend.state === 'ready') {
      try {
        state.sessions = (await this.ctx.request(rpc.sessionList, {})).sessions;
        if (this.sessionId) {
          if (state.sessions.some((s) => s.id === this.sessionId)) {
            const t = await this.ctx.request(rpc.sessionGet, { sessionId: this.sessionId });
            state.transcript = t.turns;
            state.runningTurnId = t.runningTurnId;
            state.checkpoint = (await this.ctx.request(rpc.checkpointList, { sessionId: this.sessionId, limit: 1 }).catch(() => ({ checkpoints: [] }))).checkpoints[0] ?? null;
          } else {
            await this.setSession(null);
            state.sessionId = null;
          }
        }
      } catch (err) {
        this.ctx.log.warn(`loading the chat: ${(err as Error).message}`);
      }
    }
    this.runningTurnId = state.runningTurnId;
    this.recordTimings = state.recordTimings;
    this.post({ type: 'chatState', ...state });
  }

  private onEvent(e: ChatEventParams): void {
    if (this.early && e.sessionId !== this.sessionId) {
      this.early.push(e);
      return;
    }
    if (e.sessionId !== this.sessionId) return;
    this.post({ type: 'chatEvent', ...e, ...(this.recordTimings ? { relayedAt: performance.timeOrigin + performance.now() } : {}) });
    if (e.event.type === 'turn-end') {
      if (this.runningTurnId === e.turnId) this.runningTurnId = null;
      void this.refreshSessions();
      const err = e.event.error;
      if (e.event.status === 'error' && err) {
        const buttons = err.action === 'setApiKey' ? ['Set API Key'] : [];
        void vscode.window.showErrorMessage(`Torbit: ${err.message}`, ...buttons).then((pick) => {
          if (pick === 'Set API Key') void vscode.commands.executeCommand('torbit.setApiKey');
        });
      }
    }
  }

  private async refreshSessions(): Promise<void> {
    try {
      const sessions: SessionSummary[] = (await this.ctx.request(rpc.sessionList, {})).sessions;
      this.post({ type: 'sessions', sessions });
    } catch (err) {
      this.ctx.log.warn(`listing sessions: ${(err as Error).message}`);
    }
  }

  async send(text: string): Promise<void> {
    if (this.runningTurnId) {
      this.post({ type: 'notice', level: 'warning', text: 'A turn is still running: stop it first, or wait for it to finish.' });
      return;
    }
    const cfg = readConfig();
    this.early = this.sessionId ? undefined : [];
    try {
      const r = await this.ctx.request(rpc.chatSend, {
        sessionId: this.sessionId ?? undefined, text, model: cfg.model,
        baseUrl: cfg.model.startsWith('openai-compatible:') && cfg.baseUrl ? cfg.baseUrl : undefined,
      });
      this.runningTurnId = r.turnId;
      this.ctx.walkthrough.did('prompt');
      await this.setSession(r.sessionId);
    } catch (err) {
      this.post({ type: 'notice', level: 'error', text: `Torbit could not start the turn: ${(err as Error).message}` });
    } finally {
      const early = this.early ?? [];
      this.early = undefined;
      for (const e of early) this.onEvent(e);
    }
  }

  async stop(): Promise<boolean> {
    const turnId = this.runningTurnId;
    if (!turnId) return false;
    return (await this.ctx.request(rpc.chatStop, { turnId })).stopped;
  }

  async newSession(): Promise<void> {
    await this.setSession(null);
    await this.pushState();
  }

  protected async handle(msg: ChatMessage): Promise<void> {
    switch (msg.type) {
      case 'prompt':
        return this.send(msg.text);
      case 'stop':
        await this.stop();
        return;
      case 'newSession':
        return this.newSession();
      case 'openSession':
        await this.setSession(msg.sessionId);
        return this.pushState();
      case 'selectModel': {
        const cfg = vscode.workspace.getConfiguration('torbit');
        const target = cfg.inspect('model')?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
        await cfg.update('model', msg.model, target);
        this.ctx.walkthrough.did('model');
        return;
      }
      case 'openChange':
        return this.changes.open(this.ctx, msg.changeId);
      case 'openFile': {
        const file = resolveOpenableFile(msg.path, (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
          personalInstructionFiles(this.ctx.extension.globalStorageUri.fsPath, process.env));
        if (!file.ok) throw new Error(file.reason);
        await vscode.window.showTextDocument(vscode.Uri.file(file.path), { preview: true });
        return;
      }
      case 'copy':
        await vscode.env.clipboard.writeText(msg.text);
        return;
      case 'builtinCommand':
        return runBuiltin(msg.name);
      case 'approval':
        return runApprovalAction(msg.approvalId, msg.action);
      case 'restoreTurn':
        await vscode.commands.executeCommand('torbit.checkpoint.restoreTurn', msg.turnId);
        return;
    }
  }
}
