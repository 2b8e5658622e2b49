// The tool set a run offers the model, the approval function the AI SDK consults before each
// call runs (policy, then a person), and the events that put each call on a card.
import { tool, type ToolApprovalStatus, type ToolSet } from 'ai';
import type { ApprovalView, ToolCard } from '../../protocol';
import { editFile } from './editFile';
import { gitDiff, gitStatus } from './git';
import { listFiles } from './listFiles';
import { readFile } from './readFile';
import { runCommand } from './runCommand';
import { search } from './search';
import { useSkill } from './useSkill';
import type { Proposal, ToolContext, ToolSpec } from './spec';
import { writeFile } from './writeFile';

export const ALL_TOOLS: readonly ToolSpec[] = [readFile, listFiles, search, writeFile, editFile, runCommand, gitStatus, gitDiff, useSkill];

/**
 * The card of a call to a tool that exists but is not offered in an untrusted workspace: the
 * SDK's "unavailable tool" error says nothing of why, so the person is told. Undefined otherwise.
 */
export function restrictedModeCard(card: ToolCard): ToolCard | undefined {
  const spec = ALL_TOOLS.find((t) => t.name === card.tool);
  if (!spec || spec.effect === 'read') return undefined;
  return {
    ...card, summary: 'not available in restricted mode',
    result: `${card.tool} is not offered in an untrusted workspace: in restricted mode Torbit only reads, so the AI can neither write files nor run commands. Nothing ran. Trust the folder to allow it.`,
  };
}

export interface ToolHooks {
  start(card: ToolCard, input: unknown): void;
  /** A started card changes state (awaiting approval → running). */
  update(card: ToolCard): void;
  output(toolCallId: string, chunk: string): void;
  end(card: ToolCard): void;
}

/** The SDK's generic toolApproval function, as this tool set uses it. */
export type ApproveFn = (o: { toolCall: { toolName: string; toolCallId: string; input: unknown } }) => Promise<ToolApprovalStatus>;

export interface BuiltTools {
  tools: ToolSet;
  /** Judges each call before it runs: the policy, and when it asks, a person. */
  approve: ApproveFn;
  /**
   * Resolves when every execution started so far has ended (a stopped command takes a moment to
   * die): a turn ends after its cards, never before.
   */
  settled(): Promise<void>;
}

/** `trusted: false` leaves out every tool that writes or runs; `runs: false` every tool that runs. */
export function buildTools(ctx: ToolContext, trusted: boolean, hooks: ToolHooks, runs = true): BuiltTools {
  const set: ToolSet = {};
  const specs = new Map<string, ToolSpec>();
  const inFlight = new Set<Promise<unknown>>();
  /** Cards started while their call waited for approval. */
  const awaiting = new Set<string>();
  for (const spec of ALL_TOOLS) {
    if (!trusted && spec.effect !== 'read') continue;
    if (!runs && spec.effect === 'run') continue;
    specs.set(spec.name, spec);
    set[spec.name] = tool({
      description: spec.description,
      inputSchema: spec.input,
      execute: (input: unknown, opts) => {
        const run = runTool(spec, ctx, hooks, input, opts.toolCallId, awaiting.delete(opts.toolCallId), opts.abortSignal);
        inFlight.add(run);
        void run.then(() => inFlight.delete(run), () => inFlight.delete(run));
        return run;
      },
    });
  }

  const approve: ApproveFn = async ({ toolCall }) => {
    const spec = specs.get(toolCall.toolName);
    const input = spec?.input.safeParse(toolCall.input);
    if (!spec || !input?.success) return 'not-applicable'; // the SDK reports a bad call itself
    const summary = ctx.redact.text(spec.summarize(input.data));
    let proposal: Proposal;
    try {
      proposal = await spec.propose(input.data, ctx, ctx.guard.read);
    } catch {
      // The call cannot work as given (a missing file, a bad path): let it run and fail with the
      // tool's own error. Nothing it could change gets past the gate without a grant.
      return 'not-applicable';
    }
    const base = { toolCallId: toolCall.toolCallId, tool: spec.name, summary };
    const j = await ctx.guard.judge({ ...base, proposal }, (p) => {
      awaiting.add(base.toolCallId);
      hooks.start({ ...base, status: 'awaiting-approval', approval: cardApproval(p, (s) => ctx.redact.text(s)) }, ctx.redact.value(input.data));
    });
    if (j.approved) return { type: 'approved', reason: j.reason };
    const reason = ctx.redact.text(j.reason);
    if (!awaiting.delete(base.toolCallId)) hooks.start({ ...base, status: 'rejected', result: reason }, ctx.redact.value(input.data));
    hooks.end({ ...base, status: 'rejected', result: reason });
    return { type: 'denied', reason };
  };

  return {
    tools: set,
    approve,
    settled: async () => {
      while (inFlight.size) await Promise.allSettled([...inFlight]);
    },
  };
}

/** A pending approval as its card carries it: what the wording needs, redacted (cards are saved). */
function cardApproval(p: ApprovalView, redact: (s: string) => string): NonNullable<ToolCard['approval']> {
  return {
    id: p.id, kind: p.kind, reason: redact(p.reason), expiresAt: p.expiresAt, tool: p.tool, title: redact(p.title), why: p.why,
    ...(p.edit ? { edit: { path: redact(p.edit.path), created: p.edit.created, hunks: p.edit.hunks } } : {}),
    ...(p.command ? { command: { argv: p.command.argv.map(redact), cwd: redact(p.command.cwd) } } : {}),
    ...(p.sessionScope ? { sessionScope: { kind: p.sessionScope.kind, label: redact(p.sessionScope.label) } } : {}),
  };
}

/** One execution, between its card's start and end; outputs and errors are redacted. */
async function runTool(spec: ToolSpec, ctx: ToolContext, hooks: ToolHooks, input: unknown, toolCallId: string, cardStarted: boolean, abortSignal?: AbortSignal): Promise<unknown> {
  const base = { toolCallId, tool: spec.name, summary: ctx.redact.text(spec.summarize(input)) };
  if (cardStarted) hooks.update({ ...base, status: 'running' });
  else hooks.start({ ...base, status: 'running' }, ctx.redact.value(input));
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
