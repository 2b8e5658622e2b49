// The chat: what the extension asks of the backend, and the ordered stream of events a run
// produces. Events carry a per-turn sequence number so the receiver can prove nothing was
// lost or reordered.
import * as z from 'zod';
import { ApprovalKind, AskWhy, HunkView } from './approvals';
import { notification, request } from './define';
import { TurnInstructions } from './instructions';

export const PROVIDERS = ['openai', 'anthropic', 'google', 'openai-compatible'] as const;
export const Provider = z.enum(PROVIDERS);
export type Provider = z.infer<typeof Provider>;

/** A model as `provider:model`, e.g. `openai:gpt-4.1-mini` or `openai-compatible:llama3.2:3b`. */
export const ModelRef = z.string().regex(/^(openai|anthropic|google|openai-compatible):.+$/, 'expected provider:model, e.g. openai:gpt-4.1-mini');

export const Usage = z.object({
  inputTokens: z.number().int().nonnegative(),
  outputTokens: z.number().int().nonnegative(),
  /** USD; null when the model has no known price (tokens are still counted). */
  costUsd: z.number().nonnegative().nullable(),
});
export type Usage = z.infer<typeof Usage>;

export const TurnStatus = z.enum(['running', 'done', 'error', 'canceled', 'budget', 'step-limit', 'interrupted']);
export type TurnStatus = z.infer<typeof TurnStatus>;

export const ToolStatus = z.enum(['awaiting-approval', 'running', 'ok', 'error', 'rejected', 'canceled', 'interrupted']);
export type ToolStatus = z.infer<typeof ToolStatus>;

export const ErrorCode = z.enum([
  'missing-key', 'bad-key', 'rate-limit', 'server', 'network', 'bad-request', 'model', 'budget', 'untrusted', 'internal',
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const RunError = z.object({
  code: ErrorCode,
  message: z.string(),
  /** What the person can do about it; the chat shows it as a button. */
  action: z.enum(['setApiKey', 'openSettings']).optional(),
});
export type RunError = z.infer<typeof RunError>;

/** A tool call as a card shows it. */
export const ToolCard = z.object({
  toolCallId: z.string(),
  tool: z.string(),
  /** One line saying what the call does, e.g. `src/app.ts:1-40`. */
  summary: z.string(),
  status: ToolStatus,
  /** One line saying how it went, e.g. `exit 0 in 1.2 s` or the error. */
  result: z.string().optional(),
  /** Streamed output (run_command), capped. */
  output: z.string().optional(),
  /** A change this call applied: the card links to its diff. */
  changeId: z.number().int().positive().optional(),
  /** A workspace file the card links to (absolute path). */
  openPath: z.string().optional(),
  /** While the call waits for a person: the pending approval. */
  approval: z.object({
    id: z.string(),
    kind: ApprovalKind,
    reason: z.string(),
    expiresAt: z.string(),
    /** What approvalWords.ts needs to word it (optional: cards saved before they existed). */
    tool: z.string().optional(),
    title: z.string().optional(),
    why: AskWhy.optional(),
    edit: z.object({ path: z.string(), created: z.boolean(), hunks: z.array(HunkView) }).optional(),
    command: z.object({ argv: z.array(z.string()).min(1), cwd: z.string() }).optional(),
    /**
     * What "Allow for this session" would allow, for the button's label (and, on a command, that
     * "Always allow…" is offered). Only shown: the extension takes the scope from the backend's
     * approval, never from the card.
     */
    sessionScope: z.object({ kind: z.enum(['file', 'command']), label: z.string() }).optional(),
  }).optional(),
});
export type ToolCard = z.infer<typeof ToolCard>;

export const ChatEvent = z.discriminatedUnion('type', [
  z.object({ type: z.literal('turn-start'), userText: z.string(), model: z.string() }),
  /** The instruction files shaping the turn: after turn-start, and again whenever a touched file brings more in (the whole list). */
  z.object({ type: z.literal('instructions'), instructions: TurnInstructions }),
  z.object({ type: z.literal('text-delta'), text: z.string() }),
  z.object({ type: z.literal('tool-start'), card: ToolCard }),
  /** A started card changes state without ending (awaiting approval → running). */
  z.object({ type: z.literal('tool-update'), card: ToolCard }),
  z.object({ type: z.literal('tool-output'), toolCallId: z.string(), chunk: z.string() }),
  z.object({ type: z.literal('tool-end'), card: ToolCard }),
  z.object({ type: z.literal('usage'), step: Usage, turn: Usage, session: Usage }),
  z.object({ type: z.literal('turn-end'), status: TurnStatus, error: RunError.optional() }),
]);
export type ChatEvent = z.infer<typeof ChatEvent>;

export const ChatEventParams = z.object({
  sessionId: z.string(),
  turnId: z.string(),
  /** 0, 1, 2, … within the turn. */
  seq: z.number().int().nonnegative(),
  event: ChatEvent,
});
export type ChatEventParams = z.infer<typeof ChatEventParams>;

/** One part of a turn as stored, for restoring a transcript: text and tool cards in order. */
export const TurnPart = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('text'), text: z.string() }),
  z.object({ kind: z.literal('tool'), card: ToolCard }),
]);
export type TurnPart = z.infer<typeof TurnPart>;

export const Turn = z.object({
  id: z.string(),
  userText: z.string(),
  model: z.string(),
  status: TurnStatus,
  error: RunError.optional(),
  parts: z.array(TurnPart),
  usage: Usage,
  startedAt: z.string(),
  /** The instruction files that shaped it (absent for turns recorded before Torbit read any). */
  instructions: TurnInstructions.optional(),
});
export type Turn = z.infer<typeof Turn>;

export const SessionSummary = z.object({
  id: z.string(),
  title: z.string(),
  model: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  turns: z.number().int().nonnegative(),
  usage: Usage,
});
export type SessionSummary = z.infer<typeof SessionSummary>;

export const SessionTranscript = z.object({
  session: SessionSummary,
  turns: z.array(Turn),
  /** A turn of this session still running in the backend (after a window reload), if any. */
  runningTurnId: z.string().nullable(),
});
export type SessionTranscript = z.infer<typeof SessionTranscript>;

/** extension → server: run one turn. Answers at once; the run streams as torbit/chat/event. */
export const chatSend = request('torbit/chat/send', 'extension', 'any', z.object({
  /** Continue this session; omitted starts a new one. */
  sessionId: z.string().min(1).optional(),
  text: z.string().trim().min(1, 'the prompt is empty').max(100_000),
  model: ModelRef,
  /** For openai-compatible: the server's base URL, e.g. http://127.0.0.1:11434/v1. */
  baseUrl: z.url().optional(),
}).strict(), z.object({ sessionId: z.string(), turnId: z.string() }));

/** extension → server: cancel a running turn: its model stream and any running tool or command. */
export const chatStop = request('torbit/chat/stop', 'extension', 'any', z.object({ turnId: z.string().min(1) }).strict(),
  z.object({ stopped: z.boolean() }));

/** server → extension: one event of a running turn, in order. */
export const chatEvent = notification('torbit/chat/event', 'server', ChatEventParams);

/** extension → server: sessions, newest first. */
export const sessionList = request('torbit/session/list', 'extension', 'any', z.object({ limit: z.number().int().positive().max(500).optional() }).strict(),
  z.object({ sessions: z.array(SessionSummary) }));

/** extension → server: a whole session, for showing it again. */
export const sessionGet = request('torbit/session/get', 'extension', 'any', z.object({ sessionId: z.string().min(1) }).strict(), SessionTranscript);

/** extension → server: a change a tool applied, to show it as a diff. */
export const changeGet = request('torbit/change/get', 'extension', 'any', z.object({ changeId: z.number().int().positive() }).strict(),
  z.object({ path: z.string(), absPath: z.string(), before: z.string().nullable(), after: z.string().nullable() }));
