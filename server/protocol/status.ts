// Shapes of the backend's health, shared by torbit/status, the status bar and the CLI.
import * as z from 'zod';

export const StoreHealth = z.discriminatedUnion('state', [
  z.object({
    state: z.literal('ok'),
    path: z.string(),
    schemaVersion: z.number().int().nonnegative(),
    /** Migrations this build knows that the database has not had yet (CLI status only; the server applies them). */
    pendingMigrations: z.number().int().nonnegative(),
    journalMode: z.string(),
  }),
  /** No database yet: `torbit status` does not create one. */
  z.object({ state: z.literal('absent'), path: z.string() }),
  z.object({
    state: z.literal('error'),
    path: z.string(),
    code: z.enum(['corrupt', 'too-new', 'foreign', 'io']),
    message: z.string(),
  }),
]);
export type StoreHealth = z.infer<typeof StoreHealth>;

export const DataDirSource = z.enum(['env', 'setting', 'workspace', 'global']);
export type DataDirSource = z.infer<typeof DataDirSource>;

export const Status = z.object({
  version: z.string(),
  pid: z.number().int().positive(),
  uptimeMs: z.number().nonnegative(),
  node: z.string(),
  workspace: z.string().nullable(),
  dataDir: z.string(),
  dataDirSource: DataDirSource,
  environment: z.enum(['dev', 'staging', 'production']),
  /** The schema version of the database, or null when there is none or it was refused. */
  schemaVersion: z.number().int().nonnegative().nullable(),
  store: StoreHealth,
  /** What the person must be told about the data: a migrated data directory, a rollback journal set aside unread. */
  notices: z.array(z.string()).default([]),
});
export type Status = z.infer<typeof Status>;
