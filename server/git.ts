// git through the real binary. Reads and snapshots of the user's repository go through
// readOnlyGit: a repository's own config (.git/config, its includes, config.worktree) names
// programs git would run while it only reads (core.fsmonitor, filter and diff drivers, signature
// checks, transports), so a cloned repository could execute code the moment Torbit looks at it.
// readOnlyGit switches each of those off. Writes on purpose (Ship's commits and push) use gitWrite:
// there the person's own hooks and filters must run, as they would on the command line.
import { execFile } from 'node:child_process';
import { commandEnv } from './secrets';

/** What to spawn: `git` with these arguments in this environment. */
export interface GitInvocation {
  args: string[];
  env: NodeJS.ProcessEnv;
}

/**
 * Overrides that hold whatever the repository configures (command-line scope beats every file).
 * protocol.*: a read never leaves the machine, so no ssh (core.sshCommand), ext:: or credential
 * helper can start; a repository's protocol.<name>.allow would beat protocol.allow, hence each.
 * Hooks are not overridden: no read-only command runs one, and `rev-parse --git-path hooks`
 * must keep answering where the person's hooks live.
 */
const NEUTRAL_CONFIG: readonly (readonly [string, string])[] = [
  ['core.fsmonitor', 'false'],
  ['core.pager', 'cat'],
  ['log.showSignature', 'false'],
  ['status.submoduleSummary', 'false'],
  ['protocol.allow', 'never'],
  ...['file', 'git', 'ssh', 'http', 'https', 'ext'].map((p) => [`protocol.${p}.allow`, 'never'] as const),
];

/** Variables of the backend's environment that would make a read-only git run something. */
const DROPPED_ENV = ['GIT_EXTERNAL_DIFF', 'GIT_SSH', 'GIT_SSH_COMMAND', 'GIT_ASKPASS', 'SSH_ASKPASS', 'GIT_PAGER', 'GIT_DIR', 'GIT_WORK_TREE', 'GIT_INDEX_FILE'];

/** Subcommands that print diffs: an external diff or a textconv driver would run a program. */
const DIFFING = new Set(['diff', 'log', 'show', 'whatchanged']);
/** Subcommands that look into submodules' work trees, where the submodule's own drivers run. */
const WORKTREE_SUBMODULES = new Set(['diff', 'status']);

/** Sets config through the environment (GIT_CONFIG_COUNT): any key, '=' in a subsection included. */
function withConfig(env: NodeJS.ProcessEnv, pairs: readonly (readonly [string, string])[]): NodeJS.ProcessEnv {
  const out = { ...env };
  const start = Number.parseInt(env.GIT_CONFIG_COUNT ?? '0', 10);
  let n = Number.isSafeInteger(start) && start > 0 ? start : 0;
  for (const [k, v] of pairs) {
    out[`GIT_CONFIG_KEY_${n}`] = k;
    out[`GIT_CONFIG_VALUE_${n}`] = v;
    n++;
  }
  out.GIT_CONFIG_COUNT = String(n);
  return out;
}

/** The environment every read-only git starts from: no secrets, no prompts, no index refresh. */
function baseEnv(base: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const env = commandEnv(base);
  for (const k of DROPPED_ENV) delete env[k];
  // GIT_OPTIONAL_LOCKS=0: a read never rewrites the user's index.
  return withConfig({ ...env, GIT_OPTIONAL_LOCKS: '0', GIT_TERMINAL_PROMPT: '0', GIT_PAGER: 'cat' }, NEUTRAL_CONFIG);
}

function execGit(cwd: string, inv: GitInvocation): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('git', inv.args, { cwd, env: inv.env, encoding: 'utf8', windowsHide: true, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`git ${inv.args.join(' ')}: ${stderr.trim() || err.message}`));
      else resolve(stdout);
    });
  });
}

/**
 * The filter drivers the repository itself configures (local and worktree scope, includes
 * followed), each switched off: git runs filter.<name>.clean/process whenever it reads a work-tree
 * file whose attributes name the driver. Git 2.39 has no --attr-source to ignore the attributes,
 * so the drivers are found by asking `git config`, which reads config and runs nothing. Drivers in
 * the person's own global or system config (git-lfs) are theirs and keep working.
 */
async function repositoryFilters(cwd: string, env: NodeJS.ProcessEnv): Promise<[string, string][]> {
  const out = await execGit(cwd, { args: ['config', '--show-scope', '--includes', '-z', '--get-regexp', '^filter\\.'], env }).catch(() => '');
  const names = new Set<string>();
  // -z: "scope\0key\nvalue\0" per entry (a key without a value has no "\nvalue").
  const fields = out.split('\0');
  for (let i = 0; i + 1 < fields.length; i += 2) {
    const scope = fields[i]!;
    const key = fields[i + 1]!.split('\n')[0]!;
    if (scope !== 'local' && scope !== 'worktree') continue;
    const first = key.indexOf('.');
    const last = key.lastIndexOf('.');
    if (last > first) names.add(key.slice(first + 1, last));
  }
  const pairs: [string, string][] = [];
  for (const name of names) {
    for (const v of ['clean', 'smudge', 'process']) pairs.push([`filter.${name}.${v}`, '']);
    pairs.push([`filter.${name}.required`, 'false']);
  }
  return pairs;
}

/** The index of the subcommand in git's arguments (after any global options). */
function subcommandAt(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '-c' || args[i] === '-C') i++;
    else if (!args[i]!.startsWith('-')) return i;
  }
  return -1;
}

/**
 * git that only reads the repository in `cwd`, with nothing the repository configures able to run
 * a program: fsmonitor, filter drivers, external diff and textconv drivers, a submodule's own
 * drivers, signature verification, pagers and transports are off; the backend's secrets are not
 * in git's environment.
 */
export async function readOnlyGit(cwd: string, args: readonly string[], base: NodeJS.ProcessEnv = process.env): Promise<GitInvocation> {
  const neutral = baseEnv(base);
  const env = withConfig(neutral, await repositoryFilters(cwd, neutral));
  let at = subcommandAt(args);
  if (at < 0) return { args: [...args], env };
  // `reflog show` is a log: its options go after "show".
  const reflogShow = args[at] === 'reflog' && args[at + 1] === 'show';
  const sub = reflogShow ? 'log' : args[at]!;
  if (reflogShow) at++;
  const extra = [
    ...(DIFFING.has(sub) ? ['--no-ext-diff', '--no-textconv'] : []),
    // The flag beats submodule.<name>.ignore in .gitmodules or .git/config; a changed submodule
    // commit is still reported, only the submodule's work tree is not looked into.
    ...(WORKTREE_SUBMODULES.has(sub) ? ['--ignore-submodules=dirty'] : []),
  ];
  return { args: [...args.slice(0, at + 1), ...extra, ...args.slice(at + 1)], env };
}

/** Read-only git's output, untouched (porcelain formats start with significant spaces). */
export async function gitRaw(cwd: string, args: string[]): Promise<string> {
  return execGit(cwd, await readOnlyGit(cwd, args));
}

/** Read-only git's output, trimmed. */
export async function git(cwd: string, args: string[]): Promise<string> {
  return (await gitRaw(cwd, args)).trim();
}

/**
 * git that changes the repository on the person's behalf (Ship's commits): the repository's hooks
 * and filters run, as they would if the person typed the command.
 */
export async function gitWrite(cwd: string, args: string[]): Promise<string> {
  return (await execGit(cwd, { args, env: process.env })).trim();
}
