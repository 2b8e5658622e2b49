// A checkpoint against the workspace now, every changed file in one multi-file diff editor.
import * as vscode from 'vscode';
import { rpc } from '../../server/protocol';
import type { Ctx } from '../ctx';
import { absentUri, checkpointUri } from './content';

export async function diffCheckpoint(ctx: Ctx, checkpointId: number): Promise<void> {
  const p = await ctx.request(rpc.checkpointPreview, { checkpointId, mode: 'files' });
  if (!p.files.length) {
    void vscode.window.showInformationMessage(`Torbit: the workspace files are as checkpoint ${checkpointId} has them.`);
    return;
  }
  // Left: the checkpoint; right: the file now. A side that does not exist is empty.
  const resources = p.files.map((f) => {
    const now = vscode.Uri.file(`${f.folder}/${f.path}`);
    const then = checkpointUri(checkpointId, f.folder, f.path);
    return f.action === 'create' ? [now, then, absentUri(f.folder, f.path)] : f.action === 'delete' ? [now, absentUri(f.folder, f.path), now] : [now, then, now];
  });
  await vscode.commands.executeCommand('vscode.changes', `Checkpoint ${checkpointId} ↔ now`, resources);
}
