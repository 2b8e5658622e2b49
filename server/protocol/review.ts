// Review bundling: the diff since the last reviewed commit as one bounded bundle, or as packets
// when it is above the size cap. The backend builds them; the extension shows them.
import * as z from 'zod';
import { notification, request } from './define';

export const Sha = z.string().regex(/^[0-9a-f]{40}$/, 'a full commit id (40 hex digits)');

/** What a review covers: from the baseline (null: the repository's first commit) to a commit, and maybe the work tree. */
export const ReviewRange = z.object({
  from: Sha.nullable(),
  to: Sha,
  worktree: z.boolean(),
});
export type ReviewRange = z.infer<typeof ReviewRange>;

export const BundleFile = z.object({
  /** Repository-relative POSIX path (the new one for a rename). */
  path: z.string(),
  /** The old path of a rename or copy. */
  from: z.string().nullable(),
  /** git's status letter: A added, M modified, D deleted, R renamed, C copied, T type changed. */
  status: z.enum(['A', 'M', 'D', 'R', 'C', 'T', 'U', 'X']),
  added: z.number().int().nonnegative(),
  deleted: z.number().int().nonnegative(),
  /**
   * text: shown (secret values masked in place, see `masked`); binary: listed, not inlined;
   * redacted: a secret by name whose content is only data of that kind (a dotenv file, a key that
   * parses), left out whole and listed with its name and size (the reason says why).
   */
  kind: z.enum(['text', 'binary', 'redacted']),
  reason: z.string().optional(),
  /** Bytes of its diff in the bundle (0 when listed only). */
  bytes: z.number().int().nonnegative(),
  /** A redacted file's size in bytes (of the version the range ships; the old one of a deletion). */
  size: z.number().int().nonnegative().optional(),
  /** What was masked in its shown diff, and how often (lines of a key block): "private key block" → 27. */
  masked: z.record(z.string(), z.number().int().positive()).optional(),
});
export type BundleFile = z.infer<typeof BundleFile>;

export const Packet = z.object({
  name: z.string(),
  path: z.string(),
  part: z.number().int().positive(),
  parts: z.number().int().positive(),
  bytes: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type Packet = z.infer<typeof Packet>;

export const BundleResult = z.object({
  /** The repository's top folder: the files' paths (and a review's blockers') are relative to it. */
  root: z.string(),
  range: ReviewRange,
  /** Where the bundle (or the packets, their README, manifest and archive) was written. */
  dir: z.string(),
  mode: z.enum(['bundle', 'packets']),
  /** The bundle file, or the packets' README. */
  main: z.string(),
  archive: z.string().nullable(),
  maxBytes: z.number().int().positive(),
  /** Bytes of diff in all (without headers). */
  bytes: z.number().int().nonnegative(),
  files: z.array(BundleFile),
  packets: z.array(Packet),
});
export type BundleResult = z.infer<typeof BundleResult>;

export const BundleParams = z.object({
  /** A folder of the workspace (its repository is used); the first one when absent. */
  folder: z.string().optional(),
  out: z.string().optional(),
  maxBytes: z.number().int().positive().optional(),
  includeWorktree: z.boolean().default(false),
});
export type BundleParams = z.infer<typeof BundleParams>;

/** extension → server: build the review bundle of the current range. */
export const reviewBundle = request('torbit/review/bundle', 'extension', 'any', BundleParams, BundleResult);

export const Severity = z.enum(['error', 'warning', 'info']);

/** One thing that stops a change: where (a repository-relative path, a 1-based line of its new version) and why. */
export const Blocker = z.object({
  file: z.string().min(1),
  line: z.number().int().positive(),
  severity: Severity,
  message: z.string().min(1).max(4000),
});
export type Blocker = z.infer<typeof Blocker>;

/** What a review showed of one file of its range: its diff, or not (binary, or a secret file left out, and why). */
export const ReviewedFile = z.object({
  path: z.string(),
  from: z.string().nullable(),
  shown: z.enum(['shown', 'binary', 'excluded']),
  reason: z.string().optional(),
});
export type ReviewedFile = z.infer<typeof ReviewedFile>;

export const VerdictMeta = z.object({
  provider: z.string(),
  model: z.string(),
  /** When the verdict was given (ISO). */
  time: z.string(),
  /** Exactly what was reviewed. */
  range: ReviewRange,
  /** Given by a mock, test or demo model: it can never pass finish or the gate. */
  simulated: z.boolean(),
  /** The bundle or packets reviewed (sha256 of each, in order). */
  reviewed: z.array(z.string().regex(/^[0-9a-f]{64}$/)),
  /**
   * Each file of the range and whether the reviewer was shown it. Absent in a review stored before
   * Torbit recorded it: finish and the push gate then treat every file as never shown.
   */
  files: z.array(ReviewedFile).optional(),
});

export const Verdict = z.object({
  verdict: z.enum(['APPROVED', 'BLOCKED']),
  blockers: z.array(Blocker),
  /** The model's summary of the review. */
  summary: z.string(),
  meta: VerdictMeta,
}).refine((v) => v.verdict === 'BLOCKED' ? v.blockers.length > 0 : !v.blockers.some((b) => b.severity === 'error'), {
  message: 'a BLOCKED verdict names at least one blocker, and an APPROVED one has no error',
});
export type Verdict = z.infer<typeof Verdict>;

export const StoredVerdict = z.object({ id: z.number().int().positive(), verdict: Verdict });
export type StoredVerdict = z.infer<typeof StoredVerdict>;

export const ReviewParams = z.object({
  folder: z.string().optional(),
  /** provider:model (default: the backend's configured one). */
  model: z.string().optional(),
  baseUrl: z.string().optional(),
  maxBytes: z.number().int().positive().optional(),
  includeWorktree: z.boolean().default(false),
});
export type ReviewParams = z.infer<typeof ReviewParams>;

export const ReviewResult = z.object({
  review: StoredVerdict,
  bundle: BundleResult,
});
export type ReviewResult = z.infer<typeof ReviewResult>;

/** extension → server: bundle the current range and have the model review it; the verdict is stored and audited. */
export const reviewRun = request('torbit/review/run', 'extension', 'any', ReviewParams, ReviewResult);

export const FinishResult = z.object({
  reviewId: z.number().int().positive(),
  /** The reviewed commit: the new baseline. */
  baseline: Sha,
  /** The commit that records it in .torbit/LAST_REVIEWED_SHA. */
  commit: Sha,
});
export type FinishResult = z.infer<typeof FinishResult>;

/** extension → server: advance the baseline to the approved range's end (a real approval of exactly the current range only). */
export const reviewFinish = request('torbit/review/finish', 'extension', 'trusted', z.object({ folder: z.string().optional() }), FinishResult);

export const GateInstalled = z.object({
  hook: z.string(),
  /** The hook that was there before, now run first by the gate. */
  chained: z.string().nullable(),
});

/** extension → server: install (or refresh) the pre-push review gate in the folder's repository. */
export const reviewInstallGate = request('torbit/review/installGate', 'extension', 'trusted', z.object({ folder: z.string().optional() }), GateInstalled);

// ── Ship: test, review, one bounded heal round when blocked, review again, finish, push ──

export const ShipStep = z.enum(['prepare', 'test', 'review', 'heal', 'finish', 'push']);
export type ShipStep = z.infer<typeof ShipStep>;

/** What the heal round may change when the settings say nothing (globs, repository-relative). */
export const DEFAULT_HEAL_PATHS = ['src/**', 'lib/**', 'app/**', 'test/**', 'tests/**'];

export const ShipParams = z.object({
  /** Names this run in its progress notifications (the extension picks it). */
  shipId: z.string().min(1).max(100),
  folder: z.string().optional(),
  model: z.string().optional(),
  baseUrl: z.string().optional(),
  maxBytes: z.number().int().positive().optional(),
  /** A shell command run at the repository's top; empty: `npm test` when package.json has a test script. */
  testCommand: z.string().max(4000).default(''),
  testTimeoutSeconds: z.number().int().min(1).max(86_400).default(900),
  /** Reviews at most (so attempts - 1 heal rounds). */
  attempts: z.number().int().min(1).max(5).default(2),
  /** Globs (repository-relative) the heal round may change; empty: no heal round. */
  healPaths: z.array(z.string().min(1)).default(DEFAULT_HEAL_PATHS),
  /** Where to push when the branch has no upstream (default origin). */
  remote: z.string().default(''),
});
export type ShipParams = z.infer<typeof ShipParams>;

export const ShipProgress = z.object({
  shipId: z.string(),
  /** 1-based; 0 before the first attempt starts. */
  attempt: z.number().int().nonnegative(),
  attempts: z.number().int().positive(),
  step: ShipStep,
  state: z.enum(['running', 'passed', 'failed', 'skipped']),
  message: z.string(),
  /** At the end of a review step: the verdict (its blockers go to Problems while the run goes on). */
  review: ReviewResult.optional(),
});
export type ShipProgress = z.infer<typeof ShipProgress>;

export const ShipResult = z.object({
  outcome: z.enum(['pushed', 'failed', 'canceled']),
  /** The step that stopped the run (null when it pushed). */
  failedStep: ShipStep.nullable(),
  message: z.string(),
  /** How many attempts ran. */
  attempts: z.number().int().nonnegative(),
  /** Every step as it ended, in order. */
  steps: z.array(ShipProgress),
  /** The last review (its blockers, when the run stopped blocked). */
  review: ReviewResult.nullable(),
  /** The heal rounds' chat sessions. */
  healSessions: z.array(z.string()),
  pushed: z.object({ remote: z.string(), ref: z.string(), sha: Sha }).nullable(),
});
export type ShipResult = z.infer<typeof ShipResult>;

/** extension → server: run the Ship loop in the folder's repository (answers when it ends; cancel stops it). */
export const reviewShip = request('torbit/review/ship', 'extension', 'trusted', ShipParams, ShipResult);
/** server → extension: a Ship step started or ended. */
export const reviewShipProgress = notification('torbit/review/shipProgress', 'server', ShipProgress);
/** server → extension: output of the test command, as it comes. */
export const reviewShipOutput = notification('torbit/review/shipOutput', 'server', z.object({ shipId: z.string(), chunk: z.string() }));
