// A scripted model on ai/test's MockLanguageModelV4: each call streams the next step's text and
// tool calls, then reports usage. Tests read back what the SDK sent in every call.
import type { LanguageModelV4CallOptions, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import { MockLanguageModelV4, simulateReadableStream } from 'ai/test';

export interface Step {
  /** Text deltas, streamed in this order. */
  text?: string[];
  toolCalls?: { id: string; name: string; input: unknown }[];
  inputTokens?: number;
  outputTokens?: number;
  /**
   * After its text and tool calls the stream stays open, with no finish, as a model still
   * generating; only aborting the call ends it (with an AbortError, as a cut connection does).
   */
  stall?: boolean;
  /** Make the call fail instead. */
  throws?: Error;
}

export function scriptedModel(steps: Step[], modelId = 'mock-model'): MockLanguageModelV4 {
  let call = 0;
  return new MockLanguageModelV4({
    provider: 'mock',
    modelId,
    // A failed call is a rejected promise, as a real model's is.
    doStream: (options: LanguageModelV4CallOptions) => {
      const step = steps[call++];
      if (!step) return Promise.reject(new Error(`the scripted model has no step ${call} (only ${steps.length})`));
      if (step.throws) return Promise.reject(step.throws);
      const parts: LanguageModelV4StreamPart[] = [{ type: 'stream-start', warnings: [] }];
      if (step.text?.length) {
        parts.push({ type: 'text-start', id: 't' });
        for (const delta of step.text) parts.push({ type: 'text-delta', id: 't', delta });
        parts.push({ type: 'text-end', id: 't' });
      }
      for (const c of step.toolCalls ?? []) {
        parts.push({ type: 'tool-call', toolCallId: c.id, toolName: c.name, input: JSON.stringify(c.input) });
      }
      if (step.stall) return Promise.resolve({ stream: stalled(parts, options.abortSignal) });
      parts.push({
        type: 'finish',
        finishReason: { unified: step.toolCalls?.length ? 'tool-calls' : 'stop', raw: undefined },
        usage: {
          inputTokens: { total: step.inputTokens ?? 100, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
          outputTokens: { total: step.outputTokens ?? 20, text: undefined, reasoning: undefined },
        },
      });
      return Promise.resolve({ stream: simulateReadableStream({ chunks: parts }) });
    },
  });
}

/** `parts` at once, then nothing until `signal` aborts the stream. */
function stalled(parts: LanguageModelV4StreamPart[], signal: AbortSignal | undefined): ReadableStream<LanguageModelV4StreamPart> {
  return new ReadableStream({
    start(controller) {
      for (const p of parts) controller.enqueue(p);
      const cut = () => controller.error(signal?.reason ?? new DOMException('aborted', 'AbortError'));
      if (signal?.aborted) cut();
      else signal?.addEventListener('abort', cut, { once: true });
    },
  });
}

/** The tool names the SDK offered the model in a call. */
export function offeredTools(model: MockLanguageModelV4, call: number): string[] {
  return (model.doStreamCalls[call]?.tools ?? []).map((t) => ('name' in t ? t.name : '')).sort();
}

/** The tool results the SDK sent back to the model in a call, by tool call id. */
export function toolResultsSent(model: MockLanguageModelV4, call: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const m of model.doStreamCalls[call]?.prompt ?? []) {
    if (m.role !== 'tool') continue;
    for (const p of m.content) if (p.type === 'tool-result') out[p.toolCallId] = p.output;
  }
  return out;
}
