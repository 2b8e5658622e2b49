// Pending approvals: what the policy asked a person to decide, and the decision. The backend
// owns them; the extension shows them as code lenses, on the chat's tool card and in the
// Governance view, and sends the decision back.
import * as z from 'zod';
import { notification, request } from './define';

/** ship: a build or store submission the person started (policy category "ship"). */
export const ApprovalKind = z.enum(['read', 'edit', 'command', 'ship']);
export type ApprovalKind = z.infer<typeof ApprovalKind>;

/** The policy's categories (.torbit/policy.json "categories"). */
export const PolicyCategory = z.enum(['read', 'edit', 'command', 'network', 'ship']);
export type PolicyCategory = z.infer<typeof PolicyCategory>;

/**
 * Why the policy decided as it did, as data: the surfaces word it (approvalWords.ts), the
 * backend's `reason` string stays the audit log's wording.
 */
export const AskWhy = z.discriminatedUnion('kind', [
  /** The category's own setting, inside or outside the workspace. */
  z.object({ kind: z.literal('category'), category: PolicyCategory, inside: z.boolean() }),
  /** A read or edit of a protected path (always asks). */
  z.object({ kind: z.literal('protected'), path: z.string(), glob: z.string() }),
  /** A command rule matched. */
  z.object({ kind: z.literal('rule'), match: z.enum(['exact', 'prefix', 'read-only-git']), argv: z.array(z.string()), note: z.string().optional() }),
  /** Pipes, redirections, substitutions… outside quotes. */
  z.object({ kind: z.literal('shell-syntax'), syntax: z.array(z.string()) }),
  /** A shell as the program (it runs anything). */
  z.object({ kind: z.literal('shell'), program: z.string() }),
  /** env, sudo, xargs…: runs another program. */
  z.object({ kind: z.literal('wrapper'), program: z.string() }),
  /** FOO=1 before the program. */
  z.object({ kind: z.literal('env-assignment'), program: z.string() }),
  /** ./x or /usr/bin/x: never matches a rule. */
  z.object({ kind: z.literal('program-path'), program: z.string() }),
  /** askAfterAutoApproved reached in this run. */
  z.object({ kind: z.literal('auto-limit'), count: z.number().int().nonnegative(), limit: z.number().int().positive() }),
  /** askAfterCostUsd reached in this run. */
  z.object({ kind: z.literal('cost-limit'), costUsd: z.number().nonnegative(), limitUsd: z.number().positive() }),
  /** The policy file was refused, so every action asks. */
  z.object({ kind: z.literal('policy-refused'), cause: z.enum(['invalid-json', 'invalid', 'pin-mismatch', 'mode']), detail: z.string() }),
  /** An edit that changes nothing (allowed). */
  z.object({ kind: z.literal('no-change') }),
]);
export type AskWhy = z.infer<typeof AskWhy>;

/** A hunk of a proposed edit, positioned in the file as it is now (nothing is applied yet). */
export const HunkView = z.object({
  index: z.number().int().nonnegative(),
  /** 0-based line of the current file where the hunk starts. */
  line: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  added: z.number().int().nonnegative(),
  /** The function, method or class the hunk is in, when a line above it names one, e.g. `greet()`. */
  scope: z.string().optional(),
});
export type HunkView = z.infer<typeof HunkView>;

/**
 * What "Allow for this session" would allow, computed by the backend and shown before the person
 * decides: the same tool on the same file, or commands starting with the same tokens (or exactly
 * this argv). Only offered where the policy itself would merely ask (never a protected path, a
 * deny, shell syntax, a wrapper, a program given by path, or ship).
 */
export const SessionScope = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('file'), tool: z.string().min(1), path: z.string().min(1), label: z.string() }).strict(),
  z.object({ kind: z.literal('command'), tool: z.string().min(1), argvPrefix: z.array(z.string()).min(1), exact: z.boolean(), label: z.string() }).strict(),
]);
export type SessionScope = z.infer<typeof SessionScope>;

/** A session allowance in force (kept in the backend's memory only, for one chat session). */
export const AllowanceView = z.object({
  id: z.string(),
  sessionId: z.string(),
  scope: SessionScope,
  /** The approval on which the person chose it. */
  approvalId: z.string(),
  createdAt: z.string(),
  /** Actions it has allowed since. */
  uses: z.number().int().nonnegative(),
});
export type AllowanceView = z.infer<typeof AllowanceView>;

export const ApprovalView = z.object({
  id: z.string(),
  kind: ApprovalKind,
  sessionId: z.string().nullable(),
  turnId: z.string().nullable(),
  toolCallId: z.string(),
  tool: z.string(),
  /** The file, or the command line, as shown to the person. */
  title: z.string(),
  /** Why the policy asks, as the audit log words it. */
  reason: z.string(),
  /** Why the policy asks, as data (worded for people by approvalWords.ts). */
  why: AskWhy,
  policyHash: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  edit: z.object({
    path: z.string(),
    absPath: z.string(),
    /** The change creates the file. */
    created: z.boolean(),
    hunks: z.array(HunkView),
  }).optional(),
  command: z.object({ argv: z.array(z.string()).min(1), cwd: z.string(), cwdAbs: z.string() }).optional(),
  /** What "Allow for this session" would allow; absent where it is not offered. */
  sessionScope: SessionScope.optional(),
});
export type ApprovalView = z.infer<typeof ApprovalView>;

export const ApprovalOutcome = z.discriminatedUnion('approved', [
  z.object({
    approved: z.literal(true), by: z.literal('user'), hunks: z.array(z.number().int().nonnegative()).nullable(), note: z.string().optional(),
    /** The person also allowed the approval's sessionScope for the rest of the session. */
    forSession: z.boolean().optional(),
  }),
  z.object({ approved: z.literal(false), by: z.enum(['user', 'timeout', 'stopped']), reason: z.string() }),
]);
export type ApprovalOutcome = z.infer<typeof ApprovalOutcome>;

export const DecideParams = z.object({
  approvalId: z.string().min(1),
  approve: z.boolean(),
  /** Edits: the hunks approved (the others are rejected); omitted: all of them. */
  hunks: z.array(z.number().int().nonnegative()).max(10_000).optional(),
  /** Why it was rejected (sent to the model), or a note on an approval. */
  reason: z.string().max(2000).optional(),
  /** Approve, and allow the approval's sessionScope for the rest of its chat session (refused where none is offered). */
  forSession: z.boolean().optional(),
}).strict();
export type DecideParams = z.infer<typeof DecideParams>;

/** server → extension: a run waits for a person's decision. */
export const approvalRequested = notification('torbit/approval/requested', 'server', ApprovalView);

/** server → extension: a pending approval was decided, timed out or stopped. */
export const approvalResolved = notification('torbit/approval/resolved', 'server', z.object({ approval: ApprovalView, outcome: ApprovalOutcome }));

/** extension → server: every pending approval (after a restart of either side). */
export const approvalList = request('torbit/approval/list', 'extension', 'any', z.object({}).strict().optional(), z.object({ approvals: z.array(ApprovalView) }));

/** extension → server: a pending edit's text before and after, for the diff editor. */
export const approvalGet = request('torbit/approval/get', 'extension', 'any', z.object({ approvalId: z.string().min(1) }).strict(),
  z.object({ approval: ApprovalView, before: z.string().nullable(), after: z.string() }));

/** extension → server: a person's decision. An unknown approval or hunk is refused and changes nothing. */
export const approvalDecide = request('torbit/approval/decide', 'extension', 'any', DecideParams, z.object({ ok: z.literal(true) }));

/** extension → server: the session allowances in force (memory only; a new backend has none). */
export const allowanceList = request('torbit/allowance/list', 'extension', 'any', z.object({ sessionId: z.string().min(1).optional() }).strict().optional(),
  z.object({ allowances: z.array(AllowanceView) }));

/**
 * extension → server: revoke a session allowance (audited); the next such action asks again.
 * 'any': it only takes permission away, and allowances live in the backend's memory.
 */
export const allowanceRevoke = request('torbit/allowance/revoke', 'extension', 'any', z.object({ id: z.string().min(1) }).strict(),
  z.object({ ok: z.literal(true) }));

/**
 * server → extension: the session allowances changed (one was given, used or revoked); all of
 * them in force now, so the Governance view shows each one's uses as they happen.
 */
export const allowanceChanged = notification('torbit/allowance/changed', 'server', z.object({ allowances: z.array(AllowanceView) }));
