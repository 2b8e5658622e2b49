// What a checkpoint records, as stored in the checkpoints table (JSON, checked when read back).
import * as z from 'zod';
import { AbsolutePath, RelativePath } from '../confine';
import { LargeFile } from './shadowRepo';
import { SkillRecord } from '../skills/record';
import { InstructionSource } from '../protocol/instructions';

const Oid = z.string().regex(/^[0-9a-f]{40,64}$/);

/** One workspace folder at the checkpoint: its snapshot commit and what git cannot hold. */
export const FolderState = z.object({
  folder: AbsolutePath,
  commit: Oid,
  tree: Oid,
  /** The user's own HEAD then (commit and symbolic ref), null outside git or before a first commit. */
  head: z.object({ sha: z.string(), ref: z.string().nullable() }).nullable(),
  large: z.array(LargeFile),
  emptyDirs: z.array(RelativePath),
  files: z.number().int().nonnegative(),
}).strict();
export type FolderState = z.infer<typeof FolderState>;

/** The deployment configuration's files (sha256, null when absent), listed apart for the timeline. */
export const ConfigState = z.array(z.object({ folder: AbsolutePath, path: RelativePath, sha256: z.string().nullable() }).strict());

/** Torbit's database state for the session: which turns are in its conversation, and their totals. */
export const ConversationState = z.object({
  sessionId: z.string(),
  turns: z.array(z.string()),
  messages: z.number().int().nonnegative(),
  toolCalls: z.number().int().nonnegative(),
  /** Decisions people made on the session's approvals so far. */
  approvals: z.number().int().nonnegative(),
  usage: z.object({ inputTokens: z.number(), outputTokens: z.number(), costUsd: z.number().nullable() }),
}).strict();
export type ConversationState = z.infer<typeof ConversationState>;

/** An instruction file that shaped the checkpoint's turn (AGENTS.md and its kin), by hash. */
export const InstructionRef = z.object({
  source: InstructionSource,
  path: z.string(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  tokens: z.number().int().nonnegative(),
  step: z.number().int().nonnegative(),
}).strict();
export type InstructionRef = z.infer<typeof InstructionRef>;

export const Manifest = z.object({
  v: z.literal(1),
  folders: z.array(FolderState),
  config: ConfigState,
  conversation: ConversationState.nullable(),
  /** After a turn: the Agent Skills it loaded, with the SKILL.md text each loaded (replay serves these). */
  skills: z.array(SkillRecord).optional(),
  /** A turn's checkpoint: the instruction files of the turn so far (absent before Torbit read any). */
  instructions: z.array(InstructionRef).optional(),
}).strict();
export type Manifest = z.infer<typeof Manifest>;
