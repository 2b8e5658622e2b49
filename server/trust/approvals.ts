// Pending approvals: a run waits here for a person's decision, until a timeout (which counts as a
// rejection) or until the run is stopped. Edits can be approved hunk by hunk.
import { randomUUID } from 'node:crypto';
import type { ApprovalOutcome, ApprovalView, DecideParams } from '../protocol';

export type { ApprovalOutcome, DecideParams };
export type PendingApproval = ApprovalView;
export type ApprovalRequest = Omit<ApprovalView, 'id' | 'createdAt' | 'expiresAt'>;

/** An edit's text before and after, kept for the diff editor while the approval is pending. */
export interface EditText {
  before: string | null;
  after: string;
}

interface Waiter {
  p: PendingApproval;
  text?: EditText;
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
  request(r: ApprovalRequest, o: { signal?: AbortSignal; text?: EditText; onPending?(p: PendingApproval): void } = {}): Promise<ApprovalOutcome> {
    const now = Date.now();
    const p: PendingApproval = { ...r, id: randomUUID(), createdAt: new Date(now).toISOString(), expiresAt: new Date(now + this.o.timeoutMs).toISOString() };
    const { signal } = o;
    return new Promise<ApprovalOutcome>((resolve) => {
      if (signal?.aborted) { resolve({ approved: false, by: 'stopped', reason: 'the run was stopped' }); return; }
      const timer = setTimeout(() => this.settle(p.id, {
        approved: false, by: 'timeout', reason: `no decision within ${Math.round(this.o.timeoutMs / 1000)} s, so it counts as rejected`,
      }), this.o.timeoutMs);
      const w: Waiter = { p, text: o.text, resolve, timer, signal };
      if (signal) {
        w.onAbort = () => this.settle(p.id, { approved: false, by: 'stopped', reason: 'the run was stopped' });
        signal.addEventListener('abort', w.onAbort, { once: true });
      }
      this.waiting.set(p.id, w);
      o.onPending?.(p);
      this.o.onRequest?.(p);
    });
  }

  /** A person's decision. Throws on an unknown approval or hunk, so a bad input changes nothing. */
  decide(d: DecideParams): void {
    const w = this.waiting.get(d.approvalId);
    if (!w) throw new Error(`there is no pending approval ${d.approvalId} (it was decided, timed out or stopped)`);
    const reason = d.reason?.trim();
    if (!d.approve) {
      this.settle(d.approvalId, { approved: false, by: 'user', reason: reason || 'rejected by the user' });
      return;
    }
    if (d.forSession && !w.p.sessionScope) throw new Error('"allow for this session" is not offered on this approval');
    let hunks: number[] | null = null;
    if (d.hunks) {
      if (w.p.kind !== 'edit' || !w.p.edit) throw new Error('only edits can be approved hunk by hunk');
      const total = w.p.edit.hunks.length;
      const bad = d.hunks.find((h) => h >= total);
      if (bad !== undefined) throw new Error(`hunk ${bad} does not exist (the change has ${total})`);
      hunks = [...new Set(d.hunks)].sort((a, b) => a - b);
      if (hunks.length === 0) {
        this.settle(d.approvalId, { approved: false, by: 'user', reason: reason || 'no hunk was approved' });
        return;
      }
      if (hunks.length === total) hunks = null;
      if (hunks && d.forSession) throw new Error('"allow for this session" approves the whole change, not some of its hunks');
    }
    this.settle(d.approvalId, { approved: true, by: 'user', hunks, ...(reason ? { note: reason } : {}), ...(d.forSession ? { forSession: true } : {}) });
  }

  pending(): PendingApproval[] {
    return [...this.waiting.values()].map((w) => w.p);
  }

  get(id: string): { approval: PendingApproval; text?: EditText } | undefined {
    const w = this.waiting.get(id);
    return w && { approval: w.p, text: w.text };
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
