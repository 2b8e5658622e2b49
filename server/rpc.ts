// Registers protocol handlers and enforces what every request declares: a 'trusted' request is
// refused in restricted mode before its params are read, params are validated on the way in and
// results on the way out. A payload that fails its schema is answered with InvalidParams naming
// the field, and the server carries on.
import type { z } from 'zod';
import { ErrorCodes, ResponseError, type Connection } from 'vscode-languageserver/node';
import { describeZodError, UNTRUSTED_WORKSPACE, type NotificationDef, type RequestDef } from './protocol';
import type { Logger } from './logger';

export type Token = { isCancellationRequested: boolean; onCancellationRequested?: (fn: () => void) => { dispose(): void } };

/** One request's handler, as a record: the definition it serves and what it does with a context C. */
export interface Handler<C, P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  readonly def: RequestDef<P, R>;
  // Method syntax, so records with their own params types fit in one list.
  run(ctx: C, params: z.output<P>, token: Token): Promise<z.input<R>> | z.input<R>;
}

/** A handler record, with its types inferred from the definition. */
export function handler<C, P extends z.ZodType, R extends z.ZodType>(
  def: RequestDef<P, R>, run: (ctx: C, params: z.output<P>, token: Token) => Promise<z.input<R>> | z.input<R>,
): Handler<C, P, R> {
  return { def, run };
}

/** vscode-jsonrpc spreads positional params before the token; collapse them back into one value. */
function paramsOf(args: unknown[]): unknown {
  return args.length === 0 ? undefined : args.length === 1 ? args[0] : args;
}

export interface Gate {
  /** Whether the workspace is trusted now (initialize decides). */
  trusted(): boolean;
}

/** The answer a restricted-mode backend gives a request that needs a trusted workspace. */
export function untrusted(method: string): ResponseError<undefined> {
  return new ResponseError(UNTRUSTED_WORKSPACE, `${method} needs a trusted workspace: this workspace is in restricted mode, so Torbit runs nothing from it, writes nothing outside its data directory and ships nothing (trust the folder to allow it)`);
}

export function register<C>(conn: Connection, log: Logger, gate: Gate, ctx: C, handlers: readonly Handler<C>[]): void {
  for (const h of handlers) onRequest(conn, log, gate, h.def, (p, token) => h.run(ctx, p, token));
}

export function onRequest<P extends z.ZodType, R extends z.ZodType>(
  conn: Connection, log: Logger, gate: Gate, def: RequestDef<P, R>,
  handle: (params: z.output<P>, token: Token) => Promise<z.input<R>> | z.input<R>,
): void {
  conn.onRequest(def.method, async (...args: unknown[]) => {
    const token = args.pop() as Token;
    if (def.workspace === 'trusted' && !gate.trusted()) {
      log.warn(`${def.method}: refused in restricted mode`);
      return untrusted(def.method);
    }
    const parsed = def.params.safeParse(paramsOf(args));
    if (!parsed.success) {
      const msg = `${def.method}: invalid params: ${describeZodError(parsed.error)}`;
      log.warn(msg);
      return new ResponseError(ErrorCodes.InvalidParams, msg);
    }
    try {
      const result = await handle(parsed.data, token);
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

/**
 * What the caller must fix (a damaged baseline or eas.json, a refused start, an unknown run) is
 * answered with its reason and a client-error code, not as the backend failing. `faults` lists
 * the error classes a domain counts as the caller's, with the code each gets.
 */
export async function callersFault<T>(
  faults: ReadonlyArray<readonly [new (...args: never[]) => Error, number]>, fn: () => Promise<T> | T,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    for (const [cls, code] of faults) if (err instanceof cls) throw new ResponseError(code, err.message, dataOf(err));
    throw err;
  }
}

/** Structured detail a caller's-fault error carries (a restore's preview), passed on as the error's data. */
function dataOf(err: Error): unknown {
  const d = (err as { data?: unknown }).data;
  return d === undefined ? undefined : d;
}
