// Registers protocol handlers with validation on the way in and on the way out: a payload that
// fails its schema is answered with InvalidParams naming the field, and the server carries on.
import type { z } from 'zod';
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { describeZodError, type NotificationDef, type RequestDef } from './protocol';
import type { Logger } from './logger';

type Token = { isCancellationRequested: boolean; onCancellationRequested?: (fn: () => void) => { dispose(): void } };

/** vscode-jsonrpc spreads positional params before the token; collapse them back into one value. */
function paramsOf(args: unknown[]): unknown {
  return args.length === 0 ? undefined : args.length === 1 ? args[0] : args;
}

export function onRequest<P extends z.ZodType, R extends z.ZodType>(
  conn: Connection, log: Logger, def: RequestDef<P, R>,
  handler: (params: z.output<P>, token: Token) => Promise<z.input<R>> | z.input<R>,
): void {
  conn.onRequest(def.method, async (...args: unknown[]) => {
    const token = args.pop() as Token;
    const parsed = def.params.safeParse(paramsOf(args));
    if (!parsed.success) {
      const msg = `${def.method}: invalid params: ${describeZodError(parsed.error)}`;
      log.warn(msg);
      return new ResponseError(ErrorCodes.InvalidParams, msg);
    }
    try {
      const result = await handler(parsed.data, token);
      const out = def.result.safeParse(result);
      if (!out.success) throw new Error(`the backend produced an invalid result: ${describeZodError(out.error)}`);
      return out.data;
    } catch (err) {
      if (err instanceof ResponseError) return err;
      const msg = `${def.method} failed: ${(err as Error).message}`;
      log.error(msg);
      return new ResponseError(ErrorCodes.InternalError, msg);
    }
  });
}

export function notify<P extends z.ZodType>(conn: Connection, def: NotificationDef<P>, params: z.input<P>): void {
  void conn.sendNotification(def.method, def.params.parse(params));
}
