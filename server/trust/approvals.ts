// Pending approvals: a run waits here for a person's decision, until a timeout (which counts as a
// rejection) or until the run is stopped. Edits can be approved hunk by hunk.
import { randomUUID } from 'node:crypto';

export interface ApprovalRequest {
  kind: 'edit' | 'command';
  sessionId: string | null;
  turnId: string | null;
  toolCallId: string;
  /** The file (edits) or the command line (commands), as shown to the person. */
  title: string;
  /** Why the policy asks. */
  reason: string;
  policyHash: string;
  /** Edits: how many hunks can be decided one by one. */
  hunks?: number;
  argv?: string[];
  cwd?: string;
}

export interface PendingApproval extends ApprovalRequest {
  id: string;
  createdAt: string;
  expiresAt: string;
}

export type ApprovalOutcome =
  | { approved: true; by: 'user'; hunks: number[] | null; note?: string }
  | { approved: false; by: 'user' | 'timeout' | 'stopped'; reason: string };

export interface DecideParams {
  approvalId: string;
  approve: boolean;
  /** Edits: the hunks approved; the others are rejected. Omitted: all. */
  hunks?: number[];
  reason?: string;
}

interface Waiter {
  p: PendingApproval;
  resolve(o: ApprovalOutcome): void;
  timer: NodeJS.Timeout;
  onAbort?: () => void;
  signal?: AbortSignal;
}

export class ApprovalBroker {
  private readonly waiting = new Map<string, Waiter>();

  constructor(private readonly o: {
    timeoutMs: number;
    onRequest?(p: PendingApproval): void;
    onResolved?(p: PendingApproval, outcome: ApprovalOutcome): void;
  }) {}

  /** Waits for a decision on a request; never rejects. */
  request(r: ApprovalRequest, signal?: AbortSignal): Promise<ApprovalOutcome> {
    const now = Date.now();
    const p: PendingApproval = { ...r, id: randomUUID(), createdAt: new Date(now).toISOString(), expiresAt: new Date(now + this.o.timeoutMs).toISOString() };
    return new Promise<ApprovalOutcome>((resolve) => {
      const timer = setTimeout(() => this.settle(p.id, {
        approved: false, by: 'timeout', reason: `no decision within ${Math.round(this.o.timeoutMs / 1000)} s, so it counts as rejected`,
      }), this.o.timeoutMs);
      const w: Waiter = { p, resolve, timer, signal };
      if (signal) {
        if (signal.aborted) { clearTimeout(timer); resolve({ approved: false, by: 'stopped', reason: 'the run was stopped' }); return; }
        w.onAbort = () => this.settle(p.id, { approved: false, by: 'stopped', reason: 'the run was stopped' });
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiting.set(p.id, w);
      this.o.onRequest?.(p);
    });
  }

  /** A person's decision. Throws on an unknown approval or hunk, so a bad input changes nothing. */
  decide(d: DecideParams): void {
    const w = this.waiting.get(d.approvalId);
    if (!w) throw new Error(`there is no pending approval ${d.approvalId} (it was decided, timed out or stopped)`);
    if (!d.approve) {
      this.settle(d.approvalId, { approved: false, by: 'user', reason: d.reason?.trim() || 'rejected by the user' });
      return;
    }
    let hunks: number[] | null = null;
    if (d.hunks) {
      if (w.p.kind !== 'edit') throw new Error('only edits can be approved hunk by hunk');
      const total = w.p.hunks ?? 0;
      const bad = d.hunks.find((h) => !Number.isInteger(h) || h < 0 || h >= total);
      if (bad !== undefined) throw new Error(`hunk ${bad} does not exist (the change has ${total})`);
      hunks = [...new Set(d.hunks)].sort((a, b) => a - b);
      if (hunks.length === 0) {
        this.settle(d.approvalId, { approved: false, by: 'user', reason: d.reason?.trim() || 'no hunk was approved' });
        return;
      }
    }
    this.settle(d.approvalId, { approved: true, by: 'user', hunks, ...(d.reason ? { note: d.reason } : {}) });
  }

  pending(): PendingApproval[] {
    return [...this.waiting.values()].map((w) => w.p);
  }

  private settle(id: string, outcome: ApprovalOutcome): void {
    const w = this.waiting.get(id);
    if (!w) return;
    this.waiting.delete(id);
    clearTimeout(w.timer);
    if (w.onAbort) w.signal?.removeEventListener('abort', w.onAbort);
    w.resolve(outcome);
    this.o.onResolved?.(w.p, outcome);
  }
}
