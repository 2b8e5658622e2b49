// The approval policy (.torbit/policy.json): per category allow / ask / deny inside and outside
// the workspace, protected paths that always ask, command rules on argv tokens, and limits that
// ask again. Every decision carries the policy's sha256.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { minimatch } from 'minimatch';
import * as z from 'zod';
import { describeZodError, type AskWhy } from '../protocol';
import { canonicalJson } from '../audit/canonical';
import { shellSyntaxIn } from './commandLine';
import { isReadOnlyGit } from './gitReadOnly';

export const Decision = z.enum(['allow', 'ask', 'deny']);
export type Decision = z.infer<typeof Decision>;

const Where = z.object({
  inside: Decision.describe('For paths (or a command\'s working directory) inside the workspace.'),
  outside: Decision.describe('Outside the workspace (Torbit\'s tools cannot reach outside; kept for completeness and future tools).'),
}).strict();

export const CATEGORIES = ['read', 'edit', 'command', 'network', 'ship'] as const;
export type Category = (typeof CATEGORIES)[number];

export const Policy = z.object({
  $schema: z.string().optional().describe('The JSON schema, for editors.'),
  version: z.literal(1).describe('The policy format: 1.'),
  categories: z.object({
    read: Where.describe('read_file, list_files, search, git_status, git_diff.'),
    edit: Where.describe('write_file, edit_file.'),
    command: Where.describe('run_command.'),
    network: Where.describe('Actions that reach the network.'),
    ship: Where.describe('Builds and store submissions.'),
  }).strict().describe('allow, ask or deny per category, inside and outside the workspace.'),
  /** Globs (workspace-relative, POSIX) whose reads and edits always ask. */
  protectedPaths: z.array(z.string().min(1)).describe('Globs (workspace-relative, POSIX) whose reads and edits always ask, even where the category allows; search skips them.'),
  /**
   * First match wins. `exact`: argv equals the rule's argv; `prefix`: argv starts with those
   * tokens; `read-only-git`: argv is `git <sub>` then only options from Torbit's read-only table
   * (gitReadOnly.ts), and such a command runs with the repository's programs switched off.
   */
  commands: z.array(z.object({
    match: z.enum(['exact', 'prefix', 'read-only-git']).describe('exact: the argv equals the rule\'s; prefix: the argv starts with the rule\'s tokens (whole tokens, never a string prefix); read-only-git: the rule\'s argv is ["git", <status|log|diff|show|rev-parse|branch>] and the command adds only options from Torbit\'s read-only table (none that writes a file or runs a program), and it runs with the repository\'s own programs (fsmonitor, diff and textconv drivers, filters, pager) switched off.'),
    argv: z.array(z.string()).min(1, 'a command rule needs at least the program').describe('The program and arguments, as tokens.'),
    decision: Decision,
    note: z.string().optional().describe('Why the rule exists.'),
  }).strict()).describe('Command rules on the parsed argv, first match wins. Shell syntax, shells, wrappers (env, sudo, xargs…), FOO=1 prefixes and programs given by path always ask.'),
  limits: z.object({
    /** Ask again after this many auto-approved actions in one run (0: never). */
    askAfterAutoApproved: z.number().int().nonnegative().describe('Ask again after this many automatically allowed actions in one run (0: never).'),
    /** Ask again once a run has cost this many USD (0: never). */
    askAfterCostUsd: z.number().nonnegative().describe('Ask again once a run has cost this many USD (0: never).'),
  }).strict(),
}).strict();
export type Policy = z.infer<typeof Policy>;

export const DEFAULT_POLICY: Policy = {
  version: 1,
  categories: {
    read: { inside: 'allow', outside: 'deny' },
    edit: { inside: 'ask', outside: 'deny' },
    command: { inside: 'ask', outside: 'deny' },
    network: { inside: 'ask', outside: 'ask' },
    ship: { inside: 'ask', outside: 'ask' },
  },
  protectedPaths: ['.env', '.env.*', '**/.env', '**/.env.*', '.git/**', '.torbit/**', '**/*.pem', '**/*.key', '**/*.p8', '**/*.p12', '**/id_rsa*', '**/id_ed25519*', '**/.npmrc', '**/credentials*.json'],
  commands: [
    ...(['status', 'log', 'diff', 'show', 'rev-parse', 'branch'] as const).map((sub) => ({ match: 'read-only-git' as const, argv: ['git', sub], decision: 'allow' as const })),
    { match: 'prefix', argv: ['git', 'push'], decision: 'ask', note: 'pushing leaves the machine' },
  ],
  limits: { askAfterAutoApproved: 50, askAfterCostUsd: 0 },
};

export const POLICY_FILE = path.join('.torbit', 'policy.json');

export interface LoadedPolicy {
  policy: Policy;
  /** sha256 of the file's bytes, or of the default policy's canonical JSON. */
  hash: string;
  source: 'file' | 'default';
  /** Set when the policy was refused: every decision then asks. */
  error?: string;
  /** Why it was refused (with `error`), as data for the approval's wording. */
  refused?: Omit<Extract<AskWhy, { kind: 'policy-refused' }>, 'kind'>;
  /**
   * The workspace's file loosens the default and the person has not accepted it (that exact
   * sha256): the default is in force instead (policyAcceptance.ts).
   */
  pending?: { hash: string; loosens: string[] };
  /** The file loosens the default, and the person accepted this exact file. */
  accepted?: boolean;
}

/** The built-in default, as the policy in force. */
export function defaultLoaded(): LoadedPolicy {
  return { policy: DEFAULT_POLICY, hash: sha256(canonicalJson(DEFAULT_POLICY)), source: 'default' };
}

/** The policy in force for a workspace root (null: no folder, so the default), pin and mode applied. */
export function loadPolicy(root: string | null, o: { pinnedHash?: string; environment?: 'dev' | 'staging' | 'production' } = {}): LoadedPolicy {
  const file = root === null ? null : path.join(root, POLICY_FILE);
  let loaded: LoadedPolicy;
  if (file === null || !fs.existsSync(file)) {
    loaded = defaultLoaded();
  } else {
    const bytes = fs.readFileSync(file);
    const hash = sha256(bytes);
    let raw: unknown;
    try {
      raw = JSON.parse(bytes.toString('utf8'));
    } catch (err) {
      const detail = (err as Error).message;
      return { policy: DEFAULT_POLICY, hash, source: 'file', refused: { cause: 'invalid-json', detail }, error: `${POLICY_FILE} is not valid JSON (${detail}); every action will ask` };
    }
    const parsed = Policy.safeParse(raw);
    if (!parsed.success) {
      const detail = describeZodError(parsed.error);
      return { policy: DEFAULT_POLICY, hash, source: 'file', refused: { cause: 'invalid', detail }, error: `${POLICY_FILE} is invalid: ${detail}; every action will ask` };
    }
    loaded = { policy: parsed.data, hash, source: 'file' };
  }
  const pinned = o.pinnedHash?.trim().toLowerCase();
  if (pinned && pinned !== loaded.hash) {
    return { ...loaded, refused: { cause: 'pin-mismatch', detail: `its sha256 is ${loaded.hash}, the pin is ${pinned}` }, error: `the policy's sha256 is ${loaded.hash}, but torbit.policyHash pins ${pinned}; the policy is refused and every action will ask` };
  }
  if (o.environment && o.environment !== 'dev') {
    const why = approvesEverything(loaded.policy);
    if (why) return { ...loaded, refused: { cause: 'mode', detail: `${o.environment} mode: ${why}` }, error: `in ${o.environment} mode the policy may not approve everything (${why}); every action will ask` };
  }
  return loaded;
}

/** Why a policy approves everything (refused outside dev), if it does. */
export function approvesEverything(p: Policy): string | undefined {
  for (const c of ['edit', 'command', 'ship'] as const) {
    if (p.categories[c].outside === 'allow') return `${c} outside the workspace is allowed`;
  }
  if (p.categories.edit.inside === 'allow' && p.categories.command.inside === 'allow' && p.protectedPaths.length === 0) {
    return 'edits and commands are allowed with no protected paths';
  }
  return undefined;
}

export type Action =
  | { category: 'read' | 'edit'; path: string; inside: boolean }
  | { category: 'command'; argv: string[]; inside: boolean; shellSyntax?: string[] }
  | { category: 'network' | 'ship'; what: string; inside: boolean };

export interface RunTally {
  autoApproved: number;
  costUsd: number;
}

export interface Verdict {
  decision: Decision;
  /** The audit log's wording. */
  reason: string;
  /** The same, as data (approvalWords.ts words it for people). */
  why: AskWhy;
  policyHash: string;
  /** A read-only-git rule decided: the command must run through readOnlyGit (server/git.ts). */
  readOnlyGit?: true;
}

const SHELLS = new Set(['sh', 'bash', 'zsh', 'dash', 'ksh', 'fish', 'cmd', 'cmd.exe', 'powershell', 'powershell.exe', 'pwsh', 'pwsh.exe']);
const WRAPPERS = new Set(['env', 'sudo', 'doas', 'nohup', 'nice', 'timeout', 'xargs', 'exec', 'command', 'eval', 'time', 'watch', 'su']);

export function decide(lp: LoadedPolicy, a: Action, tally: RunTally = { autoApproved: 0, costUsd: 0 }): Verdict {
  const v = (decision: Decision, reason: string, why: AskWhy): Verdict => ({ decision, reason, why, policyHash: lp.hash });
  if (lp.error) return v('ask', lp.error, { kind: 'policy-refused', ...(lp.refused ?? { cause: 'invalid', detail: lp.error }) });
  const p = lp.policy;
  let base = p.categories[a.category][a.inside ? 'inside' : 'outside'];
  let reason = `${a.category} ${a.inside ? 'inside' : 'outside'} the workspace: ${base}`;
  let why: AskWhy = { kind: 'category', category: a.category, inside: a.inside };
  let readOnlyGit = false;
  if (a.category === 'read' || a.category === 'edit') {
    const hit = p.protectedPaths.find((g) => minimatch(a.path, g, { dot: true }));
    if (hit && base === 'allow') { base = 'ask'; reason = `${a.path} is protected (${hit})`; why = { kind: 'protected', path: a.path, glob: hit }; }
  }
  if (a.category === 'command') {
    const argv = a.argv;
    const program = argv[0] ?? '';
    const syntax = [...new Set([...(a.shellSyntax ?? []), ...shellSyntaxIn(argv)])];
    if (base === 'deny') return v('deny', reason, why);
    if (syntax.length) return v('ask', `shell syntax (${syntax.join(' ')}) always asks`, { kind: 'shell-syntax', syntax });
    if (SHELLS.has(program.toLowerCase())) return v('ask', `${program} runs arbitrary commands: always asks`, { kind: 'shell', program });
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(program)) return v('ask', `an environment assignment before the program (${program}) always asks`, { kind: 'env-assignment', program });
    if (WRAPPERS.has(program)) return v('ask', `${program} runs another program: always asks`, { kind: 'wrapper', program });
    if (/[\\/]/.test(program)) return v('ask', `a program given by path (${program}) never matches a rule: asks`, { kind: 'program-path', program });
    const rule = p.commands.find((r) => ruleMatches(r, argv));
    if (rule) {
      base = rule.decision;
      reason = `rule ${rule.match} [${rule.argv.join(' ')}]: ${rule.decision}`;
      why = { kind: 'rule', match: rule.match, argv: rule.argv, ...(rule.note ? { note: rule.note } : {}) };
    }
    if (rule?.match === 'read-only-git') readOnlyGit = true;
  }
  if (base === 'allow') {
    if (p.limits.askAfterAutoApproved > 0 && tally.autoApproved >= p.limits.askAfterAutoApproved) {
      return v('ask', `${tally.autoApproved} actions were approved automatically in this run (limit ${p.limits.askAfterAutoApproved})`,
        { kind: 'auto-limit', count: tally.autoApproved, limit: p.limits.askAfterAutoApproved });
    }
    if (p.limits.askAfterCostUsd > 0 && tally.costUsd >= p.limits.askAfterCostUsd) {
      return v('ask', `this run has cost $${tally.costUsd.toFixed(2)} (limit $${p.limits.askAfterCostUsd})`,
        { kind: 'cost-limit', costUsd: tally.costUsd, limitUsd: p.limits.askAfterCostUsd });
    }
  }
  return readOnlyGit && base === 'allow' ? { ...v(base, reason, why), readOnlyGit: true } : v(base, reason, why);
}

/** Whether a command rule matches an argv (first match wins among a policy's rules). */
export function ruleMatches(r: Policy['commands'][number], argv: readonly string[]): boolean {
  switch (r.match) {
    case 'exact': return sameTokens(argv, r.argv);
    case 'prefix': return startsWith(argv, r.argv);
    case 'read-only-git': return isReadOnlyGit(argv, r.argv);
  }
}

function sameTokens(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((t, i) => t === b[i]);
}

function startsWith(a: readonly string[], prefix: readonly string[]): boolean {
  return prefix.length <= a.length && prefix.every((t, i) => t === a[i]);
}

function sha256(x: string | Buffer): string {
  return createHash('sha256').update(x).digest('hex');
}
