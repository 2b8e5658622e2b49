// Commands of checkpoints: take one, restore one (from a list, the timeline or a chat turn), and
// diff one against the workspace now.
import * as vscode from 'vscode';
import { rpc, type CheckpointView } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { diffCheckpoint } from '../checkpoints/diff';
import { restoreCheckpoint, restoreTurn } from '../checkpoints/restore';
import { replayTurnCommand } from '../checkpoints/replay';
import { fail } from './fail';
import type { CommandFactory } from './index';

export function checkpointLabel(c: CheckpointView): string {
  return c.label ?? (c.turnTitle ? `${c.kind}: ${c.turnTitle}` : c.kind);
}

/** The checkpoint an argument names, or one the person picks from the newest. */
async function pick(ctx: Ctx, arg: unknown, title: string): Promise<number | undefined> {
  if (typeof arg === 'number' && Number.isInteger(arg) && arg > 0) return arg;
  const { checkpoints } = await ctx.request(rpc.checkpointList, { limit: 100 });
  if (!checkpoints.length) {
    void vscode.window.showInformationMessage('Torbit: no checkpoint yet. One is taken before each turn changes anything, or take one with "Torbit: Create Checkpoint".');
    return undefined;
  }
  const chosen = await vscode.window.showQuickPick(checkpoints.map((c) => ({
    label: `#${c.id} ${checkpointLabel(c)}`, description: new Date(c.createdAt).toLocaleString(),
    detail: `${c.files} file(s)${c.turns === null ? '' : `, ${c.turns} turn(s) in the conversation`}`, id: c.id,
  })), { title, placeHolder: 'Which checkpoint?' });
  return chosen?.id;
}

export const checkpointCommands = {
  'torbit.checkpoint.create': (ctx: Ctx) => async () => {
    const label = await vscode.window.showInputBox({ title: 'Torbit: Create Checkpoint', prompt: 'A name for it (optional)' });
    if (label === undefined) return;
    await ctx.request(rpc.checkpointCreate, { label: label.trim() || undefined }).then(
      (c) => void vscode.window.showInformationMessage(`Torbit: checkpoint #${c.id} taken (${c.files} files).`),
      fail(ctx, 'creating a checkpoint'));
  },
  'torbit.checkpoint.restore': (ctx: Ctx) => async (arg?: unknown) => {
    const id = await pick(ctx, arg, 'Torbit: Restore Checkpoint');
    if (id) await restoreCheckpoint(ctx, id).catch(fail(ctx, 'restoring a checkpoint'));
  },
  'torbit.checkpoint.diff': (ctx: Ctx) => async (arg?: unknown) => {
    const id = await pick(ctx, arg, 'Torbit: Compare Checkpoint with Workspace');
    if (id) await diffCheckpoint(ctx, id).catch(fail(ctx, 'comparing a checkpoint'));
  },
  'torbit.checkpoint.restoreTurn': (ctx: Ctx) => async (turnId?: unknown) => {
    if (typeof turnId !== 'string' || !turnId) return;
    await restoreTurn(ctx, turnId).catch(fail(ctx, 'restoring a turn'));
  },
  'torbit.replayTurn': (ctx: Ctx) => async (turnId?: unknown) => {
    await replayTurnCommand(ctx, turnId).catch(fail(ctx, 'replaying a turn'));
  },
} satisfies Record<string, CommandFactory>;
