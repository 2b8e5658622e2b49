// The chat's requests: send and stop turns, read sessions and the changes their tools made.
import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { rpc } from '../protocol';
import { callersFault, handler, type Handler } from '../rpc';
import type { ServerCtx } from '../ctx';
import { ChatRefused } from './chat';

export const chatHandlers: readonly Handler<ServerCtx>[] = [
  // A session that is busy, or a workspace Ship holds, is refused as the caller's to wait for.
  handler(rpc.chatSend, (ctx: ServerCtx, p) => callersFault([[ChatRefused, ErrorCodes.InvalidRequest]], async () => {
    const { sessionId, turnId } = await ctx.chat.chat.send(p);
    return { sessionId, turnId };
  })),
  // The template stays in the backend: the extension lists names and hints, and sends `/name args`.
  handler(rpc.commandsList, async (ctx: ServerCtx) => {
    const { commands, problems } = await ctx.chat.chat.customCommands();
    return { commands: commands.map(({ template: _template, ...view }) => view), problems };
  }),
  handler(rpc.chatStop, (ctx: ServerCtx, p) => ({ stopped: ctx.chat.chat.stop(p.turnId) })),
  handler(rpc.sessionList, async (ctx: ServerCtx, p) => ({ sessions: await ctx.chat.repo.listSessions(p?.limit) })),
  handler(rpc.sessionGet, async (ctx: ServerCtx, p) => {
    const { repo } = ctx.chat;
    const session = await repo.summary(p.sessionId);
    if (!session) throw new ResponseError(ErrorCodes.InvalidParams, `there is no session ${p.sessionId}`);
    return { session, turns: await repo.transcript(p.sessionId), runningTurnId: await repo.runningTurn(p.sessionId) };
  }),
  handler(rpc.changeGet, async (ctx: ServerCtx, p) => {
    const change = await ctx.chat.chat.change(p.changeId);
    if (!change) throw new ResponseError(ErrorCodes.InvalidParams, `there is no change ${p.changeId}`);
    return change;
  }),
];
