// Review's requests: bundle and review the changes since the baseline, finish (advance the
// baseline), install the push gate, and the Ship loop.
import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { rpc } from '../protocol';
import { callersFault, handler, type Handler } from '../rpc';
import type { ServerCtx } from '../ctx';
import { ReviewError } from './baseline';
import { finishReview } from './finish';
import { installGate } from './gate';
import { createBundle, reviewChanges } from './service';
import { ship } from './ship';

/** No repository, or a damaged baseline, is the caller's to fix. */
const fault = <T>(fn: () => Promise<T> | T) => callersFault([[ReviewError, ErrorCodes.InvalidRequest]], fn);

export const reviewHandlers: readonly Handler<ServerCtx>[] = [
  handler(rpc.reviewBundle, (ctx: ServerCtx, p) => fault(() => {
    const { b, folder } = ctx.folder(p.folder, 'a review');
    return createBundle({ ...p, folder, dataDir: b.dataDir.dir, env: ctx.env });
  })),
  handler(rpc.reviewRun, (ctx: ServerCtx, p) => fault(() => {
    const { b, folder } = ctx.folder(p.folder, 'a review');
    return reviewChanges({ db: b.requireDb(), audit: b.audit(), dataDir: b.dataDir.dir, env: ctx.env }, { ...p, folder });
  })),
  handler(rpc.reviewFinish, (ctx: ServerCtx, p) => fault(() => {
    const { b, folder } = ctx.folder(p.folder, 'a review');
    return finishReview({ db: b.requireDb(), audit: b.audit() }, folder);
  })),
  handler(rpc.reviewInstallGate, (ctx: ServerCtx, p) => fault(() => {
    const { b, folder } = ctx.folder(p.folder, 'a review');
    // The hook runs the CLI next to this bundle, with the runtime running it (Electron's runs as Node).
    return installGate({ audit: b.audit() }, folder, { node: process.execPath, cli: ctx.cliPath, dataDir: b.dataDir.dir });
  })),
  handler(rpc.reviewShip, (ctx: ServerCtx, p, token) => fault(async () => {
    const { b, folder } = ctx.folder(p.folder, 'a review');
    if (ctx.shipping) throw new ResponseError(ErrorCodes.InvalidRequest, `Ship is already running (${ctx.shipping}): wait for it, or stop it`);
    ctx.shipping = p.shipId;
    const controller = new AbortController();
    const sub = token.onCancellationRequested?.(() => controller.abort());
    try {
      return await ship({
        db: b.requireDb(), audit: b.audit(), dataDir: b.dataDir.dir, env: ctx.env, signal: controller.signal,
        chat: ctx.chatOrNull, trusted: ctx.trusted,
        progress: (e) => ctx.notify(rpc.reviewShipProgress, e),
        output: (chunk) => ctx.notify(rpc.reviewShipOutput, { shipId: p.shipId, chunk }),
      }, { ...p, folder });
    } finally {
      sub?.dispose();
      ctx.shipping = undefined;
    }
  })),
];
