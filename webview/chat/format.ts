// Small formatting helpers of the Chat view: the token/cost meter and session dates.
import type { SessionSummary, Turn, Usage } from '../../server/protocol';

const INT = new Intl.NumberFormat('en-US');

/** e.g. "1,234 tokens · $0.0123"; the cost is "—" when it is unknown. */
export function formatUsage(u: Usage): string {
  return `${INT.format(u.inputTokens + u.outputTokens)} tokens · ${formatCost(u.costUsd)}`;
}

export function formatCost(usd: number | null): string {
  if (usd === null) return '—';
  return `$${usd.toFixed(usd >= 1 ? 2 : 4)}`;
}

export function usageDetail(u: Usage): string {
  return `${INT.format(u.inputTokens)} input + ${INT.format(u.outputTokens)} output tokens; cost ${u.costUsd === null ? 'unknown (no price for the model)' : `$${u.costUsd.toFixed(6)}`}`;
}

/** The session's usage: the backend's own total when the session is listed, else the turns' sum. */
export function sessionUsage(sessionId: string | null, sessions: SessionSummary[], transcript: Turn[]): Usage {
  const listed = sessionId === null ? undefined : sessions.find((s) => s.id === sessionId);
  if (listed) return listed.usage;
  let inputTokens = 0;
  let outputTokens = 0;
  let cost = 0;
  let priced = false;
  let unpriced = false;
  for (const t of transcript) {
    inputTokens += t.usage.inputTokens;
    outputTokens += t.usage.outputTokens;
    if (t.usage.costUsd !== null) {
      cost += t.usage.costUsd;
      priced = true;
    } else if (t.usage.inputTokens + t.usage.outputTokens > 0) unpriced = true;
  }
  // Unpriced turns count no cost; the cost is unknown only when no turn had a price.
  return { inputTokens, outputTokens, costUsd: unpriced && !priced ? null : cost };
}

/** A session's date: the time when it is today, else the date. */
export function formatWhen(iso: string, now = new Date()): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const sameDay = d.toDateString() === now.toDateString();
  return sameDay ? d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' }) : d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
}
