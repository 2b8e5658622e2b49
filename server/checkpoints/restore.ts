// Bringing a folder back to a checkpoint: first a plan (from what differs between the snapshot of
// now and the target, so only changed files are touched), then its application. Every step of an
// application can run again with the same result, which is what lets an interrupted rollback be
// completed from its journal.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import type { FileAction } from '../protocol';
import type { FolderState } from './manifest';
import type { ShadowRepo } from './shadowRepo';
import { AbsolutePath, confinedJoin, ConfinementError, RelativePath } from '../confine';

const EntrySchema = z.object({ path: RelativePath, mode: z.enum(['100644', '100755', '120000']), oid: z.string().regex(/^[0-9a-f]{40,64}$/) }).strict();

export const FolderPlan = z.object({
  folder: AbsolutePath,
  write: z.array(EntrySchema),
  remove: z.array(RelativePath),
  /** Empty folders to create and to remove. */
  mkdirs: z.array(RelativePath),
  rmdirs: z.array(RelativePath),
  /** Folders that removals may leave empty and that the checkpoint did not have: removed if empty. */
  prune: z.array(RelativePath),
}).strict();
export type FolderPlan = z.infer<typeof FolderPlan>;

/**
 * Refuses (ConfinementError) a plan that would touch anything outside its folder, or whose folder
 * is not one of the workspace's: a plan can come from a journal on disk, which anyone could write.
 */
export function checkPlan(plan: FolderPlan, folders: readonly string[]): void {
  if (!folders.includes(plan.folder)) throw new ConfinementError(plan.folder, `it is not a workspace folder (${folders.join(', ') || 'none open'})`);
  for (const rel of [...plan.remove, ...plan.write.map((w) => w.path), ...plan.mkdirs, ...plan.rmdirs, ...plan.prune]) confinedJoin(plan.folder, rel);
}

export interface FolderPreview {
  plan: FolderPlan;
  actions: FileAction[];
  unrestorable: { folder: string; path: string; reason: string }[];
}

const parents = (rel: string): string[] => {
  const out: string[] = [];
  for (let d = path.posix.dirname(rel); d !== '.' && d !== ''; d = path.posix.dirname(d)) out.push(d);
  return out;
};

export async function planFolder(repo: ShadowRepo, current: FolderState, target: FolderState): Promise<FolderPreview> {
  const folder = current.folder;
  const unrestorable: FolderPreview['unrestorable'] = [];
  const actions: FileAction[] = [];
  const plan: FolderPlan = { folder, write: [], remove: [], mkdirs: [], rmdirs: [], prune: [] };
  const targetLarge = new Map(target.large.map((l) => [l.path, l]));
  const currentLarge = new Map(current.large.map((l) => [l.path, l]));
  for (const l of target.large) {
    const now = currentLarge.get(l.path);
    if (!now || now.sha256 !== l.sha256 || now.mode !== l.mode) {
      unrestorable.push({ folder, path: l.path, reason: `it was ${l.size} bytes, over the checkpoint size limit, so only its hash was recorded` });
    }
  }
  const changes = current.tree === target.tree ? [] : await repo.diff(current.commit, target.commit);
  for (const c of changes) {
    if (c.to) {
      plan.write.push(c.to);
      actions.push({ folder, path: c.path, action: c.from ? 'modify' : currentLarge.has(c.path) ? 'modify' : 'create' });
    } else if (!targetLarge.has(c.path)) {
      plan.remove.push(c.path);
      actions.push({ folder, path: c.path, action: 'delete' });
    }
  }
  // A folder may stand where the checkpoint had a file: fine if the restore empties it, but not
  // when it holds files Torbit does not track (ignored ones): those are never deleted.
  const removing = new Set(plan.remove);
  plan.write = plan.write.filter((w) => {
    const abs = path.join(folder, w.path);
    if (!fs.lstatSync(abs, { throwIfNoEntry: false })?.isDirectory()) return true;
    const inside = fs.readdirSync(abs, { recursive: true, withFileTypes: true })
      .filter((d) => !d.isDirectory()).map((d) => path.relative(folder, path.join(d.parentPath, d.name)).split(path.sep).join('/'));
    if (inside.every((f) => removing.has(f))) return true;
    unrestorable.push({ folder, path: w.path, reason: 'a folder with files Torbit does not track (ignored ones) stands where the file was' });
    const i = actions.findIndex((a) => a.path === w.path);
    if (i >= 0) actions.splice(i, 1);
    return false;
  });
  // Large files made after the checkpoint are kept: there is no copy to bring them back with.
  for (const l of current.large) {
    if (!targetLarge.has(l.path) && !plan.write.some((w) => w.path === l.path)) {
      unrestorable.push({ folder, path: l.path, reason: `it is ${l.size} bytes, over the checkpoint size limit: kept as it is, since no copy of it exists to undo its removal` });
    }
  }
  const targetEmpty = new Set(target.emptyDirs);
  const currentEmpty = new Set(current.emptyDirs);
  plan.mkdirs = target.emptyDirs.filter((d) => !currentEmpty.has(d));
  if (plan.remove.length || current.emptyDirs.length) {
    const targetDirs = new Set((await repo.git(['ls-tree', '-r', '-d', '-z', '--name-only', target.tree])).toString().split('\0').filter(Boolean));
    for (const d of target.emptyDirs) { targetDirs.add(d); for (const p of parents(d)) targetDirs.add(p); }
    for (const l of target.large) for (const p of parents(l.path)) targetDirs.add(p);
    plan.rmdirs = current.emptyDirs.filter((d) => !targetEmpty.has(d) && !targetDirs.has(d));
    const prune = new Set<string>();
    for (const r of plan.remove) for (const p of parents(r)) if (!targetDirs.has(p)) prune.add(p);
    for (const d of plan.rmdirs) for (const p of parents(d)) if (!targetDirs.has(p)) prune.add(p);
    // Deepest first, so a folder is empty by the time its parent is tried.
    plan.prune = [...prune].sort((a, b) => b.split('/').length - a.split('/').length || (a < b ? -1 : 1));
  }
  return { plan, actions, unrestorable };
}

const tmpOf = (abs: string) => path.join(path.dirname(abs), `.${path.basename(abs)}.torbit-restore.tmp`);

function rmdirIfEmpty(abs: string): void {
  try {
    fs.rmdirSync(abs);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw err;
  }
}

/**
 * Applies a plan. Each file is replaced by a rename, so none is ever left half written; running
 * it again (after a crash) finishes the job. `onTouched` hears of every path it changes. The whole
 * plan is checked against `folders` first, and each path again just before it is acted on (an
 * earlier step of the same plan could have put a symbolic link in its way).
 */
export async function applyFolderPlan(repo: ShadowRepo, plan: FolderPlan, folders: readonly string[], onTouched: (abs: string) => void = () => undefined): Promise<void> {
  checkPlan(plan, folders);
  const root = plan.folder;
  const at = (rel: string) => confinedJoin(root, rel);
  for (const rel of plan.remove) {
    const abs = at(rel);
    fs.rmSync(abs, { force: true });
    onTouched(abs);
  }
  for (const rel of [...plan.rmdirs, ...plan.prune]) rmdirIfEmpty(at(rel));
  const blobs = await repo.blobs(plan.write.map((e) => e.oid));
  for (const e of plan.write) {
    const abs = at(e.path);
    const data = blobs.get(e.oid)!;
    fs.mkdirSync(path.dirname(abs), { recursive: true });
    const tmp = tmpOf(abs);
    fs.rmSync(tmp, { force: true });
    if (e.mode === '120000') {
      fs.symlinkSync(data.toString(), tmp);
    } else {
      fs.writeFileSync(tmp, data, { mode: e.mode === '100755' ? 0o755 : 0o644 });
      fs.chmodSync(tmp, e.mode === '100755' ? 0o755 : 0o644);
    }
    fs.renameSync(tmp, abs);
    onTouched(abs);
  }
  for (const rel of plan.mkdirs) {
    const abs = at(rel);
    fs.mkdirSync(abs, { recursive: true });
    onTouched(abs);
  }
}
