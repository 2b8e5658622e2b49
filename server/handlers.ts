// Every request the backend serves, one list per domain. main.ts registers them in one loop;
// test/unit/handlers.test.ts checks that each request of the protocol is served exactly once.
import { rpc } from './protocol';
import { handler, type Handler } from './rpc';
import type { ServerCtx } from './ctx';
import { chatHandlers } from './agent/handlers';
import { trustHandlers } from './trust/handlers';
import { reviewHandlers } from './review/handlers';
import { easHandlers } from './eas/handlers';
import { checkpointHandlers } from './checkpoints/handlers';
import { skillHandlers } from './skills/handlers';

const backendHandlers: readonly Handler<ServerCtx>[] = [
  handler(rpc.status, (ctx: ServerCtx) => ctx.ready.status()),
];

export const HANDLERS: readonly Handler<ServerCtx>[] = [
  ...backendHandlers, ...chatHandlers, ...trustHandlers, ...reviewHandlers, ...easHandlers, ...checkpointHandlers, ...skillHandlers,
];
