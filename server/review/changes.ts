// The files a range changes, from `git diff --raw -z` (paths unquoted, renames followed), and how
// git names each one in the header of its patch, to follow the patch stream file by file.
import { spawn } from 'node:child_process';
import { readOnlyGit, type GitInvocation } from '../git';
import type { BundleFile, ReviewRange } from '../protocol/review';
import { EMPTY_TREE } from './baseline';

export interface Change {
  status: BundleFile['status'];
  path: string;
  from: string | null;
}

/**
 * Options that make `git diff` print what this code reads whatever the user's config says
 * (colour, external or textconv diff drivers, prefixes, relative paths, quoting, submodules).
 */
export const DIFF_OPTIONS = ['--no-color', '--no-ext-diff', '--no-textconv', '--no-relative', '--src-prefix=a/', '--dst-prefix=b/', '--submodule=short', '-M'];

/** git's arguments for a range: two commits, or a commit against the work tree. */
export function rangeArgs(r: ReviewRange): string[] {
  const from = r.from ?? EMPTY_TREE;
  return r.worktree ? [from] : [from, r.to];
}

/** `git diff` of a range in the user's repository, read-only (nothing its config names runs), in the C locale. */
export async function rangeDiff(root: string, args: string[]): Promise<GitInvocation> {
  const inv = await readOnlyGit(root, ['-c', 'core.quotePath=false', 'diff', ...args]);
  return { args: inv.args, env: { ...inv.env, LC_ALL: 'C' } };
}

export async function listChanges(root: string, range: ReviewRange): Promise<Change[]> {
  const inv = await rangeDiff(root, ['--raw', '-z', ...DIFF_OPTIONS, ...rangeArgs(range), '--']);
  const out = await new Promise<Buffer>((resolve, reject) => {
    const child = spawn('git', inv.args, { cwd: root, env: inv.env, windowsHide: true });
    const parts: Buffer[] = [];
    let err = '';
    child.stdout.on('data', (d: Buffer) => parts.push(d));
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve(Buffer.concat(parts)) : reject(new Error(`git diff --raw: ${err.trim() || `exit ${code}`}`))));
  });
  const tokens = out.toString('utf8').split('\0');
  const changes: Change[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const meta = tokens[i]!;
    if (!meta.startsWith(':')) continue;
    const letter = meta.trim().split(' ').pop()![0]!;
    const status = (['A', 'M', 'D', 'R', 'C', 'T', 'U'].includes(letter) ? letter : 'X') as Change['status'];
    if (status === 'R' || status === 'C') {
      changes.push({ status, from: tokens[i + 1]!, path: tokens[i + 2]! });
      i += 2;
    } else {
      changes.push({ status, from: null, path: tokens[i + 1]! });
      i += 1;
    }
  }
  return changes;
}

const ESCAPES: Record<number, string> = { 7: '\\a', 8: '\\b', 9: '\\t', 10: '\\n', 11: '\\v', 12: '\\f', 13: '\\r', 34: '\\"', 92: '\\\\' };

/** A path as git prints it with core.quotePath=false: C-quoted when it has a control character, a quote or a backslash. */
export function gitQuote(s: string): string {
  if (![...s].some((ch) => { const c = ch.codePointAt(0)!; return c < 0x20 || c === 0x7f || c === 0x22 || c === 0x5c; })) return s;
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ESCAPES[c]) out += ESCAPES[c];
    else if (c < 0x20 || c === 0x7f) out += `\\${c.toString(8).padStart(3, '0')}`;
    else out += ch;
  }
  return `${out}"`;
}

/** The first line of a change's patch, as git prints it. */
export function patchHeader(c: Change): string {
  if (c.status === 'U') return `diff --cc ${gitQuote(c.path)}`;
  return `diff --git ${gitQuote(`a/${c.from ?? c.path}`)} ${gitQuote(`b/${c.path}`)}`;
}
