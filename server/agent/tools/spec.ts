// What every tool is: a zod input schema, a one-line summary for its card, the work, and a
// one-line outcome. tools/index.ts turns these into AI SDK tools with events around them.
import type { z } from 'zod';
import type { ChangeApplier, ChangeScope } from '../changes';
import type { Redactor } from '../secrets';
import type { Workspace } from '../workspace';

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
}

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
