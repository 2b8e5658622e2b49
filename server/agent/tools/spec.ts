// What every tool is: a zod input schema, a one-line summary for its card, the work, and a
// one-line outcome. tools/index.ts turns these into AI SDK tools with events around them.
import * as fs from 'node:fs/promises';
import type { z } from 'zod';
import type { ChangeApplier, ChangeGate, ChangeScope, ProposedChange } from '../changes';
import type { ApprovalView } from '../../protocol';
import type { Redactor } from '../../secrets';
import type { SkillSession } from '../../skills/session';
import type { Resolved, Workspace } from '../workspace';

export interface ToolLimits {
  commandTimeoutMs: number;
  maxOutputBytes: number;
  maxReadBytes: number;
  maxSearchResults: number;
  maxListedFiles: number;
}

export interface ToolContext {
  workspace: Workspace;
  limits: ToolLimits;
  redact: Redactor;
  changes: ChangeApplier;
  scope: ChangeScope;
  /** The environment commands run with (secrets removed). */
  commandEnv: NodeJS.ProcessEnv;
  /** The run's trust decisions (server/trust/runTrust.ts). */
  guard: RunGuard;
  /** Before the turn's first change (an approved write, or a command): takes the checkpoint to go back to. */
  beforeChange: () => Promise<void>;
  /** The turn's Agent Skills (server/skills/session.ts): use_skill loads them, their contracts hold commands. */
  skills?: SkillSession;
}

/** What a run's tools ask of the trust layer (server/trust/runTrust.ts). */
export interface RunGuard {
  /** Before a call runs: the policy's verdict, or a person's (the run waits for it). */
  judge(call: { tool: string; toolCallId: string; summary: string; proposal: Proposal }, onPending?: (p: ApprovalView) => void): Promise<{ approved: boolean; reason: string }>;
  /** Reads a file as it will be once the edits approved so far in this step are applied. */
  read: FileReader;
  /** Edits: the approved content of a change, or why it may not be applied. */
  gate: ChangeGate;
  /**
   * Commands: throws unless this call was approved. `readOnlyGit`: the policy allowed it as a
   * read-only git command, so it must run through readOnlyGit (server/git.ts).
   */
  consume(toolCallId: string): { readOnlyGit?: boolean } | void;
  /**
   * Which paths (workspace-relative) are not handed out without asking (search skips them): one
   * matcher per use, built from the policy in force, since a search asks for every file.
   */
  protectedMatcher(): (path: string) => boolean;
}

/** Reads a file's bytes, or undefined when it does not exist. */
export type FileReader = (abs: string) => Promise<Buffer | undefined>;
export const readDisk: FileReader = (abs) => fs.readFile(abs).catch(() => undefined);

/** What the policy judges before a call runs. */
export type Proposal =
  | { kind: 'read'; path: string }
  | { kind: 'edit'; change: ProposedChange }
  | { kind: 'command'; argv: string[]; cwd: Resolved };

export interface ToolRun {
  toolCallId: string;
  signal: AbortSignal;
  /** Streams a piece of output to the tool's card (run_command). */
  output(chunk: string): void;
}

export interface Outcome {
  result: string;
  changeId?: number;
  openPath?: string;
}

export interface ToolSpec<S extends z.ZodType = z.ZodType, O = unknown> {
  name: string;
  description: string;
  input: S;
  /** Writes files or runs programs: not offered in an untrusted workspace. */
  effect: 'read' | 'write' | 'run';
  summarize(input: z.output<S>): string;
  /**
   * What the call would do, for the policy, without doing it. `read` sees changes approved
   * earlier in the same step (not yet applied), so a second edit of a file builds on the first.
   */
  propose(input: z.output<S>, ctx: ToolContext, read: FileReader): Promise<Proposal>;
  execute(input: z.output<S>, ctx: ToolContext, run: ToolRun): Promise<O>;
  outcome(output: O, input: z.output<S>): Outcome;
}

export function defineTool<S extends z.ZodType, O>(spec: ToolSpec<S, O>): ToolSpec<S, O> {
  return spec;
}

/** Cuts text to at most `max` bytes, keeping the head and the tail (errors are usually at the end). */
export function capText(s: string, max: number): { text: string; truncated: boolean } {
  if (Buffer.byteLength(s) <= max) return { text: s, truncated: false };
  const buf = Buffer.from(s);
  const head = buf.subarray(0, Math.floor(max * 0.25)).toString('utf8');
  const tail = buf.subarray(buf.length - Math.floor(max * 0.75)).toString('utf8');
  return { text: `${head}\n[… ${buf.length - max} bytes omitted …]\n${tail}`, truncated: true };
}

export function isBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8000).includes(0);
}
