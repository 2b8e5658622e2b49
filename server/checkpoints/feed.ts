// Which paths changed since each folder's last snapshot, as a file watcher (the extension's, over
// workspace/didChangeWatchedFiles) and Torbit's own writes report them. A snapshot may trust the
// list only while a watcher has been reporting the whole time; otherwise it scans the folder.
import * as path from 'node:path';

export class ChangeFeed {
  private readonly dirty = new Map<string, Set<string>>();
  /** Folders whose list is complete since their last snapshot. */
  private readonly complete = new Set<string>();
  private watching = false;

  constructor(private readonly folders: readonly string[]) {}

  /** A watcher starts (or stops) reporting changes. Stopping makes every list incomplete. */
  setWatching(on: boolean): void {
    this.watching = on;
    if (!on) this.complete.clear();
  }

  get isWatching(): boolean {
    return this.watching;
  }

  /** Absolute paths that changed (created, modified or deleted). */
  touched(absPaths: Iterable<string>): void {
    for (const abs of absPaths) {
      const folder = this.folderOf(abs);
      if (!folder) continue;
      const rel = path.relative(folder, abs).split(path.sep).join('/');
      if (!rel || rel.split('/').includes('.git')) continue;
      let set = this.dirty.get(folder);
      if (!set) this.dirty.set(folder, (set = new Set()));
      set.add(rel);
    }
  }

  /**
   * Takes the paths changed since the folder's last snapshot (what changes from now on is kept for
   * the next one). Undefined when the list may be missing some: scan the folder instead.
   */
  take(folder: string): string[] | undefined {
    const set = this.dirty.get(folder);
    this.dirty.delete(folder);
    return this.complete.has(folder) ? [...(set ?? [])] : undefined;
  }

  /** A snapshot of the folder succeeded (complete from now on, while watching) or failed (scan next time). */
  settled(folder: string, ok: boolean): void {
    if (ok && this.watching) this.complete.add(folder);
    else this.complete.delete(folder);
  }

  private folderOf(abs: string): string | undefined {
    let best: string | undefined;
    for (const f of this.folders) {
      if ((abs === f || abs.startsWith(f + path.sep)) && (!best || f.length > best.length)) best = f;
    }
    return best;
  }
}
