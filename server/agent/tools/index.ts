// The tool set a run offers the model, with the events that put each call on a card.
import { tool, type ToolSet } from 'ai';
import type { ToolCard } from '../../protocol';
import { editFile } from './editFile';
import { gitDiff, gitStatus } from './git';
import { listFiles } from './listFiles';
import { readFile } from './readFile';
import { runCommand } from './runCommand';
import { search } from './search';
import type { ToolContext, ToolSpec } from './spec';
import { writeFile } from './writeFile';

export const ALL_TOOLS: readonly ToolSpec[] = [readFile, listFiles, search, writeFile, editFile, runCommand, gitStatus, gitDiff] as unknown as ToolSpec[];

export interface ToolHooks {
  start(card: ToolCard, input: unknown): void;
  output(toolCallId: string, chunk: string): void;
  end(card: ToolCard): void;
}

export interface BuiltTools {
  tools: ToolSet;
  /**
   * Resolves when every execution started so far has ended (a stopped command takes a moment to
   * die): a turn ends after its cards, never before.
   */
  settled(): Promise<void>;
}

/** `trusted: false` leaves out every tool that writes or runs. */
export function buildTools(ctx: ToolContext, trusted: boolean, hooks: ToolHooks): BuiltTools {
  const set: ToolSet = {};
  const inFlight = new Set<Promise<unknown>>();
  for (const spec of ALL_TOOLS) {
    if (!trusted && spec.effect !== 'read') continue;
    set[spec.name] = tool({
      description: spec.description,
      inputSchema: spec.input,
      execute: (input: unknown, opts) => {
        const run = runTool(spec, ctx, hooks, input, opts.toolCallId, opts.abortSignal);
        inFlight.add(run);
        void run.then(() => inFlight.delete(run), () => inFlight.delete(run));
        return run;
      },
    });
  }
  return {
    tools: set,
    settled: async () => {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}

/** One execution, between its card's start and end; outputs and errors are redacted. */
async function runTool(spec: ToolSpec, ctx: ToolContext, hooks: ToolHooks, input: unknown, toolCallId: string, abortSignal?: AbortSignal): Promise<unknown> {
  const base = { toolCallId, tool: spec.name, summary: ctx.redact.text(spec.summarize(input)) };
  hooks.start({ ...base, status: 'running' }, ctx.redact.value(input));
  const signal = abortSignal ?? new AbortController().signal;
  try {
    const out = ctx.redact.value(await spec.execute(input, ctx, { toolCallId, signal, output: (chunk) => hooks.output(toolCallId, chunk) }));
    const o = spec.outcome(out, input);
    hooks.end({ ...base, status: 'ok', result: o.result, changeId: o.changeId, openPath: o.openPath });
    // The model does not need absolute paths; they stay on the card.
    return withoutAbs(out);
  } catch (err) {
    const message = ctx.redact.text((err as Error).message);
    hooks.end({ ...base, status: signal.aborted ? 'canceled' : 'error', result: message });
    throw new Error(message, { cause: err });
  }
}

function withoutAbs(v: unknown): unknown {
  if (v && typeof v === 'object' && !Array.isArray(v) && 'abs' in v) {
    const { abs: _abs, ...rest } = v as Record<string, unknown>;
    return rest;
  }
  return v;
}
