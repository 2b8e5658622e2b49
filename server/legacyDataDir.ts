// Older Torbit kept a workspace's data in <workspace>/.torbit-data. That folder is moved, once, to
// the new default location, but only in a workspace the person trusts: a cloned repository can
// ship a .torbit-data of its own (a database, a rollback journal), and moving it would adopt it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { LEGACY_DIR_NAME } from './dataDir';
import { DB_FILE } from './store/open';

export type LegacyOutcome =
  | { kind: 'none' }
  | { kind: 'migrated'; from: string; to: string; message: string }
  | { kind: 'ignored'; from: string; message: string };

const isEmptyOrAbsent = (dir: string) => {
  try { return fs.readdirSync(dir).length === 0; } catch { return true; }
};

/** Where the data would come from: a real folder (not a link) holding a Torbit database, or undefined. */
function legacyDir(workspace: string): string | undefined {
  const dir = path.join(workspace, LEGACY_DIR_NAME);
  const st = fs.lstatSync(dir, { throwIfNoEntry: false });
  if (!st?.isDirectory() || !fs.lstatSync(path.join(dir, DB_FILE), { throwIfNoEntry: false })?.isFile()) return undefined;
  return dir;
}

/**
 * Moves `<workspace>/.torbit-data` to `dataDir` when `dataDir` has no data yet and `move` is set
 * (a trusted workspace, in the mode that may write); otherwise says, every time, that it is there and not used.
 */
export function migrateLegacyDataDir(o: { workspace: string; dataDir: string; move: boolean }): LegacyOutcome {
  const from = legacyDir(o.workspace);
  if (!from) return { kind: 'none' };
  const fresh = isEmptyOrAbsent(o.dataDir);
  if (!o.move || !fresh) {
    const why = fresh
      ? 'the workspace is not trusted (a repository can ship such a folder)'
      : `${o.dataDir} holds data already`;
    return {
      kind: 'ignored', from,
      message: `${from} holds data of an older Torbit and is not used: this workspace's data is in ${o.dataDir}. It was not moved there because ${why}. ` +
        `If it is yours, ${fresh ? 'trust the workspace in VS Code, or ' : ''}stop Torbit and move it yourself (mv '${from}' '${o.dataDir}'), or remove it.`,
    };
  }
  fs.mkdirSync(path.dirname(o.dataDir), { recursive: true });
  // Only ever an empty folder (checked above), so the rename can take its place.
  try { fs.rmdirSync(o.dataDir); } catch (err) { if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err; }
  try {
    fs.renameSync(from, o.dataDir);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    // Another file system: copy (links as links, never followed), then remove the original.
    fs.cpSync(from, o.dataDir, { recursive: true, verbatimSymlinks: true, errorOnExist: true, force: false });
    fs.rmSync(from, { recursive: true, force: true });
  }
  return { kind: 'migrated', from, to: o.dataDir, message: `moved this workspace's data from ${from} (where an older Torbit kept it) to ${o.dataDir}, once` };
}
