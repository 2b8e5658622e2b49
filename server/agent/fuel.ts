// Tokens and cost, per step, turn and session, from a table of prices per model; and the budget
// that stops a run cleanly before it would be exceeded.
import type { Usage } from '../protocol';

/** USD per million tokens. */
export interface Price {
  input: number;
  output: number;
}

/** List prices of common models (USD per 1M tokens). `torbit.prices` adds to or overrides these. */
export const PRICES: Record<string, Price> = {
  'openai:gpt-5': { input: 1.25, output: 10 },
  'openai:gpt-5-mini': { input: 0.25, output: 2 },
  'openai:gpt-5-nano': { input: 0.05, output: 0.4 },
  'openai:gpt-4.1': { input: 2, output: 8 },
  'openai:gpt-4.1-mini': { input: 0.4, output: 1.6 },
  'openai:gpt-4.1-nano': { input: 0.1, output: 0.4 },
  'openai:gpt-4o': { input: 2.5, output: 10 },
  'openai:gpt-4o-mini': { input: 0.15, output: 0.6 },
  'openai:o4-mini': { input: 1.1, output: 4.4 },
  'anthropic:claude-opus-4-1': { input: 15, output: 75 },
  'anthropic:claude-sonnet-4-5': { input: 3, output: 15 },
  'anthropic:claude-sonnet-4': { input: 3, output: 15 },
  'anthropic:claude-haiku-4-5': { input: 1, output: 5 },
  'anthropic:claude-3-5-haiku': { input: 0.8, output: 4 },
  'google:gemini-2.5-pro': { input: 1.25, output: 10 },
  'google:gemini-2.5-flash': { input: 0.3, output: 2.5 },
  'google:gemini-2.5-flash-lite': { input: 0.1, output: 0.4 },
};

/**
 * The price of `provider:model`: an exact entry, else the longest entry the model id starts with
 * (so dated ids such as claude-sonnet-4-5-20250929 find their family). Unknown: undefined.
 */
export function priceOf(ref: string, overrides: Record<string, Price> = {}): Price | undefined {
  const table = { ...PRICES, ...overrides };
  if (table[ref]) return table[ref];
  const best = Object.keys(table).filter((k) => ref.startsWith(`${k}-`)).sort((a, b) => b.length - a.length)[0];
  return best ? table[best] : undefined;
}

export function costOf(price: Price | undefined, inputTokens: number, outputTokens: number): number | null {
  return price ? (inputTokens * price.input + outputTokens * price.output) / 1_000_000 : null;
}

export const ZERO: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };

export function addUsage(a: Usage, b: Usage): Usage {
  return {
    inputTokens: a.inputTokens + b.inputTokens,
    outputTokens: a.outputTokens + b.outputTokens,
    costUsd: a.costUsd === null || b.costUsd === null ? null : a.costUsd + b.costUsd,
  };
}

export interface Budget {
  /** USD per run; 0 means no limit. */
  usd: number;
  /** Tokens (input + output) per run; 0 means no limit. */
  tokens: number;
}

/** Counts one run's usage and says when its budget is reached. */
export class Fuel {
  private total: Usage = ZERO;
  private largestStep: Usage = ZERO;

  constructor(private readonly price: Price | undefined, private readonly budget: Budget) {}

  /** Records a step's tokens and returns the step's usage with its cost. */
  add(inputTokens: number, outputTokens: number): Usage {
    const step: Usage = { inputTokens, outputTokens, costUsd: costOf(this.price, inputTokens, outputTokens) };
    this.total = addUsage(this.total, step);
    if (tokens(step) > tokens(this.largestStep)) this.largestStep = step;
    return step;
  }

  get turn(): Usage {
    return this.total;
  }

  /** The budget is used up. */
  exceeded(): boolean {
    return this.over(this.total);
  }

  /**
   * Another step like the largest so far would go over the budget: stop before it rather than
   * after. A step costs at least its predecessor's input, so this is a fair guess.
   */
  nextStepWouldExceed(): boolean {
    return this.over(addUsage(this.total, this.largestStep));
  }

  private over(u: Usage): boolean {
    if (this.budget.tokens > 0 && tokens(u) > this.budget.tokens) return true;
    return this.budget.usd > 0 && u.costUsd !== null && u.costUsd > this.budget.usd;
  }

  describeBudget(): string {
    const parts = [];
    if (this.budget.usd > 0) parts.push(`$${this.budget.usd}`);
    if (this.budget.tokens > 0) parts.push(`${this.budget.tokens} tokens`);
    return parts.join(' / ');
  }
}

const tokens = (u: Usage) => u.inputTokens + u.outputTokens;
