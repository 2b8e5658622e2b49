// What the Governance view asks of the backend: the active policy, the audit timeline, and
// signed bundles (export, list, verify).
import * as z from 'zod';
import { request } from './define';

export const PolicyView = z.object({
  source: z.enum(['file', 'default']),
  path: z.string(),
  hash: z.string(),
  /** The pin from torbit.policyHash, if any. */
  pinned: z.string().nullable(),
  /** Why the policy is refused (every action then asks), or null. */
  error: z.string().nullable(),
  /**
   * The workspace's file and the person: `default` (no file; or a file waiting, see pending),
   * `file` (a file that needs no acceptance, it only tightens), `accepted` (a loosening file the
   * person accepted), `pending` (a loosening file not accepted: the default is in force).
   */
  acceptance: z.enum(['default', 'file', 'accepted', 'pending']),
  /** The loosening file waiting for acceptance: its sha256 and what it loosens, in words; or null. */
  pending: z.object({ hash: z.string(), loosens: z.array(z.string()) }).nullable(),
});
export type PolicyView = z.infer<typeof PolicyView>;

/**
 * The kinds of audit record (server/audit/record.ts stores them): here, so the Governance view
 * filters by the log's own kinds and names each one.
 */
export const AuditKind = z.enum(['prompt', 'tool-call', 'decision', 'change', 'checkpoint', 'rollback', 'review', 'ship', 'export', 'note', 'skill', 'policy']);
export type AuditKind = z.infer<typeof AuditKind>;

export const AuditEntryView = z.object({
  seq: z.number().int().positive(),
  ts: z.string(),
  kind: z.string(),
  actor: z.string(),
  sessionId: z.string().nullable(),
  tool: z.string().nullable(),
  /** For decisions and tool calls: how it went (allow/ask/deny, ok/error). */
  outcome: z.string().nullable(),
  summary: z.string(),
});
export type AuditEntryView = z.infer<typeof AuditEntryView>;

export const AuditFilterParams = z.object({
  sessionId: z.string().min(1).optional(),
  tool: z.string().min(1).optional(),
  kind: z.string().min(1).optional(),
  /** A decision or outcome: allow, ask, deny, approved, rejected, ok, error… */
  outcome: z.string().min(1).optional(),
  limit: z.number().int().positive().max(2000).optional(),
}).strict();

export const AuditTimeline = z.object({
  entries: z.array(AuditEntryView),
  /** All records in the log, before filtering. */
  total: z.number().int().nonnegative(),
  chain: z.object({ ok: z.boolean(), head: z.string().nullable(), error: z.string().nullable() }),
  sessions: z.array(z.string()),
  tools: z.array(z.string()),
  /** How many records of each kind the whole log holds (the kind filter offers these). */
  kinds: z.record(z.string(), z.number().int().nonnegative()),
});
export type AuditTimeline = z.infer<typeof AuditTimeline>;

export const BundleInfo = z.object({ file: z.string(), name: z.string(), bytes: z.number().int().nonnegative(), modified: z.string() });
export type BundleInfo = z.infer<typeof BundleInfo>;

export const VerifyResult = z.object({
  file: z.string(),
  ok: z.boolean(),
  reason: z.string().nullable(),
  records: z.number().int().nonnegative().nullable(),
  verifiedBy: z.array(z.string()),
});
export type VerifyResult = z.infer<typeof VerifyResult>;

/** extension → server: the active policy and its sha256. */
export const policyGet = request('torbit/policy/get', 'extension', 'any', z.object({}).strict().optional(), PolicyView);

/**
 * extension → server: accept the workspace's loosening policy file with this sha256 (refused if
 * the file changed since); audited. Answers the policy now in force.
 */
export const policyAccept = request('torbit/policy/accept', 'extension', 'trusted',
  z.object({ sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, 'a sha256 is 64 hex digits') }).strict(), PolicyView);

/** A command rule "Always allow…" adds to .torbit/policy.json: exactly an approval's session scope. */
export const PolicyRuleView = z.object({
  match: z.enum(['exact', 'prefix']),
  argv: z.array(z.string()).min(1),
  decision: z.literal('allow'),
  note: z.string(),
}).strict();
export type PolicyRuleView = z.infer<typeof PolicyRuleView>;

const Sha256 = z.string().regex(/^[0-9a-f]{64}$/, 'a sha256 is 64 lowercase hex digits');

/** What "Always allow…" would write: the file as it is and with the rule, and both sha256. */
export const PolicyRuleProposal = z.object({
  /** The policy file (absolute). */
  path: z.string(),
  /** Its text now; null when there is none (the built-in default is then written out with the rule). */
  before: z.string().nullable(),
  /** What the rule is added to, for the diff's left side: the file as it is, or the built-in default written out. */
  baseline: z.string(),
  after: z.string(),
  rule: PolicyRuleView,
  /** The scope's label, as the approval offered it (`git rev-list …`). */
  label: z.string(),
  /** sha256 of the file's bytes now; null when there is no file. */
  hashBefore: Sha256.nullable(),
  hashAfter: Sha256,
});
export type PolicyRuleProposal = z.infer<typeof PolicyRuleProposal>;

/**
 * extension → server: the rule "Always allow…" proposes for a pending approval, computed by the
 * backend from the scope it offered (the caller names the approval, never a rule); nothing is written.
 * 'trusted': it exists to write the workspace's policy file.
 */
export const policyProposeRule = request('torbit/policy/proposeRule', 'extension', 'trusted',
  z.object({ approvalId: z.string().min(1) }).strict(), PolicyRuleProposal);

/**
 * extension → server: write the proposed rule (computed again here, never taken from the caller),
 * only if the file's sha256 is still `expectedHashBefore` (null: still no file); audited, accepted
 * as the person's, and in force for the next action. It also approves the pending approval.
 */
export const policyWriteRule = request('torbit/policy/writeRule', 'extension', 'trusted',
  z.object({ approvalId: z.string().min(1), expectedHashBefore: Sha256.nullable() }).strict(),
  z.object({ path: z.string(), hash: Sha256, rule: PolicyRuleView, approved: z.boolean() }));

/** extension → server: the audit timeline, filtered, newest first, with the chain's state. */
export const auditList = request('torbit/audit/list', 'extension', 'any', AuditFilterParams, AuditTimeline);

/** extension → server: export a signed bundle into the data directory's exports folder. */
export const auditExport = request('torbit/audit/export', 'extension', 'any',
  z.object({ sessionId: z.string().min(1).optional(), format: z.enum(['dsse', 'sigstore']).optional() }).strict(),
  z.object({ file: z.string(), records: z.number().int().nonnegative(), head: z.string(), signedBy: z.array(z.object({ kind: z.string(), keyid: z.string() })) }));

/** extension → server: the bundles exported so far, newest first. */
export const auditBundles = request('torbit/audit/bundles', 'extension', 'any', z.object({}).strict().optional(), z.object({ bundles: z.array(BundleInfo) }));

/** extension → server: verify a bundle offline with this workspace's own keys. */
export const auditVerify = request('torbit/audit/verify', 'extension', 'any', z.object({ file: z.string().min(1) }).strict(), VerifyResult);
