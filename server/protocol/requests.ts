// Every custom JSON-RPC request and notification between the extension and the backend.
// The backend also speaks the base protocol of vscode-languageserver (initialize, shutdown, exit).
import { z } from 'zod';
import { notification, request } from './define';
import { Status } from './status';

const NoParams = z.object({}).strict().optional();

/** Sent by the extension as `initializationOptions`; the CLI builds the same thing. */
export const InitOptions = z.object({
  /** Workspace folders, absolute paths; the first one holds the default data directory. */
  workspaceFolders: z.array(z.string().min(1)).default([]),
  /** The `torbit.dataDir` setting, already read by the extension; empty when unset. */
  dataDirSetting: z.string().default(''),
  /** Where data goes when no folder is open (the extension's global storage). */
  globalStorageDir: z.string().min(1).optional(),
  /** False in an untrusted workspace: the backend then refuses anything that writes or runs. */
  trusted: z.boolean().default(false),
}).strict();
export type InitOptions = z.infer<typeof InitOptions>;

/** extension → server: the backend's version, pid, uptime, data directory and database state. */
export const status = request('torbit/status', 'extension', NoParams, Status);

/** server → extension: the backend's health changed (for example the database was refused). */
export const didChangeStatus = notification('torbit/didChangeStatus', 'server', Status);
