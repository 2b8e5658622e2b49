// Turning a person's clicks into decisions: a whole approval at once, or an edit hunk by hunk
// (the decision goes to the backend once every hunk of the edit is decided).
import * as vscode from 'vscode';
import { rpc, type ApprovalView, type DecideParams } from '../../server/protocol';
import type { Ctx } from '../ctx';
import type { HunkChoice } from './store';

/** Asks why (optional); undefined when the person cancels the rejection. */
export async function askReason(a: ApprovalView, hunk?: number): Promise<string | undefined> {
  return vscode.window.showInputBox({
    title: `Reject ${hunk !== undefined && (a.edit?.hunks.length ?? 0) > 1 ? `change ${hunk + 1} of ${a.edit!.hunks.length} in ` : ''}${a.title}`,
    prompt: 'Why? (optional; the model is told)',
    placeHolder: 'e.g. keep the old name',
    ignoreFocusOut: true,
  });
}

/**
 * Decides `hunk` of an approval, or all of it (hunk undefined, or not an edit with several hunks).
 * Returns true when the decision went to the backend.
 */
export async function decide(ctx: Ctx, a: ApprovalView, choice: HunkChoice, hunk?: number): Promise<boolean> {
  const hunks = a.edit?.hunks ?? [];
  if (hunk !== undefined && hunks.length > 1) {
    ctx.approvals.choose(a.id, hunk, choice);
    const all = ctx.approvals.allChosen(a);
    if (!all) return false;
    return send(ctx, a, all);
  }
  // The whole change: hunks rejected one by one before stay rejected.
  const all = new Map<number, HunkChoice>();
  for (const h of hunks) all.set(h.index, ctx.approvals.choice(a.id, h.index) ?? choice);
  return send(ctx, a, hunks.length ? all : new Map([[0, choice]]));
}

async function send(ctx: Ctx, a: ApprovalView, choices: Map<number, HunkChoice>): Promise<boolean> {
  const approved = [...choices].filter(([, c]) => c.approve).map(([i]) => i).sort((x, y) => x - y);
  const reasons = [...choices.values()].flatMap((c) => (!c.approve && c.reason ? [c.reason] : []));
  const reason = reasons.length ? reasons.join('; ') : undefined;
  const total = a.edit?.hunks.length ?? 1;
  const d: DecideParams = approved.length === 0
    ? { approvalId: a.id, approve: false, ...(reason ? { reason } : {}) }
    : approved.length === total || !a.edit
      ? { approvalId: a.id, approve: true }
      : { approvalId: a.id, approve: true, hunks: approved, ...(reason ? { reason } : {}) };
  try {
    await ctx.request(rpc.approvalDecide, d);
    ctx.walkthrough.did('approve');
  } finally {
    // Decided, or no longer pending (timed out, stopped): either way it is gone.
    ctx.approvals.remove(a.id);
  }
  return true;
}

/** Approves the whole approval and allows its offered scope for the rest of its chat session. */
export async function approveForSession(ctx: Ctx, a: ApprovalView): Promise<void> {
  try {
    await ctx.request(rpc.approvalDecide, { approvalId: a.id, approve: true, forSession: true });
    ctx.walkthrough.did('approve');
  } finally {
    ctx.approvals.remove(a.id);
  }
}
