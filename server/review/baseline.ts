// The last reviewed commit: `.torbit/LAST_REVIEWED_SHA` in the repository, committed so that a
// team shares it. A review covers the baseline up to HEAD.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { git } from '../git';
import { Sha, type ReviewRange } from '../protocol/review';

export const BASELINE_FILE = '.torbit/LAST_REVIEWED_SHA';

export class ReviewError extends Error {}

/** The repository's top folder for `dir`. */
export async function repoRoot(dir: string): Promise<string> {
  try {
    return await git(dir, ['rev-parse', '--show-toplevel']);
  } catch {
    throw new ReviewError(`${dir} is not in a git repository`);
  }
}

/** The baseline as the file says (null: no file yet). A damaged file is an error, never a guess. */
export function readBaseline(root: string): string | null {
  const file = path.join(root, BASELINE_FILE);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw err;
  }
  const parsed = Sha.safeParse(text.trim());
  if (!parsed.success) throw new ReviewError(`${BASELINE_FILE} does not hold a commit id (${JSON.stringify(text.trim().slice(0, 60))}): fix or remove it`);
  return parsed.data;
}

/** The range a review of `root` covers now: baseline (checked to be an ancestor of HEAD) to HEAD. */
export async function currentRange(root: string, worktree: boolean): Promise<ReviewRange> {
  let to: string;
  try {
    to = await git(root, ['rev-parse', '--verify', '--quiet', 'HEAD^{commit}']);
  } catch {
    throw new ReviewError('the repository has no commit yet: nothing to review');
  }
  const from = readBaseline(root);
  if (from) {
    try {
      await git(root, ['cat-file', '-e', `${from}^{commit}`]);
    } catch {
      throw new ReviewError(`the baseline ${from.slice(0, 12)} in ${BASELINE_FILE} is not a commit of this repository (fetch it, or fix the file)`);
    }
    try {
      await git(root, ['merge-base', '--is-ancestor', from, to]);
    } catch {
      throw new ReviewError(`the baseline ${from.slice(0, 12)} is not an ancestor of HEAD ${to.slice(0, 12)}: the branch was rewritten or is another one`);
    }
  }
  return { from, to, worktree };
}

/** git's empty tree: the "from" of a range with no baseline. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

export const describeRange = (r: ReviewRange) => `${r.from ? r.from.slice(0, 12) : '(first commit)'}..${r.to.slice(0, 12)}${r.worktree ? ' + work tree' : ''}`;
