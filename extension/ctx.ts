// The one object that owns the extension's moving parts: the language client, configuration,
// log channel, status bar and subscriptions. Everything else receives a Ctx.
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import type { z } from 'zod';
import { rpc, type AllowanceView, type ApprovalView, type BackendView, type ChatEventParams, type InitOptions, type NotificationDef, type RequestDef, type RunView, type ShipProgress, type Status } from '../server/protocol';
import { ApprovalStore } from './approvals/store';
import { createClient } from './client';
import { readAgentSettings, readConfig, readEasSettings, readInstructionSettings } from './config';
import { backendEnv } from './secrets';
import { RestartPolicy } from './restartPolicy';
import { StatusBar } from './statusbar';
import type { ChatView } from './views/chatView';
import type { GovernanceView } from './views/governanceView';
import type { InlineReview } from './approvals/inline';
import type { PipelineStatus } from './eas/pipelineStatus';
import type { RunTracker } from './eas/runTracker';
import { EasProposalContent } from './eas/configProposal';
import { Walkthrough } from './walkthrough';
import { PolicyRuleContent } from './trust/policyRule';

export class Ctx implements vscode.Disposable {
  readonly log = vscode.window.createOutputChannel('Torbit', { log: true });
  readonly subscriptions: vscode.Disposable[] = [];
  private readonly statusBar = new StatusBar();
  private readonly changed = new vscode.EventEmitter<BackendView>();
  /** Fires whenever the backend's state or status changes; views and the status bar follow it. */
  readonly onDidChangeBackend = this.changed.event;
  private readonly chatEvents = new vscode.EventEmitter<ChatEventParams>();
  /** Every torbit/chat/event the backend sends, validated. */
  readonly onChatEvent = this.chatEvents.event;
  /** What the backend waits on a person for. */
  readonly approvals = new ApprovalStore();
  /** The blockers of the last model review, in the Problems panel. */
  readonly reviewProblems = vscode.languages.createDiagnosticCollection('torbit-review');
  private readonly approvalAsked = new vscode.EventEmitter<ApprovalView>();
  /** A run started waiting for a person's decision. */
  readonly onApprovalAsked = this.approvalAsked.event;
  private readonly allowancesChanged = new vscode.EventEmitter<AllowanceView[]>();
  /** The session allowances changed (given, used or revoked): all of them in force now. */
  readonly onAllowancesChanged = this.allowancesChanged.event;
  private readonly checkpointChanged = new vscode.EventEmitter<z.output<typeof rpc.checkpointChanged.params>>();
  /** A checkpoint was taken, or a restore done (the timeline and the chat follow it). */
  readonly onCheckpointChanged = this.checkpointChanged.event;
  private readonly shipProgress = new vscode.EventEmitter<ShipProgress>();
  /** A Ship run's step started or ended. */
  readonly onShipProgress = this.shipProgress.event;
  private readonly shipOutput = new vscode.EventEmitter<{ shipId: string; chunk: string }>();
  /** A Ship run's test command printed something. */
  readonly onShipOutput = this.shipOutput.event;
  private readonly runChanged = new vscode.EventEmitter<RunView>();
  /** A background run (EAS build or submission) changed. */
  readonly onRunChanged = this.runChanged.event;
  private readonly runOutput = new vscode.EventEmitter<{ runId: string; chunk: string }>();
  /** A background run's eas-cli printed something. */
  readonly onRunOutput = this.runOutput.event;
  /** Background runs as the extension knows them (progress, output channel, status bar). */
  runs: RunTracker | undefined;
  /** Where Ship runs tell what they do (steps, test output, push). */
  readonly shipLog = vscode.window.createOutputChannel('Torbit Ship');
  private client: LanguageClient | undefined;
  /** The Chat view's host, for commands that act on the chat. */
  chat: ChatView | undefined;
  /** Pending edits shown inline, where their hunks are decided. */
  inline: InlineReview | undefined;
  /** The Governance view's host, refreshed after exports. */
  governance: GovernanceView | undefined;
  /** The EAS pipeline's status bar item (an Expo workspace only). */
  pipeline: PipelineStatus | undefined;
  /** eas.json proposals shown as diffs. */
  readonly easProposals = new EasProposalContent();
  /** "Always allow…" rules for .torbit/policy.json, shown as diffs. */
  readonly policyRules = new PolicyRuleContent();
  private view: BackendView = { state: 'starting' };
  /** Notices about the data (a journal set aside, a migration) already shown to the person. */
  private readonly noticed = new Set<string>();

  /** The first-run walkthrough, whose steps complete as the person does them. */
  readonly walkthrough: Walkthrough;

  constructor(readonly extension: vscode.ExtensionContext) {
    this.walkthrough = new Walkthrough(extension);
    this.subscriptions.push(this.reviewProblems);
    this.subscriptions.push(this.approvals.onDidChange(() => this.statusBar.showApprovals(this.approvals.all().length)));
  }

  get backend(): BackendView {
    return this.view;
  }

  private set(view: BackendView): void {
    if (view.state !== this.view.state) this.log.info(`backend ${view.state}${view.detail ? `: ${view.detail}` : ''}`);
    this.view = view;
    this.statusBar.show(view);
    this.changed.fire(view);
  }

  async start(): Promise<void> {
    // Once per start, say so in the log if the workspace tried to choose where a key is sent.
    const cfg = readConfig((m) => this.log.warn(m));
    const policy = new RestartPolicy(cfg.maxRestarts, cfg.restartWindowSeconds * 1000);
    const init: InitOptions = {
      workspaceFolders: (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath),
      dataDirSetting: cfg.dataDir,
      globalStorageDir: this.extension.globalStorageUri.fsPath,
      trusted: vscode.workspace.isTrusted,
      environment: cfg.environment,
      policyHash: cfg.policyHash,
      agent: readAgentSettings((m) => { this.log.warn(m); void vscode.window.showWarningMessage(m); }),
      checkpoints: { maxFileBytes: Math.max(1024, cfg.checkpointMaxFileBytes) },
      eas: readEasSettings((m) => { this.log.warn(m); void vscode.window.showWarningMessage(m); }),
      instructions: readInstructionSettings((m) => { this.log.warn(m); void vscode.window.showWarningMessage(m); }),
      // The client's watcher reports every change (createClient), so checkpoints need not scan for them.
      fileEvents: true,
    };
    const client = createClient(this.extension, this.log, init, await backendEnv(this.extension.secrets), policy, {
      onGiveUp: (reason) => this.set({ state: 'error', detail: reason }),
      onRestarting: () => this.set({ state: 'starting', detail: 'restarting after a crash' }),
    });
    this.client = client;
    client.onDidChangeState((e) => {
      if (client !== this.client) return;
      this.log.debug(`client state ${State[e.oldState]} -> ${State[e.newState]}`);
      if (e.newState === State.Running) void this.refresh();
      else if (e.newState === State.Starting) this.set({ state: 'starting' });
    });
    this.set({ state: 'starting' });
    try {
      await client.start();
      // Every notification is checked against its protocol schema; a malformed one is logged and dropped.
      const on = <P extends z.ZodType>(def: NotificationDef<P>, handle: (p: z.output<P>) => void) => client.onNotification(def.method, (raw: unknown) => {
        const p = def.params.safeParse(raw);
        if (p.success) handle(p.data);
        else this.log.warn(`ignored a malformed ${def.method} notification`);
      });
      on(rpc.chatEvent, (p) => this.chatEvents.fire(p));
      on(rpc.approvalRequested, (p) => {
        this.approvals.add(p);
        this.approvalAsked.fire(p);
      });
      on(rpc.checkpointChanged, (p) => this.checkpointChanged.fire(p));
      on(rpc.reviewShipProgress, (p) => this.shipProgress.fire(p));
      on(rpc.reviewShipOutput, (p) => this.shipOutput.fire(p));
      on(rpc.runChanged, (p) => this.runChanged.fire(p));
      on(rpc.runOutput, (p) => this.runOutput.fire(p));
      on(rpc.approvalResolved, (p) => this.approvals.remove(p.approval.id));
      on(rpc.allowanceChanged, (p) => this.allowancesChanged.fire(p.allowances));
    } catch (err) {
      const detail = `The Torbit backend failed to start: ${(err as Error).message}`;
      this.log.error(detail);
      if (this.view.state !== 'error') this.set({ state: 'error', detail });
    }
  }

  /** Asks the backend for its status and shows it. */
  async refresh(): Promise<Status | undefined> {
    try {
      const s = await this.request(rpc.status, {});
      // What is pending now (after a restart, nothing the old process waited on is).
      this.approvals.reset(await this.request(rpc.approvalList, {}).then((r) => r.approvals, () => []));
      this.set(viewOf(s));
      for (const n of s.notices.filter((x) => !this.noticed.has(x))) {
        this.noticed.add(n);
        this.log.warn(n);
        void vscode.window.showWarningMessage(`Torbit: ${n}`);
      }
      return s;
    } catch (err) {
      this.log.warn(`status: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** Sends a typed request and validates the answer against the same protocol schema. */
  async request<P extends z.ZodType, R extends z.ZodType>(def: RequestDef<P, R>, params: z.input<P>, token?: vscode.CancellationToken): Promise<z.output<R>> {
    const client = this.client;
    if (!client || !client.isRunning()) throw new Error(`the Torbit backend is ${this.view.state}${this.view.detail ? `: ${this.view.detail}` : ''}`);
    // The backend refuses it too (server/rpc.ts); saying so here spares the round trip and reads better.
    if (def.workspace === 'trusted' && !vscode.workspace.isTrusted) throw new UntrustedWorkspaceError();
    const raw: unknown = token ? await client.sendRequest(def.method, def.params.parse(params), token) : await client.sendRequest(def.method, def.params.parse(params));
    const parsed = def.result.safeParse(raw);
    if (!parsed.success) throw new Error(`${def.method}: the backend answered with an unexpected shape`);
    return parsed.data;
  }

  async stop(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    if (client) {
      await client.stop(5000).catch((e: Error) => this.log.warn(`stopping the backend: ${e.message}`));
      await client.dispose().catch(() => undefined);
    }
    this.approvals.reset([]);
    this.set({ state: 'stopped' });
  }

  async restart(): Promise<void> {
    await this.stop();
    await this.start();
  }

  dispose(): void {
    void this.stop();
    for (const d of this.subscriptions.splice(0)) d.dispose();
    this.statusBar.dispose();
    this.changed.dispose();
    this.chatEvents.dispose();
    this.approvalAsked.dispose();
    this.allowancesChanged.dispose();
    this.checkpointChanged.dispose();
    this.shipProgress.dispose();
    this.runChanged.dispose();
    this.runOutput.dispose();
    this.shipOutput.dispose();
    this.shipLog.dispose();
    this.approvals.dispose();
    this.log.dispose();
  }
}

function viewOf(s: Status): BackendView {
  return s.store.state === 'error' ? { state: 'error', detail: s.store.message, status: s } : { state: 'ready', status: s };
}

const UNTRUSTED_EXPLAINED = 'needs a trusted workspace: in restricted mode Torbit runs nothing from the workspace, writes nothing outside its data directory and ships nothing. Trust the folder to allow it.';

/** A request that needs a trusted workspace, asked for in restricted mode. */
export class UntrustedWorkspaceError extends Error {
  constructor() {
    super(UNTRUSTED_EXPLAINED);
  }
}
