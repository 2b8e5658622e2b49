// `review finish`: the baseline moves to the reviewed commit, only for a real approval of exactly
// the current range, and only the baseline file is committed (whatever else is staged stays so).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditLog } from '../audit/log';
import { git, gitWrite } from '../git';
import type { Db } from '../store/sqlite';
import { BASELINE_FILE, currentRange, describeRange, repoRoot, ReviewError } from './baseline';
import { describeUnseen, unseenFiles } from './coverage';
import { ReviewRepo } from './store';

export interface Finished {
  reviewId: number;
  /** The commit reviewed: the new baseline. */
  baseline: string;
  /** The commit that records it. */
  commit: string;
}

export async function finishReview(d: { db: Db; audit: AuditLog }, folder: string): Promise<Finished> {
  const root = await repoRoot(folder);
  const range = await currentRange(root, false);
  if (range.from === range.to) throw new ReviewError(`nothing to finish: the baseline is HEAD (${range.to.slice(0, 12)})`);
  const reviews = new ReviewRepo(d.db);
  const review = await reviews.latestFor(root, range.from, range.to);
  if (!review) {
    const last = (await reviews.list(root, 1))[0];
    throw new ReviewError(`no review covers ${describeRange(range)}${last ? ` (the last one, ${last.id}, covers ${describeRange(last.verdict.meta.range)})` : ''}: run "Torbit: Review Changes" first`);
  }
  const v = review.verdict;
  if (v.meta.simulated) throw new ReviewError(`review ${review.id} was given by a simulated model (${v.meta.provider}:${v.meta.model}): it cannot move the baseline`);
  if (v.verdict !== 'APPROVED') throw new ReviewError(`review ${review.id} of ${describeRange(range)} is BLOCKED (${v.blockers.length} blocker(s)): fix them and review again`);
  if (v.meta.range.from !== range.from || v.meta.range.to !== range.to || v.meta.range.worktree) throw new ReviewError(`review ${review.id} covers ${describeRange(v.meta.range)}, not ${describeRange(range)}`);
  const unseen = await unseenFiles(root, v);
  if (unseen.length) throw new ReviewError(`review ${review.id} of ${describeRange(range)} never showed the reviewer ${unseen.length} file(s) that are not secrets: ${describeUnseen(unseen)}. Review again`);
  const file = path.join(root, BASELINE_FILE);
  const before = fs.existsSync(file) ? fs.readFileSync(file) : null;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, `${range.to}\n`);
  try {
    await gitWrite(root, ['add', '--', BASELINE_FILE]);
    await gitWrite(root, ['commit', '--only', '-q', '-m', `Torbit: reviewed up to ${range.to.slice(0, 12)} (review ${review.id})`, '--', BASELINE_FILE]);
  } catch (err) {
    // Back as it was: the file, and its index entry.
    if (before) fs.writeFileSync(file, before);
    else fs.rmSync(file, { force: true });
    await gitWrite(root, ['reset', '-q', '--', BASELINE_FILE]).catch(() => undefined);
    throw new ReviewError(`the baseline could not be committed: ${(err as Error).message}`);
  }
  const commit = await git(root, ['rev-parse', 'HEAD']);
  await d.audit.append({
    kind: 'review', actor: 'user',
    data: { action: 'finish', reviewId: review.id, repo: root, range: describeRange(range), from: range.from, to: range.to, verdict: v.verdict, baseline: range.to, commit },
  });
  return { reviewId: review.id, baseline: range.to, commit };
}
