// The user's HEAD, read from the files git keeps it in (a checkpoint records it, and a restore
// refuses when it moved): no process to start on the checkpoint's fast path.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { FolderState } from './manifest';

const OBJECT_ID = /^[0-9a-f]{40}(?:[0-9a-f]{24})?$/;

/** A file's text; '' when there is no such file, undefined when it cannot be read. */
function readIfThere(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? '' : undefined;
  }
}

/**
 * The user's HEAD read from the files git keeps it in, with no process to start: `.git` a folder,
 * the branch a loose or a packed ref (or neither: an unborn branch, where `rev-parse HEAD` fails).
 * Undefined for anything else (a worktree's or a submodule's `.git` file, reftable, GIT_DIR set,
 * a folder inside a repository): git answers then.
 */
export function readHead(folder: string): FolderState['head'] | undefined {
  if (process.env.GIT_DIR || process.env.GIT_WORK_TREE) return undefined;
  const gitDir = path.join(folder, '.git');
  try {
    if (!fs.statSync(gitDir).isDirectory() || fs.existsSync(path.join(gitDir, 'reftable'))) return undefined;
    let value = fs.readFileSync(path.join(gitDir, 'HEAD'), 'utf8').trim();
    let ref: string | null = null;
    for (let hops = 0; hops < 5; hops++) {
      if (OBJECT_ID.test(value)) return { sha: value, ref };
      const next = /^ref: (refs\/\S+)$/.exec(value)?.[1];
      if (!next || next.split('/').some((p) => p === '' || p === '.' || p === '..')) return undefined;
      ref = next;
      const loose = readIfThere(path.join(gitDir, next));
      if (loose === undefined) return undefined;
      if (loose) {
        value = loose.trim();
        continue;
      }
      const packed = readIfThere(path.join(gitDir, 'packed-refs'));
      if (packed === undefined) return undefined;
      const line = packed.split('\n').find((l) => !l.startsWith('#') && l.slice(l.indexOf(' ') + 1) === next);
      if (!line) return null;
      const sha = line.slice(0, line.indexOf(' '));
      return OBJECT_ID.test(sha) ? { sha, ref } : undefined;
    }
    return undefined;
  } catch {
    return undefined;
  }
}
