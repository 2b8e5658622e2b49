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
  handler(rpc.replayTurn, (ctx: ServerCtx, p) => replayTurn({ db: ctx.ready.requireDb(), checkpoints: ctx.checkpoints, env: ctx.env }, p.turnId, p.mode)),
];
