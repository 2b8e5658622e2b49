// How every message of the contract is declared: one method name, one zod schema per payload,
// and which side sends it. Both sides validate against the same schemas.
import type { z } from 'zod';

/** Which process sends a message: the VS Code extension host or the Torbit backend. */
export type Sender = 'extension' | 'server';

/**
 * What a request needs of the workspace. `trusted`: it may run a program from the workspace,
 * write outside the data directory, or ship, so a restricted-mode (untrusted) backend refuses
 * it before its params are read. `any`: it only reads, or writes Torbit's own data directory.
 */
export type WorkspaceNeed = 'any' | 'trusted';

/** The JSON-RPC error code of a 'trusted' request refused by a restricted-mode backend. */
export const UNTRUSTED_WORKSPACE = -32050;

export interface RequestDef<P extends z.ZodType, R extends z.ZodType> {
  readonly kind: 'request';
  readonly method: `torbit/${string}`;
  readonly sender: Sender;
  readonly workspace: WorkspaceNeed;
  readonly params: P;
  readonly result: R;
}

export interface NotificationDef<P extends z.ZodType> {
  readonly kind: 'notification';
  readonly method: `torbit/${string}`;
  readonly sender: Sender;
  readonly params: P;
}

export function request<P extends z.ZodType, R extends z.ZodType>(
  method: `torbit/${string}`, sender: Sender, workspace: WorkspaceNeed, params: P, result: R,
): RequestDef<P, R> {
  return { kind: 'request', method, sender, workspace, params, result };
}

export function notification<P extends z.ZodType>(
  method: `torbit/${string}`, sender: Sender, params: P,
): NotificationDef<P> {
  return { kind: 'notification', method, sender, params };
}

/** A zod failure as one line that names each bad field: `torbit.dataDir: expected string, received number`. */
export function describeZodError(error: z.ZodError): string {
  return error.issues
    .map((i) => `${i.path.length ? i.path.map(String).join('.') : '(value)'}: ${i.message.replace(/^Invalid (input|option): /, '')}`)
    .join('; ');
}
