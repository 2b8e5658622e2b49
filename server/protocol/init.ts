// What the extension tells the backend when it starts it (LSP initializationOptions).
import { z } from 'zod';

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
