// Whether a review showed its reviewer every file of its range that is not a secret. finish and
// the push gate act on an approval only when it did: a file left out as a secret must be one by
// name and by content now (decided again, not taken from the record), and a file the record does
// not list was never shown. A review stored before Torbit recorded what it showed lists nothing,
// so every file of its range counts as never shown: review the range again.
import type { Verdict } from '../protocol/review';
import { listChanges } from './changes';
import { exclusionOf } from './exclusion';

export interface Unseen {
  path: string;
  why: string;
}

/** The files of the verdict's range whose content the reviewer never saw (empty: it saw them all). */
export async function unseenFiles(root: string, v: Verdict): Promise<Unseen[]> {
  const range = v.meta.range;
  const changes = await listChanges(root, range);
  const recorded = v.meta.files;
  if (!recorded) return changes.map((c) => ({ path: c.path, why: 'the review was stored before Torbit recorded which files it showed' }));
  const byPath = new Map(recorded.map((f) => [f.path, f]));
  const out: Unseen[] = [];
  for (const c of changes) {
    const f = byPath.get(c.path);
    if (!f) { out.push({ path: c.path, why: 'not in the reviewed bundle' }); continue; }
    // A binary file is listed by name, never inlined: no review reads one, so it does not stop an approval.
    if (f.shown === 'shown' || f.shown === 'binary') continue;
    if (!(await exclusionOf(root, range, c))) out.push({ path: c.path, why: `left out (${f.reason ?? 'no reason'}), but it is not a secret file holding only secret data` });
  }
  return out;
}

export const describeUnseen = (u: Unseen[]) => u.slice(0, 5).map((x) => `${x.path} (${x.why})`).join('; ') + (u.length > 5 ? `; and ${u.length - 5} more` : '');
