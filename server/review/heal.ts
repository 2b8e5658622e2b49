// Ship's heal round: what the agent may change (the allowlist, never Torbit's own files), what it
// is told, and how its work becomes one commit of exactly the allowlisted files it changed.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Minimatch } from 'minimatch';
import { git, gitRaw, gitWrite } from '../git';
import type { Blocker, Verdict } from '../protocol/review';
import type { Confinement } from '../trust/runTrust';
import { ReviewError } from './baseline';

/** Never healed, whatever the allowlist says: the baseline, the policy, the repository itself. */
const NEVER = ['.torbit/**', '.git/**'].map((g) => new Minimatch(g, { dot: true }));

export class HealScope {
  private readonly globs: Minimatch[];

  constructor(readonly root: string, readonly patterns: string[]) {
    this.globs = patterns.map((g) => new Minimatch(g.replace(/^\.\//, ''), { dot: true }));
  }

  /** `rel`: repository-relative, POSIX. */
  allows(rel: string): boolean {
    if (!rel || rel.startsWith('../') || path.isAbsolute(rel)) return false;
    return !NEVER.some((m) => m.match(rel)) && this.globs.some((m) => m.match(rel));
  }

  describe(): string {
    return `files matching ${this.patterns.map((p) => JSON.stringify(p)).join(', ')} (repository-relative)`;
  }

  confinement(): Confinement {
    return {
      writable: (abs) => this.allows(path.relative(this.root, abs).split(path.sep).join('/')),
      describe: this.describe(),
    };
  }
}

/** What the agent is asked to do: the blockers it may fix, and those it may not touch. */
export function healPrompt(v: Verdict, scope: HealScope, attempt: number): string {
  const line = (b: Blocker) => `- ${b.file}:${b.line} [${b.severity}] ${b.message}`;
  const fixable = v.blockers.filter((b) => scope.allows(b.file));
  const other = v.blockers.filter((b) => !scope.allows(b.file));
  return [
    `Torbit Ship, heal round ${attempt}: the code review BLOCKED the changes. Fix these blockers with the smallest correct changes:`,
    fixable.map(line).join('\n'),
    ...(other.length ? [`These are in files you may not change; leave them (the review will judge them again):\n${other.map(line).join('\n')}`] : []),
    `The reviewer's summary: ${v.summary}`,
    `You may change only ${scope.describe()}. Read the files first, make the fixes with edit_file or write_file, then say in one or two sentences what you changed. Do not commit: Torbit commits your fixes, tests and reviews them again.`,
  ].join('\n\n');
}

/** Paths of `git status --porcelain=v1 -z` (a rename's entry is followed by its old path). */
function statusPaths(out: string): string[] {
  const paths: string[] = [];
  const parts = out.split('\0');
  for (let i = 0; i < parts.length; i++) {
    const e = parts[i]!;
    if (e.length < 4) continue;
    paths.push(e.slice(3));
    if (e[0] === 'R' || e[0] === 'C') paths.push(parts[++i]!);
  }
  return [...new Set(paths)];
}

const status = (root: string, untracked: 'all' | 'no') => gitRaw(root, ['-c', 'core.quotePath=false', 'status', '--porcelain=v1', '-z', `--untracked-files=${untracked}`]).then(statusPaths);

/** Tracked files changed (staged or not): Ship tests, reviews and pushes commits, so these would be left out. */
export const uncommitted = (root: string) => status(root, 'no');

/** How the work tree differs from HEAD, to tell later what a heal round changed. */
export type TreeState = Map<string, string>;

export async function treeState(root: string): Promise<TreeState> {
  const state: TreeState = new Map();
  for (const rel of await status(root, 'all')) {
    const st = fs.statSync(path.join(root, rel), { throwIfNoEntry: false });
    state.set(rel, st ? `${st.size}:${st.mtimeMs}` : 'gone');
  }
  return state;
}

/** Paths whose state differs between two snapshots. */
export function changedSince(before: TreeState, after: TreeState): string[] {
  return [...after].filter(([rel, s]) => before.get(rel) !== s).map(([rel]) => rel)
    .concat([...before.keys()].filter((rel) => !after.has(rel)));
}

/** Commits exactly these paths (the heal's work) and returns the commit. */
export async function commitHeal(root: string, paths: string[], message: string): Promise<string> {
  if (!paths.length) throw new ReviewError('nothing to commit');
  await gitWrite(root, ['add', '-A', '--', ...paths]);
  await gitWrite(root, ['commit', '-q', '-m', message, '--', ...paths]);
  return git(root, ['rev-parse', 'HEAD']);
}
