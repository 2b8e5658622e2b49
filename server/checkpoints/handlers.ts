// Checkpoint requests: list, create, preview and restore checkpoints, a file as it was, and
// replaying a recorded turn.
import { ErrorCodes } from 'vscode-languageserver/node';
import { rpc } from '../protocol';
import { callersFault, handler, type Handler } from '../rpc';
import type { ServerCtx } from '../ctx';
import { RestoreRefused } from './service';
import { replayTurn } from '../replay/replay';

/** A refused restore (user work in the way, no such checkpoint) is the caller's to decide; its preview goes along. */
const fault = <T>(fn: () => Promise<T> | T) => callersFault([[RestoreRefused, ErrorCodes.InvalidRequest]], fn);

export const checkpointHandlers: readonly Handler<ServerCtx>[] = [
  handler(rpc.checkpointList, async (ctx: ServerCtx, p) => ({ checkpoints: await ctx.checkpoints.list(p ?? {}) })),
  handler(rpc.checkpointCreate, (ctx: ServerCtx, p) => ctx.checkpoints.create({ label: p.label })),
  handler(rpc.checkpointPreview, (ctx: ServerCtx, p) => fault(() => ctx.checkpoints.preview(p.checkpointId, p.mode))),
  handler(rpc.checkpointRestore, (ctx: ServerCtx, p) => fault(() => ctx.checkpoints.restore(p))),
  handler(rpc.checkpointForTurn, async (ctx: ServerCtx, p) => ({ checkpoint: await ctx.checkpoints.forTurn(p.turnId) })),
  handler(rpc.checkpointFile, (ctx: ServerCtx, p) => fault(() => ctx.checkpoints.file(p.checkpointId, p.folder, p.path))),
  // Every command the replay would run is judged again by the trust layer (and asked about), as in a live turn.
  handler(rpc.replayTurn, async (ctx: ServerCtx, p, token) => {
    const controller = new AbortController();
    const sub = token.onCancellationRequested?.(() => controller.abort());
    try {
      return await replayTurn({ db: ctx.ready.requireDb(), checkpoints: ctx.checkpoints, env: ctx.env, trust: ctx.trust, signal: controller.signal }, p.turnId, p.mode);
    } finally {
      sub?.dispose();
    }
  }),
];
