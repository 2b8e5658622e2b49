// The Governance view (its own panel container, beside the chat rather than above it): pending
// approvals, session allowances with Revoke, the audit activity filtered by record kind,
// checkpoints, background runs, the policy in force with its hash, and the backend.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { rpc, type AllowanceView, type AuditKind, type FromWebviewMessage, type SkillView } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { onFilesChange } from '../fileWatch';
import { runApprovalAction, WebviewHost } from './host';
import { resolveWorkspaceFile } from './workspaceFile';

type GovMessage = Exclude<FromWebviewMessage, { type: 'ready' | 'runCommand' }>;

export class GovernanceView extends WebviewHost {
  static readonly id = 'torbit.governance';
  private filter: { sessionId?: string; tool?: string; kind?: AuditKind } = {};
  /** The skills last sent, so openSkill names one by its index (never a path from the webview). */
  private skills: SkillView[] = [];
  /** /skills asked for the section while the webview may not be listening yet: it opens once it is. */
  private openSkillsWhenReady = false;
  /** How many allowance lists were sent (see pushAllowances). */
  private allowancesSent = 0;

  constructor(ctx: Ctx) {
    super(ctx, 'governance', 'Torbit Governance');
    ctx.subscriptions.push(
      ctx.onDidChangeBackend((b) => { if (b.state === 'ready') { void this.refresh(); void this.refreshCheckpoints(); void this.refreshAllowances(); void this.refreshSkills(); } }),
      // A skill added, changed or removed in the workspace's skill folders.
      onFilesChange('**/{.agents,.claude,.github,.torbit}/skills/**/SKILL.md', () => this.refreshSkills()),
      ctx.onChatEvent((e) => { if (e.event.type === 'turn-end') void this.refresh(); }),
      ctx.onCheckpointChanged(() => { void this.refreshCheckpoints(); void this.refresh(); }),
      ...(ctx.runs ? [ctx.runs.onDidChange(() => this.pushRuns())] : []),
      ctx.approvals.onDidChange(() => {
        this.pushApprovals();
        // A decision lands in the audit log: show it.
        void this.refresh();
      }),
      ctx.onAllowancesChanged((all) => { void this.pushAllowances(all); }),
    );
  }

  private pushRuns(): void {
    this.post({ type: 'runs', runs: this.ctx.runs?.all() ?? [] });
  }

  private pushApprovals(): void {
    const approvals = this.ctx.approvals.all();
    this.showBadge(approvals.length, `${approvals.length} approval(s) waiting for your decision`);
    this.post({ type: 'approvals', approvals });
  }

  private async pushAllowances(allowances: AllowanceView[], error: string | null = null): Promise<void> {
    // The titles are fetched on the way: a newer list that overtakes this one wins.
    const n = ++this.allowancesSent;
    const sessions: Record<string, string> = {};
    if (allowances.length) {
      const listed = await this.ctx.request(rpc.sessionList, { limit: 500 }).then((r) => r.sessions, () => []);
      for (const s of listed) if (allowances.some((a) => a.sessionId === s.id)) sessions[s.id] = s.title;
    }
    if (n === this.allowancesSent) this.post({ type: 'allowances', allowances, sessions, error });
  }

  protected override onReady(): void {
    this.ctx.walkthrough.did('audit');
    this.pushApprovals();
    this.pushRuns();
    void this.refresh();
    void this.refreshCheckpoints();
    void this.refreshAllowances();
    void this.refreshSkills(this.openSkillsWhenReady);
    this.openSkillsWhenReady = false;
  }

  /** The skills the backend finds; `open`: show the section (the /skills command). */
  async refreshSkills(open = false): Promise<void> {
    if (open) this.openSkillsWhenReady = true;
    if (this.ctx.backend.state !== 'ready') return this.post({ type: 'skills', skills: [], error: null, open });
    try {
      this.skills = (await this.ctx.request(rpc.skillsList, {})).skills;
      this.post({ type: 'skills', skills: this.skills, error: null, open });
    } catch (err) {
      this.post({ type: 'skills', skills: [], error: (err as Error).message, open });
    }
  }

  /** The session allowances in force (the backend's memory: a restarted backend has none). */
  async refreshAllowances(): Promise<void> {
    if (this.ctx.backend.state !== 'ready') return this.pushAllowances([]);
    try {
      await this.pushAllowances((await this.ctx.request(rpc.allowanceList, {})).allowances);
    } catch (err) {
      await this.pushAllowances([], (err as Error).message);
    }
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
        this.filter = { sessionId: msg.sessionId || undefined, tool: msg.tool || undefined, kind: msg.kind };
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
      case 'revokeAllowance':
        // The backend audits it and announces the new list (torbit/allowance/changed); the
        // timeline shows the revocation.
        try {
          await this.ctx.request(rpc.allowanceRevoke, { id: msg.allowanceId });
        } catch (err) {
          // Gone already (revoked elsewhere, or the backend restarted): show what is in force.
          void this.refreshAllowances();
          throw err;
        }
        void this.refresh();
        return;
      case 'run':
        await vscode.commands.executeCommand(msg.action === 'cancel' ? 'torbit.eas.cancelRun' : 'torbit.eas.showRunLog', msg.runId);
        return;
      case 'checkpoint':
        await vscode.commands.executeCommand(msg.action === 'restore' ? 'torbit.checkpoint.restore' : 'torbit.checkpoint.diff', msg.checkpointId);
        return;
      case 'openSkill': {
        // Only a workspace skill, found by the backend: its SKILL.md is a workspace file.
        const s = this.skills[msg.index];
        if (!s || s.scope !== 'workspace' || !s.folder) throw new Error('That skill is not in the workspace.');
        // Its path is written as the workspace writes paths: in a multi-root workspace, after the folder's name.
        const folders = (vscode.workspace.workspaceFolders ?? []).filter((f) => f.uri.scheme === 'file').map((f) => f.uri.fsPath);
        const file = resolveWorkspaceFile(path.join(s.folder, ...s.path.split('/').slice(folders.length > 1 ? 1 : 0)), folders);
        if (!file.ok) throw new Error(file.reason);
        await vscode.window.showTextDocument(vscode.Uri.file(file.path), { preview: true });
        return;
      }
      default:
        return;
    }
  }
}
