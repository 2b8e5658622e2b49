// What the extension tells the backend when it starts it (LSP initializationOptions).
import * as z from 'zod';
import { InstructionSettings } from './instructions';

/** How runs behave; from the torbit.agent.*, torbit.command.*, torbit.budget.* and torbit.prices settings. */
export const AgentSettings = z.object({
  maxSteps: z.number().int().min(1).max(500).default(25),
  maxRetries: z.number().int().min(0).max(10).default(2),
  commandTimeoutSeconds: z.number().int().min(1).max(24 * 3600).default(300),
  maxOutputBytes: z.number().int().min(1024).max(50_000_000).default(200_000),
  /** How long a run waits for a person's decision; no decision by then is a rejection. */
  approvalTimeoutSeconds: z.number().int().min(1).max(24 * 3600).default(600),
  /** USD per run, 0 for none. */
  budgetUsd: z.number().nonnegative().default(0),
  /** Tokens per run, 0 for none. */
  budgetTokens: z.number().int().nonnegative().default(0),
  /** Extra or overriding prices, USD per 1M tokens, keyed `provider:model`. */
  prices: z.record(z.string(), z.object({ input: z.number().nonnegative(), output: z.number().nonnegative() }).strict()).default({}),
}).strict();
export type AgentSettings = z.infer<typeof AgentSettings>;

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
  /** The torbit.environment setting (TORBIT_ENV in the backend's environment wins). */
  environment: z.string().default(''),
  /** The torbit.policyHash setting: a sha256 the policy file must have, or empty. */
  policyHash: z.string().default(''),
  agent: AgentSettings.prefault({}),
  /** torbit.instructions.*: which instruction files are read, and their token budget. */
  instructions: InstructionSettings.prefault({}),
  /** torbit.checkpoints.*: files above this size are recorded by hash and size only. */
  checkpoints: z.object({ maxFileBytes: z.number().int().min(1024).max(2 ** 40).default(10 * 1024 * 1024) }).strict().prefault({}),
  /** torbit.eas.*: how background runs poll, when the watchdog acts, and how they retry. Seconds (fractions allowed, for tests). */
  eas: z.object({
    pollSeconds: z.number().min(0.05).max(3600).default(30),
    staleAfterSeconds: z.number().min(0.1).max(7 * 24 * 3600).default(600),
    maxAttempts: z.number().int().min(1).max(10).default(3),
    backoffSeconds: z.number().min(0).max(24 * 3600).default(60),
  }).strict().prefault({}),
  /** The extension reports file changes (workspace/didChangeWatchedFiles) from a watcher over every folder. */
  fileEvents: z.boolean().default(false),
}).strict();
export type InitOptions = z.infer<typeof InitOptions>;
