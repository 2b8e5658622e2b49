// One turn of the agent: streamText with multi-step tool calls, stopped by the step limit, the
// budget or the person (abort). Text deltas are handed on as they arrive; tools report their own
// cards (tools/index.ts). Nothing here throws: every outcome is a status.
import { isStepCount, streamText, type LanguageModel, type ModelMessage, type StopCondition, type ToolSet } from 'ai';
import type { RunError, ToolCard, TurnStatus, Usage } from '../protocol';
import { classifyError } from './errors';
import type { Fuel } from './fuel';
import type { ModelSpec } from './models';
import type { ApproveFn } from './tools';

export interface TurnInput {
  model: LanguageModel;
  spec: ModelSpec;
  system: string;
  /**
   * The system prompt of model step `n` (0-based), when it can change during the turn: instruction
   * files a tool's file brings in join the next step's prompt.
   */
  systemForStep?: (n: number) => Promise<string>;
  history: ModelMessage[];
  userText: string;
  tools: ToolSet;
  /** Consulted before each tool call runs (the policy, then a person); the run waits for it. */
  approve?: ApproveFn;
  maxSteps: number;
  maxRetries: number;
  fuel: Fuel;
  signal: AbortSignal;
  redact: (s: string) => string;
  onText(text: string): void;
  onStepUsage(step: Usage): void;
  /** A tool call the model made that never ran (bad input, unknown tool): it still gets a card. */
  onRejectedToolCall(card: ToolCard): void;
  /** Tool calls that did run (their cards came from the tools themselves). */
  ranToolCalls: ReadonlySet<string>;
  /** Before each step: the tools to offer, when fewer than all (a skill's allowed-tools). */
  activeTools?: () => string[] | undefined;
}

export interface TurnOutcome {
  status: TurnStatus;
  error?: RunError;
  /** The assistant and tool messages to keep as context (empty when the turn did not finish). */
  responseMessages: ModelMessage[];
  /** All text the model streamed. */
  text: string;
  steps: number;
}

export async function runTurn(t: TurnInput): Promise<TurnOutcome> {
  let budgetStopped = false;
  const budget: StopCondition<ToolSet> = () => {
    if (t.fuel.exceeded() || t.fuel.nextStepWouldExceed()) budgetStopped = true;
    return budgetStopped;
  };
  let text = '';
  let steps = 0;
  let lastFinish: string | undefined;
  let failure: unknown;
  const result = streamText({
    model: t.model,
    system: t.system,
    messages: [...t.history, { role: 'user', content: t.userText }],
    tools: t.tools,
    ...(t.approve ? { toolApproval: t.approve } : {}),
    // Each step: the instructions as they stand (files a tool touched join them) and the tools a
    // skill in use narrows to. One prepareStep: a second one would replace the first.
    ...(t.systemForStep || t.activeTools ? {
      prepareStep: async ({ stepNumber }: { stepNumber: number }) => {
        const active = t.activeTools?.();
        return {
          ...(t.systemForStep ? { instructions: await t.systemForStep(stepNumber) } : {}),
          ...(active ? { activeTools: active } : {}),
        };
      },
    } : {}),
    // In the order the model wrote them: a second edit of a file was approved on top of the first.
    toolCallConcurrency: 1,
    stopWhen: [isStepCount(t.maxSteps), budget],
    maxRetries: t.maxRetries,
    abortSignal: t.signal,
    onError: () => undefined, // errors arrive as 'error' parts below; the SDK would otherwise log them
  });
  try {
    for await (const part of result.fullStream) {
      switch (part.type) {
        case 'text-delta':
          if (part.text) {
            text += part.text;
            t.onText(part.text);
          }
          break;
        case 'tool-error':
          if (!t.ranToolCalls.has(part.toolCallId)) {
            t.onRejectedToolCall({
              toolCallId: part.toolCallId, tool: part.toolName, summary: 'invalid call', status: 'error',
              result: t.redact(part.error instanceof Error ? part.error.message : String(part.error)),
            });
          }
          break;
        case 'finish-step':
          steps++;
          lastFinish = part.finishReason;
          t.onStepUsage(t.fuel.add(part.usage.inputTokens ?? 0, part.usage.outputTokens ?? 0));
          break;
        case 'error':
          failure = part.error;
          break;
        default:
          break;
      }
    }
  } catch (err) {
    failure = err;
  }
  if (t.signal.aborted) return { status: 'canceled', responseMessages: [], text, steps };
  if (failure !== undefined) return { status: 'error', error: classifyError(failure, t.spec, t.redact), responseMessages: [], text, steps };
  // Every step's messages (result.response holds only the last step's).
  const responseMessages = await result.responseMessages;
  const wantedMore = lastFinish === 'tool-calls';
  if (wantedMore && budgetStopped) {
    return {
      status: 'budget', responseMessages, text, steps,
      error: { code: 'budget', message: `Stopped before the next step: this run's budget (${t.fuel.describeBudget()}) would be exceeded. Raise torbit.budget.* to let it go on.`, action: 'openSettings' },
    };
  }
  if (wantedMore && steps >= t.maxSteps) return { status: 'step-limit', responseMessages, text, steps };
  return { status: 'done', responseMessages, text, steps };
}
