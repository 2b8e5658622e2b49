// Restoring a checkpoint from VS Code: choose what to restore, see what will change (work done
// outside Torbit's turns and a moved HEAD are called out and need an explicit yes), restore, and
// offer Undo (the checkpoint the restore took of what it replaced).
import * as path from 'node:path';
import * as vscode from 'vscode';
import { rpc, type RestoreMode, type RestorePreview } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { diffCheckpoint } from './diff';

const MODES: { label: string; mode: RestoreMode; detail: string }[] = [
  { label: 'Files and conversation', mode: 'both', detail: 'The workspace files, deployment config and this chat go back together' },
  { label: 'Files only', mode: 'files', detail: 'The chat keeps every turn' },
  { label: 'Conversation only', mode: 'conversation', detail: 'The files stay as they are' },
];

function describe(p: RestorePreview): string {
  const lines: string[] = [];
  if (p.mode !== 'conversation') {
    const user = new Set(p.userWork.map((u) => path.join(u.folder, u.path)));
    const shown = p.files.slice(0, 12).map((f) => `${f.action} ${f.path}${user.has(path.join(f.folder, f.path)) ? '  (your change)' : ''}`);
    lines.push(p.files.length ? `Files (${p.files.length}):\n${shown.join('\n')}${p.files.length > 12 ? `\n… and ${p.files.length - 12} more` : ''}` : 'No file changes.');
    if (p.userWork.length) lines.push(`${p.userWork.length} of them changed outside Torbit's turns: restoring overwrites or deletes that work.`);
    for (const h of p.headMoved) lines.push(`Git HEAD moved since the checkpoint (then ${h.then}, now ${h.now}): the restored files belong to the older commit.`);
    for (const u of p.unrestorable) lines.push(`Cannot restore ${u.path}: ${u.reason}.`);
  }
  if (p.conversation) lines.push(`Conversation: keeps ${p.conversation.keep} turn(s), takes out ${p.conversation.hide}${p.conversation.bringBack ? `, brings back ${p.conversation.bringBack}` : ''}.`);
  return lines.join('\n\n');
}

/** The whole flow; `mode` skips the question (tests, the chat's default). Resolves true when restored. */
export async function restoreCheckpoint(ctx: Ctx, checkpointId: number, mode?: RestoreMode): Promise<boolean> {
  const chosen = mode ?? (await vscode.window.showQuickPick(MODES, { title: `Restore checkpoint ${checkpointId}`, placeHolder: 'What should go back?' }))?.mode;
  if (!chosen) return false;
  const preview = await ctx.request(rpc.checkpointPreview, { checkpointId, mode: chosen });
  const risky = preview.userWork.length > 0 || preview.headMoved.length > 0;
  const go = risky ? 'Restore and overwrite my changes' : 'Restore';
  const pick = await vscode.window.showWarningMessage(`Restore checkpoint ${checkpointId} (${preview.checkpoint.kind})?`,
    { modal: true, detail: describe(preview) }, go, ...(preview.files.length ? ['Show Diff'] : []));
  if (pick === 'Show Diff') {
    await diffCheckpoint(ctx, checkpointId);
    return false;
  }
  if (pick !== go) return false;
  const r = await ctx.request(rpc.checkpointRestore, {
    checkpointId, mode: chosen,
    confirmUserWork: preview.userWork.map((u) => path.join(u.folder, u.path)),
    confirmHeadMoved: preview.headMoved.length > 0,
  });
  void vscode.window.showInformationMessage(`Torbit: restored checkpoint ${checkpointId}: ${r.written} file(s) written, ${r.removed} removed.`, 'Undo').then(async (a) => {
    if (a === 'Undo') await restoreCheckpoint(ctx, r.backupCheckpointId, chosen);
  });
  return true;
}

/** "Restore" on a chat turn: back to the state before it. */
export async function restoreTurn(ctx: Ctx, turnId: string): Promise<boolean> {
  const { checkpoint } = await ctx.request(rpc.checkpointForTurn, { turnId });
  if (!checkpoint) {
    void vscode.window.showInformationMessage('Torbit: there is no checkpoint before this turn (it changed nothing, and nothing was checkpointed before it).');
    return false;
  }
  return restoreCheckpoint(ctx, checkpoint.id);
}
