// EAS requests: pipeline diagnostics, the eas.json proposal and write, and builds and
// submissions as background runs.
import { ErrorCodes } from 'vscode-languageserver/node';
import { rpc } from '../protocol';
import { callersFault, handler, type Handler } from '../rpc';
import type { ServerCtx } from '../ctx';
import { diagnose } from './diagnose';
import { proposeEasJson, writeEasJson } from './config';
import { EasJsonError } from './easJson';
import { finishedBuilds } from './builds';
import { UnknownRun } from '../runs/manager';
import { startRun, StartRefused } from '../runs/start';

/** A damaged eas.json, a refused start or an unknown run is the caller's to fix. */
const fault = <T>(fn: () => Promise<T> | T) => callersFault([
  [EasJsonError, ErrorCodes.InvalidRequest], [StartRefused, ErrorCodes.InvalidRequest], [UnknownRun, ErrorCodes.InvalidParams],
], fn);

export const easHandlers: readonly Handler<ServerCtx>[] = [
  // In restricted mode the eas-cli check reads files only: the workspace's node_modules/.bin/eas is not run.
  handler(rpc.easDiagnose, (ctx: ServerCtx, p) => diagnose(ctx.folder(p.folder, 'EAS').folder, ctx.env, { trusted: ctx.trusted })),
  handler(rpc.easProposeConfig, (ctx: ServerCtx, p) => fault(() => proposeEasJson(ctx.folder(p.folder, 'EAS').folder, { track: p.track }))),
  handler(rpc.easWriteConfig, (ctx: ServerCtx, p) => fault(() => {
    const { b, folder } = ctx.folder(p.folder, 'EAS');
    return writeEasJson({ audit: b.audit() }, folder, p.before, p.after);
  })),
  handler(rpc.easStart, async (ctx: ServerCtx, p) => {
    const { b, folder } = ctx.folder(p.folder, 'EAS');
    return { run: await fault(() => startRun({ runs: ctx.runs, trust: ctx.trust, audit: b.audit(), env: ctx.env }, folder, p.spec)) };
  }),
  handler(rpc.easBuilds, async (ctx: ServerCtx, p) => ({ builds: await finishedBuilds(ctx.folder(p.folder, 'EAS').folder, p.platform, ctx.env) })),
  handler(rpc.runList, async (ctx: ServerCtx, p) => ({ runs: await ctx.runs.list(p?.limit) })),
  handler(rpc.runCancel, (ctx: ServerCtx, p) => fault(async () => ({ run: await ctx.runs.cancel(p.runId) }))),
  handler(rpc.runLog, (ctx: ServerCtx, p) => fault(() => ctx.runs.log(p.runId))),
];
