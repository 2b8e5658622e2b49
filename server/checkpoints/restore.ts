// Bringing a folder back to a snapshot: first a plan (what would be written and removed, from the
// current state snapshotted the same way), then its application, touching only what differs.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Entry, ShadowRepo } from './shadowRepo';

export interface RestorePlan {
  /** The snapshot of the folder as it is now (a way back). */
  current: string;
  write: Entry[];
  remove: string[];
}

export async function planRestore(repo: ShadowRepo, target: string, currentFiles: readonly string[]): Promise<RestorePlan> {
  const now = await repo.snapshot(currentFiles, 'before restore');
  const have = new Map((await repo.entries(now.commit)).map((e) => [e.path, e]));
  const want = await repo.entries(target);
  const wanted = new Set(want.map((e) => e.path));
  return {
    current: now.commit,
    write: want.filter((e) => { const h = have.get(e.path); return !h || h.oid !== e.oid || h.mode !== e.mode; }),
    remove: [...have.keys()].filter((p) => !wanted.has(p)).sort(),
  };
}

/** Applies a plan. Each file is replaced by a rename, so none is ever left half written. */
export async function applyRestore(repo: ShadowRepo, plan: Pick<RestorePlan, 'write' | 'remove'>): Promise<void> {
  for (const rel of plan.remove) {
    fs.rmSync(path.join(repo.folder, rel), { force: true });
  }
  for (const e of plan.write) {
    const abs = path.join(repo.folder, e.path);
    const data = await repo.blob(e.oid);
    // A folder may stand where the file was (or the other way round): make room.
    const st = fs.lstatSync(abs, { throwIfNoEntry: false });
    if (st?.isDirectory()) fs.rmSync(abs, { recursive: true, force: true });
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.torbit-restore-${process.pid}.tmp`);
    fs.rmSync(tmp, { force: true });
    if (e.mode === '120000') fs.symlinkSync(data.toString(), tmp);
    else fs.writeFileSync(tmp, data, { mode: e.mode === '100755' ? 0o755 : 0o644 });
    if (e.mode !== '120000') fs.chmodSync(tmp, e.mode === '100755' ? 0o755 : 0o644);
    fs.renameSync(tmp, abs);
  }
}
