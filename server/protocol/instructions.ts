// Project instructions (AGENTS.md and its kin): which files shaped a turn, which were left out
// and why, as the chat shows them and the transcript keeps them. The text itself stays in the
// backend (the database and the prompt); the chat gets names, hashes and sizes.
import * as z from 'zod';

/**
 * Where an instruction file came from: the person's own AGENTS.md, a folder's root AGENTS.md, one
 * in a subfolder the turn touched, a `.torbit/rules/*.md` rule, or a compatible file of another
 * tool (CLAUDE.md, .github/copilot-instructions.md, .clinerules).
 */
export const InstructionSource = z.enum(['personal', 'agents', 'nested', 'rule', 'claude', 'copilot', 'cline']);
export type InstructionSource = z.infer<typeof InstructionSource>;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/);

export const InstructionFile = z.object({
  source: InstructionSource,
  /** How the chat names it: workspace-relative (folder-prefixed in multi-root), or `~/…` for the person's own. */
  path: z.string().min(1),
  /** Absolute: the chat's link opens it. */
  abs: z.string().min(1),
  /** Of the file's bytes as read. */
  sha256: Sha256,
  /** Estimated (characters / 4) of the text the model got. */
  tokens: z.number().int().nonnegative(),
  /** The first model step (0-based) whose prompt held it: later ones came in with a file the turn touched. */
  step: z.number().int().nonnegative(),
  /** The file the turn touched that brought it in (a nested AGENTS.md, a rule's applyTo). */
  because: z.string().optional(),
}).strict();
export type InstructionFile = z.infer<typeof InstructionFile>;

/** A file that was found but not given to the model: over the budget, or not readable as instructions. */
export const InstructionLeftOut = z.object({
  path: z.string().min(1),
  abs: z.string().min(1),
  /** The estimate that did not fit (absent when the file could not be read). */
  tokens: z.number().int().nonnegative().optional(),
  /** One sentence: why, and what to do about it. */
  reason: z.string(),
  /** over-budget: the file is fine, the budget is full; problem: the file itself is refused. */
  kind: z.enum(['over-budget', 'problem']),
  /** The model step during which it was found (0: before the first). */
  step: z.number().int().nonnegative(),
}).strict();
export type InstructionLeftOut = z.infer<typeof InstructionLeftOut>;

export const TurnInstructions = z.object({
  files: z.array(InstructionFile),
  leftOut: z.array(InstructionLeftOut),
  /** The repository's instruction files were not read: the workspace is untrusted (restricted mode). */
  restricted: z.boolean(),
  /** torbit.instructions.maxTokens, and how much of it the files use. */
  budget: z.object({ maxTokens: z.number().int().nonnegative(), used: z.number().int().nonnegative() }).strict(),
}).strict();
export type TurnInstructions = z.infer<typeof TurnInstructions>;

/** The torbit.instructions.* settings. */
export const InstructionSettings = z.object({
  /** Tokens (estimated) all instruction files of a turn may take; 0 reads none. */
  maxTokens: z.number().int().min(0).max(200_000).default(8000),
  /** Read CLAUDE.md at each folder's root (Claude Code's file). */
  claudeMd: z.boolean().default(true),
  /** Read .github/copilot-instructions.md (GitHub Copilot's file). */
  copilotInstructions: z.boolean().default(true),
  /** Read .clinerules, a file or a folder of them (Cline's). */
  clinerules: z.boolean().default(true),
}).strict();
export type InstructionSettings = z.infer<typeof InstructionSettings>;
