// The trust layer at work in a run: every tool call is judged by the policy before it runs;
// what the policy asks goes to a person (the broker) and the run waits. Every decision is
// audited with the policy's hash. An approved edit becomes a grant: exactly the approved content,
// valid only while the file is as it was when proposed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Minimatch } from 'minimatch';
import type { AuditLog } from '../audit/log';
import type { Actor } from '../audit/record';
import type { GateDecision, ProposedChange } from '../agent/changes';
import type { FileReader, Proposal, RunGuard } from '../agent/tools/spec';
import { readDisk } from '../agent/tools/spec';
import { ToolError } from '../agent/workspace';
import type { TorbitEnvironment } from '../environment';
import type { Logger } from '../logger';
import type { AllowanceView, ApprovalOutcome, ApprovalView } from '../protocol';
import type { ApprovalBroker } from './approvals';
import { formatArgv } from './commandLine';
import { applyHunks, hunksOf, lines, type Hunk } from './hunks';
import { scopeOf } from './hunkScope';
import type { PolicyAcceptances } from './acceptances';
import { decide, POLICY_FILE, type Action, type LoadedPolicy } from './policy';
import { policyInForce } from './policyAcceptance';
import { proposeScope, SessionAllowances } from './sessionAllowances';

export interface TrustOptions {
  /** The first workspace folder (its .torbit/policy.json), or null: the default policy. */
  root: string | null;
  pinnedHash: string;
  environment: TorbitEnvironment;
  audit: AuditLog;
  log: Logger;
  /** Who is asked when the policy asks; null when nobody can be (a headless run). */
  broker: ApprovalBroker | null;
  /** Headless only (torbit chat --approve): the person approved every ask up front. */
  approveAsks?: boolean;
  /** The person's acceptances of loosening policies; none: a loosening file never applies. */
  acceptances?: PolicyAcceptances;
  /** Hears each change of the session allowances (the extension's Governance view lists them). */
  onAllowancesChanged?: (all: AllowanceView[]) => void;
}

/**
 * A run held to less than the policy allows (Ship's heal round): it may change only the files
 * `writable` accepts, and runs no command. Checked before the policy; a refusal is audited.
 */
export interface Confinement {
  /** Whether the run may change this file (absolute path). */
  writable(abs: string): boolean;
  /** What it may change, in words, for the refusal. */
  describe: string;
}

export interface ToolCallToJudge {
  tool: string;
  toolCallId: string;
  summary: string;
  proposal: Proposal;
}

export interface Judgement {
  approved: boolean;
  /** Said to the model on a denial, and recorded. */
  reason: string;
}

interface Grant {
  kind: Proposal['kind'];
  /** A command the policy allowed as read-only git: it runs with the repository's programs off. */
  readOnlyGit?: boolean;
  before?: string | null;
  after?: string;
  note?: string;
}

/** Appends a decision on one action to the audit log (a failed append is logged, never thrown). */
function decisionRecorder(o: TrustOptions, lp: LoadedPolicy, scope: { sessionId: string | null; turnId: string | null }, action: { toolCallId: string; tool: string; subject: string }, redact: (s: string) => string = (x) => x) {
  return (actor: Actor, decision: string, reason: string, extra: Record<string, unknown> = {}) => o.audit.append({
    kind: 'decision', actor, sessionId: scope.sessionId, turnId: scope.turnId,
    data: { toolCallId: action.toolCallId, tool: action.tool, subject: redact(action.subject), decision, by: actor, policyHash: lp.hash, reason: redact(reason), ...extra },
  }).then(() => undefined, (err: Error) => o.log.error(`audit: ${err.message}`));
}

/** How an approval that did not happen is recorded: by whom, and in which word. */
function refusalOf(outcome: Extract<ApprovalOutcome, { approved: false }>): { actor: Actor; decision: string } {
  return { actor: outcome.by === 'user' ? 'user' : 'system', decision: outcome.by === 'user' ? 'rejected' : outcome.by === 'timeout' ? 'timed-out' : 'stopped' };
}

/** A revoke names no allowance in force (the caller's to correct). */
export class UnknownAllowanceError extends Error {}

/** The backend's trust layer: the policy in force, and a RunTrust per run. */
export class Trust {
  private cache: { key: string; lp: LoadedPolicy } | undefined;
  /** "Allow for this session" decisions: in this backend's memory only, never on disk. */
  readonly allowances = new SessionAllowances((all) => this.o.onAllowancesChanged?.(all));

  constructor(readonly o: TrustOptions) {}

  /** The policy in force now (re-read when the file or the person's acceptances change). */
  policy(): LoadedPolicy {
    const root = this.o.root;
    const file = root ? path.join(root, POLICY_FILE) : null;
    const st = file ? fs.statSync(file, { throwIfNoEntry: false }) : undefined;
    const key = `${st ? `${st.mtimeMs}:${st.size}:${st.ino}` : 'none'}/${this.o.acceptances?.version() ?? 'none'}`;
    if (this.cache?.key !== key) {
      this.cache = { key, lp: policyInForce({ root, pinnedHash: this.o.pinnedHash, environment: this.o.environment, acceptances: this.o.acceptances }) };
    }
    return this.cache.lp;
  }

  /** Reads the policy afresh at the next action (after Torbit wrote the file itself). */
  reload(): void {
    this.cache = undefined;
  }

  /** The policy file's writes, one at a time: each checks the file's sha256, then writes it. */
  private writing: Promise<unknown> = Promise.resolve();

  serially<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.writing.then(fn, fn);
    this.writing = run.catch(() => undefined);
    return run;
  }

  /**
   * A ship action (an EAS build or submission) a person started: judged by the policy's "ship"
   * category, asked when it says so, and audited like a tool call's decision.
   */
  async judgeShip(a: { id: string; tool: string; what: string }): Promise<Judgement> {
    const lp = this.policy();
    const record = decisionRecorder(this.o, lp, { sessionId: null, turnId: null }, { toolCallId: a.id, tool: a.tool, subject: a.what });
    const v = decide(lp, { category: 'ship', what: a.what, inside: true });
    await record('policy', v.decision, v.reason);
    if (v.decision === 'allow') return { approved: true, reason: `allowed by the policy (${v.reason})` };
    if (v.decision === 'deny') return { approved: false, reason: `denied by the policy: ${v.reason}` };
    if (!this.o.broker) {
      const reason = `the policy asks (${v.reason}) and nobody can be asked here; change ${POLICY_FILE} to allow ship actions`;
      await record('system', 'rejected', reason);
      return { approved: false, reason };
    }
    const outcome = await this.o.broker.request({
      kind: 'ship', sessionId: null, turnId: null, toolCallId: a.id, tool: a.tool, title: a.what, reason: v.reason, why: v.why, policyHash: lp.hash,
    });
    if (!outcome.approved) {
      const r = refusalOf(outcome);
      await record(r.actor, r.decision, outcome.reason);
      return { approved: false, reason: outcome.by === 'user' ? `rejected: ${outcome.reason}` : `not approved: ${outcome.reason}` };
    }
    await record('user', 'approved', outcome.note ?? 'approved by the user');
    return { approved: true, reason: 'approved by the user' };
  }

  /** The person revokes a session allowance (audited); the next such action asks. */
  async revokeAllowance(id: string): Promise<void> {
    const a = this.allowances.revoke(id);
    if (!a) throw new UnknownAllowanceError(`there is no session allowance ${id} (it was revoked, or the backend restarted)`);
    await this.o.audit.append({
      kind: 'decision', actor: 'user', sessionId: a.sessionId, turnId: null,
      data: { tool: a.scope.tool, subject: a.scope.label, decision: 'allowance-revoked', by: 'user', policyHash: this.policy().hash, reason: `revoked after ${a.uses} use(s)`, allowanceId: a.id, sessionScope: a.scope },
    });
  }

  /** `redact` keeps provider keys out of the audit records (a command line can carry one). */
  forRun(scope: { sessionId: string | null; turnId: string | null }, signal: AbortSignal, costUsd: () => number, redact: (s: string) => string, confine?: Confinement): RunTrust {
    return new RunTrust(this, scope, signal, costUsd, redact, confine);
  }
}

export class RunTrust implements RunGuard {
  private autoApproved = 0;
  private readonly grants = new Map<string, Grant>();
  /** Approved edits not applied yet, by absolute path: later proposals in the step build on them. */
  private readonly overlay = new Map<string, { toolCallId: string; text: string }>();

  constructor(
    private readonly trust: Trust,
    private readonly scope: { sessionId: string | null; turnId: string | null },
    private readonly signal: AbortSignal,
    private readonly costUsd: () => number,
    private readonly redact: (s: string) => string,
    private readonly confine?: Confinement,
  ) {}

  readonly read: FileReader = async (abs) => {
    const o = this.overlay.get(abs);
    return o ? Buffer.from(o.text) : readDisk(abs);
  };

  protectedMatcher(): (path: string) => boolean {
    const globs = this.trust.policy().policy.protectedPaths.map((g) => new Minimatch(g, { dot: true }));
    return (p) => globs.some((m) => m.match(p));
  }

  async judge(call: ToolCallToJudge, onPending?: (p: ApprovalView) => void): Promise<Judgement> {
    const { o } = this.trust;
    const lp = this.trust.policy();
    const { proposal } = call;
    const subject = subjectOf(proposal);
    const record = decisionRecorder(o, lp, this.scope, { toolCallId: call.toolCallId, tool: call.tool, subject }, this.redact);

    const edit = proposal.kind === 'edit' ? proposal.change : undefined;
    const confined = this.confine && (proposal.kind === 'command' ? 'this run may not run commands'
      : edit && !this.confine.writable(edit.target.abs) ? `this run may change only ${this.confine.describe}` : undefined);
    if (confined) {
      await record('system', 'deny', confined);
      return { approved: false, reason: `denied: ${confined}` };
    }
    const hunks = edit ? hunksOf(edit.before ?? '', edit.after) : [];
    const action = actionOf(proposal);
    const tally = { autoApproved: this.autoApproved, costUsd: this.costUsd() };
    const v = edit && hunks.length === 0 && edit.before !== null
      ? { decision: 'allow' as const, reason: 'the file would not change', why: { kind: 'no-change' as const }, policyHash: lp.hash }
      : decide(lp, action, tally);
    await record('policy', v.decision, v.reason);

    if (v.decision === 'ask') {
      // The person's own earlier decision, for this session, re-checked against the policy now.
      const allowed = this.trust.allowances.use(this.scope.sessionId, call.tool, action, lp, tally);
      if (allowed) {
        await record('user', 'allowed-for-session', `allowed for this session (${allowed.scope.label}) by the person's decision on approval ${allowed.approvalId}`,
          { allowanceId: allowed.id, sessionScope: allowed.scope });
        this.autoApproved++;
        this.grant(call.toolCallId, proposal, edit?.after);
        return { approved: true, reason: `allowed for this session (${allowed.scope.label})` };
      }
    }

    if (v.decision === 'allow') {
      this.autoApproved++;
      this.grant(call.toolCallId, proposal, edit?.after, undefined, v.readOnlyGit);
      return { approved: true, reason: `allowed by the policy (${v.reason})` };
    }
    if (v.decision === 'deny') return { approved: false, reason: `denied by the policy: ${v.reason}` };

    let outcome: ApprovalOutcome;
    let approvalId = call.toolCallId;
    if (!o.broker) {
      if (!o.approveAsks) {
        const reason = `the policy asks (${v.reason}) and nobody can be asked in this run; run it with --approve or change ${POLICY_FILE}`;
        await record('system', 'rejected', reason);
        return { approved: false, reason };
      }
      outcome = { approved: true, by: 'user', hunks: null, note: 'approved up front (--approve)' };
    } else {
      const sessionScope = this.scope.sessionId !== null ? proposeScope(lp, call.tool, action, tally) : undefined;
      outcome = await o.broker.request({
        ...(sessionScope ? { sessionScope } : {}),
        kind: proposal.kind, sessionId: this.scope.sessionId, turnId: this.scope.turnId, toolCallId: call.toolCallId, tool: call.tool,
        title: subject, reason: v.reason, why: v.why, policyHash: lp.hash,
        ...(edit ? { edit: editView(edit, hunks) } : {}),
        ...(proposal.kind === 'command' ? { command: { argv: proposal.argv, cwd: proposal.cwd.display, cwdAbs: proposal.cwd.abs } } : {}),
      }, { signal: this.signal, text: edit ? { before: edit.before, after: edit.after } : undefined, onPending: (p) => { approvalId = p.id; onPending?.(p); } });
    }

    if (!outcome.approved) {
      const r = refusalOf(outcome);
      await record(r.actor, r.decision, outcome.reason);
      return { approved: false, reason: outcome.by === 'user' ? `the user rejected it: ${outcome.reason}` : `not approved: ${outcome.reason}` };
    }
    let after = edit?.after;
    let note: string | undefined;
    if (edit && outcome.hunks) {
      after = applyHunks(edit.before ?? '', hunks, new Set(outcome.hunks));
      const rejected = hunks.map((h) => h.index).filter((i) => !outcome.hunks!.includes(i));
      note = `only hunk(s) ${outcome.hunks.map((i) => i + 1).join(', ')} of ${hunks.length} were approved and applied; hunk(s) ${rejected.map((i) => i + 1).join(', ')} were rejected${outcome.note ? ` (${outcome.note})` : ''}`;
    }
    // "Allow for this session": the broker refuses it where no scope was offered.
    const sessionScope = outcome.forSession && this.scope.sessionId !== null ? proposeScope(lp, call.tool, action, tally) : undefined;
    const allowance = sessionScope && this.scope.sessionId !== null ? this.trust.allowances.add(this.scope.sessionId, sessionScope, approvalId) : undefined;
    await record('user', outcome.hunks ? 'approved-partly' : allowance ? 'approved-for-session' : 'approved', outcome.note ?? (allowance ? `approved, and allowed for this session: ${allowance.scope.label}` : 'approved by the user'),
      { ...(outcome.hunks ? { hunks: { approved: outcome.hunks, total: hunks.length } } : {}), ...(allowance ? { allowanceId: allowance.id, sessionScope: allowance.scope } : {}) });
    this.grant(call.toolCallId, proposal, after, note);
    return { approved: true, reason: note ?? `approved by the user${outcome.note ? `: ${outcome.note}` : ''}` };
  }

  private grant(toolCallId: string, p: Proposal, after?: string, note?: string, readOnlyGit?: boolean): void {
    if (p.kind === 'edit' && after !== undefined) {
      this.grants.set(toolCallId, { kind: 'edit', before: p.change.before, after, note });
      this.overlay.set(p.change.target.abs, { toolCallId, text: after });
    } else {
      this.grants.set(toolCallId, { kind: p.kind, ...(readOnlyGit ? { readOnlyGit } : {}) });
    }
  }

  private take(toolCallId: string): Grant | undefined {
    const g = this.grants.get(toolCallId);
    this.grants.delete(toolCallId);
    for (const [abs, o] of this.overlay) if (o.toolCallId === toolCallId) this.overlay.delete(abs);
    return g;
  }

  readonly gate = (change: ProposedChange): Promise<GateDecision> => Promise.resolve(this.decideGate(change));

  private decideGate(change: ProposedChange): GateDecision {
    const g = this.take(change.toolCallId);
    if (g?.kind !== 'edit' || g.after === undefined) return { approved: false, reason: 'it was not approved' };
    if (g.before !== change.before) {
      return { approved: false, reason: `${change.target.display} changed after the change was proposed; read it again and propose the change anew` };
    }
    return { approved: true, after: g.after, ...(g.note ? { note: g.note } : {}) };
  }

  consume(toolCallId: string): { readOnlyGit?: boolean } {
    const g = this.take(toolCallId);
    if (g?.kind !== 'command') throw new ToolError('this command was not approved');
    return { readOnlyGit: g.readOnlyGit === true };
  }
}

/** A pending edit as the surfaces show it: its hunks where they start, and what encloses each. */
function editView(edit: ProposedChange, hunks: readonly Hunk[]): NonNullable<ApprovalView['edit']> {
  const old = edit.before === null ? [] : lines(edit.before);
  return {
    path: edit.target.display, absPath: edit.target.abs, created: edit.before === null,
    hunks: hunks.map((h) => {
      const scope = edit.before === null ? undefined : scopeOf(old, h);
      return { index: h.index, line: h.oldStart, removed: h.removed.length, added: h.added.length, ...(scope ? { scope } : {}) };
    }),
  };
}

function subjectOf(p: Proposal): string {
  switch (p.kind) {
    case 'read': return p.path;
    case 'edit': return p.change.target.display;
    case 'command': return formatArgv(p.argv, p.cwd.display);
  }
}

function actionOf(p: Proposal): Action {
  switch (p.kind) {
    case 'read': return { category: 'read', path: p.path, inside: true };
    case 'edit': return { category: 'edit', path: p.change.target.display, inside: true };
    case 'command': return { category: 'command', argv: p.argv, inside: true };
  }
}
