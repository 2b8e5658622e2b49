// Messages between the extension and its webviews: one typed map per direction, each entry
// a zod schema. A message is `{ type, ...payload }`; anything else is refused on arrival.
import * as z from 'zod';
import { ChatEventParams, ModelRef, SessionSummary, Turn } from './chat';
import { AuditKind, AuditTimeline, BundleInfo, PolicyView, VerifyResult } from './governance';
import { AllowanceView, ApprovalView } from './approvals';
import { CheckpointView } from './checkpoints';
import { RunView } from './runs';
import { describeZodError } from './define';
import { Status } from './status';
import { SkillView } from './skills';
import { BUILTIN_SLASH_COMMANDS, SlashName, type BuiltinSlashCommand } from './slashCommands';

/** A command the chat input completes after `/`: a built-in (run by the extension) or the workspace's own. */
export const SlashCommandView = z.object({ name: SlashName, description: z.string().optional(), argumentHint: z.string().optional(), builtin: z.boolean() });
export type SlashCommandView = z.infer<typeof SlashCommandView>;

const BuiltinName = z.enum(BUILTIN_SLASH_COMMANDS.map((c) => c.name) as unknown as [BuiltinSlashCommand, ...BuiltinSlashCommand[]]);

export const BackendState = z.enum(['starting', 'ready', 'error', 'stopped']);
export type BackendState = z.infer<typeof BackendState>;

/** The part of the extension's state every view shows. */
export const BackendView = z.object({
  state: BackendState,
  /** One line a person can act on, e.g. why the backend is in error. */
  detail: z.string().optional(),
  status: Status.optional(),
});
export type BackendView = z.infer<typeof BackendView>;

/** Commands a webview may ask the extension to run: an allow-list, not any command id. */
export const WebviewCommand = z.enum(['torbit.showLogs', 'torbit.restartBackend', 'torbit.showStatus', 'torbit.revealDataDir', 'torbit.setApiKey', 'torbit.openSettings', 'torbit.exportAuditBundle', 'torbit.policy.review']);

/** Everything the Chat view shows when it (re)loads or switches session. */
export const ChatState = z.object({
  /** Models offered by the picker (`provider:model`), and the one new turns use. */
  models: z.array(z.string()),
  model: z.string(),
  sessions: z.array(SessionSummary),
  /** The session on screen; null for a new, empty one. */
  sessionId: z.string().nullable(),
  transcript: z.array(Turn),
  /** The turn still running in this session, if any: the view shows Stop. */
  runningTurnId: z.string().nullable(),
  /** Record when each text chunk was rendered (the relay benchmark reads it). */
  recordTimings: z.boolean(),
  /** The session's latest checkpoint: where a reloaded window resumes. */
  checkpoint: CheckpointView.nullable().default(null),
});
export type ChatState = z.infer<typeof ChatState>;

/** extension → webview */
export const ToWebview = {
  backend: BackendView,
  /** A line the chat shows as a system notice, optionally with one action button. */
  notice: z.object({ level: z.enum(['info', 'warning', 'error']), text: z.string(), action: z.enum(['setApiKey', 'openSettings']).optional() }),
  chatState: ChatState,
  /** One event of a running turn of the session on screen, forwarded as the backend sent it. */
  chatEvent: ChatEventParams.extend({
    /** With recordTimings: when the extension host relayed it (performance.timeOrigin + now, ms). */
    relayedAt: z.number().optional(),
  }),
  /** The session list changed (a turn ended, a title was set). */
  sessions: z.object({ sessions: z.array(SessionSummary) }),
  /** Chat: the commands `/` completes, built-ins first. */
  slashCommands: z.object({ commands: z.array(SlashCommandView) }),
  /** Governance view: the policy, the (filtered) audit timeline and the exported bundles. */
  governance: z.object({ policy: PolicyView.nullable(), timeline: AuditTimeline.nullable(), bundles: z.array(BundleInfo), error: z.string().nullable() }),
  verifyResult: VerifyResult,
  /** Governance view: what the backend waits on a person for, oldest first. */
  approvals: z.object({ approvals: z.array(ApprovalView) }),
  /** Governance view: the checkpoint timeline, newest first. */
  checkpoints: z.object({ checkpoints: z.array(CheckpointView), error: z.string().nullable() }),
  /** Governance view: the Agent Skills found, validated (`open`: the person asked to see them, /skills). */
  skills: z.object({ skills: z.array(SkillView), error: z.string().nullable(), open: z.boolean() }),
  /** Governance view: background runs (EAS builds and submissions), newest first. */
  runs: z.object({ runs: z.array(RunView) }),
  /** Governance view: the session allowances in force ("Allow for this session"), or why they could not be read. */
  allowances: z.object({
    allowances: z.array(AllowanceView),
    /** The titles of their chat sessions, by id (a person knows a chat by its title). */
    sessions: z.record(z.string(), z.string()),
    error: z.string().nullable(),
  }),
} as const;

/** webview → extension */
export const FromWebview = {
  /** The webview's script has loaded and wants the current state. */
  ready: z.object({}),
  /** The person sent a prompt from the chat box. */
  prompt: z.object({ text: z.string().trim().min(1, 'the prompt is empty').max(100_000) }),
  runCommand: z.object({ command: WebviewCommand }),
  /** Stop the running turn. */
  stop: z.object({}),
  newSession: z.object({}),
  openSession: z.object({ sessionId: z.string().min(1) }),
  selectModel: z.object({ model: ModelRef }),
  /** Show the diff of a change a tool applied. */
  openChange: z.object({ changeId: z.number().int().positive() }),
  /** Open a workspace file (absolute, or relative to a folder; the extension resolves it, symlinks too, inside the workspace). */
  openFile: z.object({
    path: z.string().min(1).max(4096)
      .refine((p) => !p.includes('\0'), 'the path holds a NUL byte')
      .refine((p) => !p.split(/[\\/]/).includes('..'), 'the path climbs out with ..'),
  }),
  copy: z.object({ text: z.string().max(10_000_000) }),
  /** Chat: a built-in slash command typed in the input (custom ones are sent as prompts; the backend expands them). */
  builtinCommand: z.object({ name: BuiltinName }),
  /** Governance view: filter the audit timeline (by session, tool, and the log's own record kinds). */
  auditQuery: z.object({ sessionId: z.string().optional(), tool: z.string().optional(), kind: AuditKind.optional() }),
  exportBundle: z.object({}),
  verifyBundle: z.object({ file: z.string().min(1) }),
  /**
   * A pending approval's button: approve it, reject it (the extension asks why), show where it is,
   * approve it and allow its session scope, or "Always allow…" (propose the policy rule). Only the
   * id: the scope and the rule are the backend's, looked up by the extension.
   */
  approval: z.object({ approvalId: z.string().min(1), action: z.enum(['approve', 'reject', 'review', 'allowForSession', 'alwaysAllow']) }),
  /** A checkpoint's button (timeline): restore it, or diff it against the workspace now. */
  checkpoint: z.object({ checkpointId: z.number().int().positive(), action: z.enum(['restore', 'diff']) }),
  /** Governance view: Revoke on a session allowance (it only takes a permission away). */
  revokeAllowance: z.object({ allowanceId: z.string().min(1).max(200) }),
  /** A background run's button: cancel it, or show its log. */
  run: z.object({ runId: z.string().min(1), action: z.enum(['cancel', 'log']) }),
  /** Governance view: open a workspace skill's SKILL.md (by its index in the last list sent). */
  openSkill: z.object({ index: z.number().int().nonnegative() }),
  /** Chat: "Restore" on a turn, back to the state before it. */
  restoreTurn: z.object({ turnId: z.string().min(1) }),
} as const;

/** zod infers `z.object({})` as Record<string, never>, which would swallow `type`. */
type Payload<T> = T extends Record<string, never> ? object : T;
type MessageOf<M extends Record<string, z.ZodType>> = {
  [K in keyof M & string]: { type: K } & Payload<z.infer<M[K]>>;
}[keyof M & string];

export type ToWebviewMessage = MessageOf<typeof ToWebview>;
export type FromWebviewMessage = MessageOf<typeof FromWebview>;

function unionOf<M extends Record<string, z.ZodObject>>(map: M) {
  const members = Object.entries(map).map(([type, schema]) => schema.extend({ type: z.literal(type) }).strict());
  return z.discriminatedUnion('type', members as unknown as [z.ZodObject, ...z.ZodObject[]]);
}

const toWebviewSchema = unionOf(ToWebview as unknown as Record<string, z.ZodObject>);
const fromWebviewSchema = unionOf(FromWebview as unknown as Record<string, z.ZodObject>);

export type Parsed<T> = { ok: true; message: T } | { ok: false; error: string };

function parseWith<T>(schema: z.ZodType, raw: unknown): Parsed<T> {
  const r = schema.safeParse(raw);
  return r.success ? { ok: true, message: r.data as T } : { ok: false, error: describeZodError(r.error) };
}

export const parseFromWebview = (raw: unknown): Parsed<FromWebviewMessage> => parseWith(fromWebviewSchema, raw);
export const parseToWebview = (raw: unknown): Parsed<ToWebviewMessage> => parseWith(toWebviewSchema, raw);
