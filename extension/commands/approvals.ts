// Approve / Reject / Diff / Approve all in file / Review / Allow for this session / Always allow…:
// what the code lenses, the chat's tool card, the Governance view and the status bar run on a
// pending approval; and the keyboard's way through pending hunks (next, previous, approve or
// reject the one at the cursor).
import * as vscode from 'vscode';
import { approvalWords, type ApprovalView } from '../../server/protocol';
import { approveForSession, askReason, decide } from '../approvals/decide';
import { fileOfInline } from '../approvals/inline';
import { APPROVAL_SCHEME, openProposalDiff, parseProposalUri } from '../approvals/proposal';
import type { Ctx } from '../ctx';
import type { CommandFactory } from './index';

function pending(ctx: Ctx, id: unknown): ApprovalView {
  const a = typeof id === 'string' ? ctx.approvals.get(id) : undefined;
  if (!a) throw new Error('That approval is no longer pending (it was decided, timed out or the run stopped).');
  return a;
}

/** The file a document is about: itself, or the file a proposal (diff side, inline review) would change. */
function fileOf(ctx: Ctx, uri: vscode.Uri | undefined): string | undefined {
  if (uri?.scheme === 'file') return uri.fsPath;
  const inline = uri && fileOfInline(uri);
  if (inline) return inline;
  const p = uri?.scheme === APPROVAL_SCHEME ? parseProposalUri(uri) : undefined;
  return p ? ctx.approvals.get(p.id)?.edit?.absPath : undefined;
}

const hunkOf = (h: unknown) => (typeof h === 'number' && Number.isInteger(h) && h >= 0 ? h : undefined);

/**
 * Shows where a pending approval is: an edit's inline review at the hunk (else its first
 * undecided one), a new file's diff, or a command's question.
 */
export async function review(ctx: Ctx, a: ApprovalView, hunk?: number): Promise<void> {
  if (a.edit && !a.edit.created) {
    const at = hunk ?? a.edit.hunks.find((h) => !ctx.approvals.choice(a.id, h.index))?.index ?? 0;
    if (await ctx.inline?.show(a.edit.absPath, { approvalId: a.id, hunk: at })) return;
    // Its text could not be shown inline (see the log): the file, at the hunk, with its lenses.
    const line = a.edit.hunks.find((h) => h.index === at)?.line ?? 0;
    const editor = await vscode.window.showTextDocument(vscode.Uri.file(a.edit.absPath), { preview: false });
    const pos = new vscode.Position(Math.min(line, editor.document.lineCount - 1), 0);
    editor.selection = new vscode.Selection(pos, pos);
    editor.revealRange(new vscode.Range(pos, pos), vscode.TextEditorRevealType.InCenterIfOutsideViewport);
    return;
  }
  if (a.edit) return openProposalDiff(a);
  await askInNotification(ctx, a);
}

/** Commands and reads have no place in an editor: they are asked in a notification. */
export async function askInNotification(ctx: Ctx, a: ApprovalView): Promise<void> {
  if (a.kind === 'ship') return askShip(ctx, a);
  const w = approvalWords(a);
  // A notification is one paragraph: the exact argv and folder follow the sentences, then the
  // scope the backend offers (only where the policy merely asks). The scope is named in the text,
  // not on a button: a toast is 450 px wide, and four buttons, one naming `git rev-list …`, are
  // cut off ("Appro…", "Always Allo…").
  const scope = a.sessionScope;
  const always = scope?.kind === 'command';
  const offer = scope ? ` (Allow for this session${always ? ' or always' : ''}: ${scope.label})` : '';
  const pick = await vscode.window.showWarningMessage(`${w.want} ${w.why}${w.exact ? ` ${w.exact}` : ''}${offer}`,
    'Approve', ...(scope ? [FOR_SESSION] : []), ...(always ? [ALWAYS] : []), 'Reject');
  if (!ctx.approvals.get(a.id) || !pick) return;
  if (pick === FOR_SESSION) await approveForSession(ctx, a);
  else if (pick === ALWAYS) {
    // Not added (cancelled, or refused): the command still waits, so it is asked again.
    if (!(await alwaysAllow(ctx, a)) && ctx.approvals.get(a.id)) await askInNotification(ctx, a);
  } else if (pick === 'Approve') await decide(ctx, a, { approve: true });
  else {
    const reason = await askReason(a);
    if (reason !== undefined) await decide(ctx, a, { approve: false, reason });
  }
}

const FOR_SESSION = 'Allow for This Session';
const ALWAYS = 'Always Allow…';

/** "Always allow…": the policy rule's diff, then the write; false when nothing was added (a refusal is shown). */
async function alwaysAllow(ctx: Ctx, a: ApprovalView): Promise<boolean> {
  try {
    return await ctx.policyRules.alwaysAllow(ctx, a);
  } catch (err) {
    void vscode.window.showErrorMessage(`Torbit: the rule was not added: ${(err as Error).message}`);
    return false;
  }
}

/** A build or submission the person just started: asked at once, in a modal. */
async function askShip(ctx: Ctx, a: ApprovalView): Promise<void> {
  const approve = 'Approve';
  const w = approvalWords(a);
  const pick = await vscode.window.showWarningMessage(w.want, {
    modal: true,
    detail: `${w.why} This runs eas-cli with your Expo and store credentials; a build or submission may cost EAS credits.`,
  }, approve);
  if (!ctx.approvals.get(a.id)) return;
  await decide(ctx, a, pick === approve ? { approve: true } : { approve: false, reason: 'dismissed' });
}

const NOTHING_INLINE = 'No proposed change to a file is waiting for your approval.';

/**
 * Approves or rejects the undecided hunk at or after the cursor of the inline review in front,
 * then moves to the file's next one. Anywhere else nothing is decided unseen: the hunk at the
 * cursor of a file (else the next pending one) is shown inline first.
 */
async function decideCurrent(ctx: Ctx, approve: boolean): Promise<void> {
  const cur = ctx.inline?.current();
  if (!cur) {
    const shown = (await ctx.inline?.showFromFile()) || (await ctx.inline?.go(1));
    if (shown) vscode.window.setStatusBarMessage(`Torbit: this is the proposed change; ${approve ? 'approve' : 'reject'} it here.`, 5000);
    else void vscode.window.showInformationMessage(NOTHING_INLINE);
    return;
  }
  const a = pending(ctx, cur.approvalId);
  let sent: boolean;
  if (approve) sent = await decide(ctx, a, { approve: true }, cur.hunk);
  else {
    const reason = await askReason(a, cur.hunk);
    if (reason === undefined) return;
    sent = await decide(ctx, a, { approve: false, ...(reason.trim() ? { reason: reason.trim() } : {}) }, cur.hunk);
  }
  // Still waiting for its other hunks: on to the next of them.
  if (!sent) await ctx.inline?.nextInFile(cur.file);
}

export const approvalCommands = {
  'torbit.approval.approve': (ctx) => async (id?: unknown, hunk?: unknown) => {
    await decide(ctx, pending(ctx, id), { approve: true }, hunkOf(hunk));
  },
  'torbit.approval.reject': (ctx) => async (id?: unknown, hunk?: unknown) => {
    const a = pending(ctx, id);
    const reason = await askReason(a, hunkOf(hunk));
    if (reason === undefined) return;
    await decide(ctx, a, { approve: false, ...(reason.trim() ? { reason: reason.trim() } : {}) }, hunkOf(hunk));
  },
  'torbit.approval.allowForSession': (ctx) => async (id?: unknown) => {
    const a = pending(ctx, id);
    if (!a.sessionScope) throw new Error('"Allow for this session" is not offered on this approval.');
    await approveForSession(ctx, a);
  },
  'torbit.approval.alwaysAllow': (ctx) => async (id?: unknown) => {
    const a = pending(ctx, id);
    if (a.sessionScope?.kind !== 'command') throw new Error('"Always allow" is offered only on a command the policy merely asks about.');
    await alwaysAllow(ctx, a);
  },
  'torbit.approval.diff': (ctx) => async (id?: unknown) => {
    await openProposalDiff(pending(ctx, id));
  },
  'torbit.approval.approveAllInFile': (ctx) => async (fsPath?: unknown) => {
    const file = typeof fsPath === 'string' ? fsPath : fileOf(ctx, fsPath instanceof vscode.Uri ? fsPath : vscode.window.activeTextEditor?.document.uri);
    const edits = file ? ctx.approvals.allEditsOf(file) : [];
    if (!edits.length) {
      void vscode.window.showInformationMessage('Torbit has no pending change for this file.');
      return;
    }
    for (const a of edits) await decide(ctx, a, { approve: true });
  },
  'torbit.approval.review': (ctx) => async (id?: unknown, hunk?: unknown) => {
    const a = id === undefined ? ctx.approvals.all()[0] : pending(ctx, id);
    if (!a) {
      void vscode.window.showInformationMessage('Nothing is waiting for your approval.');
      return;
    }
    await review(ctx, a, hunkOf(hunk));
  },
  'torbit.approval.nextHunk': (ctx) => async () => {
    if (!(await ctx.inline?.go(1))) void vscode.window.showInformationMessage(NOTHING_INLINE);
  },
  'torbit.approval.previousHunk': (ctx) => async () => {
    if (!(await ctx.inline?.go(-1))) void vscode.window.showInformationMessage(NOTHING_INLINE);
  },
  'torbit.approval.approveCurrent': (ctx) => () => decideCurrent(ctx, true),
  'torbit.approval.rejectCurrent': (ctx) => () => decideCurrent(ctx, false),
} satisfies Record<string, CommandFactory>;
