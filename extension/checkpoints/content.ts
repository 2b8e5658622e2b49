// A checkpoint's copy of a file, as a read-only document: torbit-checkpoint:/<id>/<path>?folder=…
// The diff editor opens these on the left, the workspace file on the right.
import * as vscode from 'vscode';
import { rpc } from '../../server/protocol';
import type { Ctx } from '../ctx';

export const CHECKPOINT_SCHEME = 'torbit-checkpoint';

export function checkpointUri(checkpointId: number, folder: string, rel: string): vscode.Uri {
  return vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/${checkpointId}/${rel}`, query: new URLSearchParams({ folder }).toString() });
}

/** The side of a diff where the file does not exist. */
export function absentUri(folder: string, rel: string): vscode.Uri {
  return vscode.Uri.from({ scheme: CHECKPOINT_SCHEME, path: `/absent/${rel}`, query: new URLSearchParams({ folder }).toString() });
}

export class CheckpointContent implements vscode.TextDocumentContentProvider {
  constructor(private readonly ctx: Ctx) {}

  async provideTextDocumentContent(uri: vscode.Uri): Promise<string> {
    if (uri.path.startsWith('/absent/')) return '';
    const m = /^\/(\d+)\/(.+)$/.exec(uri.path);
    const folder = new URLSearchParams(uri.query).get('folder');
    if (!m || !folder) return '';
    const r = await this.ctx.request(rpc.checkpointFile, { checkpointId: Number(m[1]), folder, path: m[2]! });
    // Not in the checkpoint (the file came later): an empty side, as a diff of a new file shows it.
    return r.content ?? (r.note ? `(${r.note})` : '');
  }
}
