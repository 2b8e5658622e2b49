// A language model that answers with what the real one answered when the turn was recorded:
// step by step, the assistant messages stored for the turn (text and tool calls, same ids).
// Deterministic replay runs the real loop and the real tools on it.
import type { LanguageModelV4, LanguageModelV4StreamPart } from '@ai-sdk/provider';
import * as z from 'zod';

const Part = z.union([
  z.object({ type: z.literal('text'), text: z.string() }).passthrough(),
  z.object({ type: z.literal('tool-call'), toolCallId: z.string(), toolName: z.string(), input: z.unknown() }).passthrough(),
  z.object({ type: z.string() }).passthrough(),
]);
/** A stored assistant message (AI SDK ModelMessage JSON), checked: it is read back from disk. */
export const RecordedStep = z.object({ role: z.literal('assistant'), content: z.union([z.string(), z.array(Part)]) }).passthrough();
export type RecordedStep = z.infer<typeof RecordedStep>;

export function recordedModel(steps: RecordedStep[], modelId: string): LanguageModelV4 & { calls: number } {
  const model = {
    specificationVersion: 'v4' as const,
    provider: 'torbit-replay',
    modelId,
    supportedUrls: {},
    calls: 0,
    doGenerate(): never {
      throw new Error('a replayed turn streams');
    },
    doStream() {
      const step = steps[model.calls++];
      // A model's failure is a rejected promise (the SDK awaits it), not a throw.
      if (!step) return Promise.reject(new Error(`the recording has no step ${model.calls} (it has ${steps.length}): the replay asked for more than the model said`));
      return Promise.resolve(streamOf(step));
    },
  };
  return model;
}

/** The stream of parts that replays one recorded step. */
function streamOf(step: RecordedStep): { stream: ReadableStream<LanguageModelV4StreamPart> } {
  const parts: LanguageModelV4StreamPart[] = [{ type: 'stream-start', warnings: [] }];
  const content = typeof step.content === 'string' ? [{ type: 'text' as const, text: step.content }] : step.content;
  let calls = 0;
  content.forEach((p, i) => {
    if (p.type === 'text' && typeof p.text === 'string') {
      parts.push({ type: 'text-start', id: `t${i}` }, { type: 'text-delta', id: `t${i}`, delta: p.text }, { type: 'text-end', id: `t${i}` });
    } else if (p.type === 'tool-call') {
      const c = p as { toolCallId: string; toolName: string; input: unknown };
      calls++;
      parts.push({ type: 'tool-call', toolCallId: c.toolCallId, toolName: c.toolName, input: JSON.stringify(c.input ?? {}) });
    }
  });
  parts.push({
    type: 'finish',
    finishReason: { unified: calls ? 'tool-calls' : 'stop', raw: undefined },
    usage: {
      inputTokens: { total: 0, noCache: undefined, cacheRead: undefined, cacheWrite: undefined },
      outputTokens: { total: 0, text: undefined, reasoning: undefined },
    },
  });
  return {
    stream: new ReadableStream<LanguageModelV4StreamPart>({
      start(controller) {
        for (const p of parts) controller.enqueue(p);
        controller.close();
      },
    }),
  };
}
