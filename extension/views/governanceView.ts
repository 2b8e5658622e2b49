// The Governance view: the backend, pending approvals, background runs, checkpoints, the policy in
// force with its hash, the audit timeline with filters, and signed bundles with Verify.
import * as vscode from 'vscode';
import { rpc, type FromWebviewMessage } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { runApprovalAction, WebviewHost } from './host';

type GovMessage = Exclude<FromWebviewMessage, { type: 'ready' | 'runCommand' }>;

export class GovernanceView extends WebviewHost {
  static readonly id = 'torbit.governance';
  private filter: { sessionId?: string; tool?: string; outcome?: string } = {};

  constructor(ctx: Ctx) {
    super(ctx, 'governance', 'Torbit Governance');
    ctx.subscriptions.push(
      ctx.onDidChangeBackend((b) => { if (b.state === 'ready') { void this.refresh(); void this.refreshCheckpoints(); } }),
      ctx.onChatEvent((e) => { if (e.event.type === 'turn-end') void this.refresh(); }),
      ctx.onCheckpointChanged(() => { void this.refreshCheckpoints(); void this.refresh(); }),
      ...(ctx.runs ? [ctx.runs.onDidChange(() => this.pushRuns())] : []),
      ctx.approvals.onDidChange(() => {
        this.pushApprovals();
        // A decision lands in the audit log: show it.
        void this.refresh();
      }),
    );
  }

  private pushRuns(): void {
    this.post({ type: 'runs', runs: this.ctx.runs?.all() ?? [] });
  }

  private pushApprovals(): void {
    this.post({ type: 'approvals', approvals: this.ctx.approvals.all() });
  }

  protected override onReady(): void {
    this.ctx.walkthrough.did('audit');
    this.pushApprovals();
    this.pushRuns();
    void this.refresh();
    void this.refreshCheckpoints();
  }

  /** The checkpoint timeline, newest first. */
  async refreshCheckpoints(): Promise<void> {
    if (this.ctx.backend.state !== 'ready') return this.post({ type: 'checkpoints', checkpoints: [], error: null });
    try {
      this.post({ type: 'checkpoints', checkpoints: (await this.ctx.request(rpc.checkpointList, { limit: 100 })).checkpoints, error: null });
    } catch (err) {
      this.post({ type: 'checkpoints', checkpoints: [], error: (err as Error).message });
    }
  }

  async refresh(): Promise<void> {
    if (this.ctx.backend.state !== 'ready') {
      this.post({ type: 'governance', policy: null, timeline: null, bundles: [], error: null });
      return;
    }
    try {
      const [policy, timeline, bundles] = await Promise.all([
        this.ctx.request(rpc.policyGet, {}),
        this.ctx.request(rpc.auditList, this.filter),
        this.ctx.request(rpc.auditBundles, {}),
      ]);
      this.post({ type: 'governance', policy, timeline, bundles: bundles.bundles, error: null });
    } catch (err) {
      this.post({ type: 'governance', policy: null, timeline: null, bundles: [], error: (err as Error).message });
    }
  }

  protected async handle(msg: GovMessage): Promise<void> {
    switch (msg.type) {
      case 'auditQuery':
        this.filter = { sessionId: msg.sessionId || undefined, tool: msg.tool || undefined, outcome: msg.outcome || undefined };
        return this.refresh();
      case 'exportBundle':
        // The command refreshes this view itself once the bundle is written.
        void vscode.commands.executeCommand('torbit.exportAuditBundle');
        return;
      case 'verifyBundle':
        this.post({ type: 'verifyResult', ...await this.ctx.request(rpc.auditVerify, { file: msg.file }) });
        return;
      case 'approval':
        await runApprovalAction(msg.approvalId, msg.action);
        return;
      case 'run':
        await vscode.commands.executeCommand(msg.action === 'cancel' ? 'torbit.eas.cancelRun' : 'torbit.eas.showRunLog', msg.runId);
        return;
      case 'checkpoint':
        await vscode.commands.executeCommand(msg.action === 'restore' ? 'torbit.checkpoint.restore' : 'torbit.checkpoint.diff', msg.checkpointId);
        return;
      default:
        return;
    }
  }
}
