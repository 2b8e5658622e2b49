// Confinement of paths that come from data read back from disk (journals, manifests, stored
// paths): before Torbit deletes, writes or renames one, it must resolve inside one of the roots it
// was given (the workspace folders, or the data directory), symbolic links included. A file in the
// data directory is no more trustworthy than the repository it may have come from.
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';

/** A path refused because it would reach outside every root it was allowed in. */
export class ConfinementError extends Error {
  override name = 'ConfinementError';
  constructor(readonly path: string, readonly reason: string) {
    super(`refused ${JSON.stringify(path)}: ${reason}`);
  }
}

/** Why `rel` is not a plain relative path inside its folder, or undefined when it is one. */
export function relativePathProblem(rel: string): string | undefined {
  if (rel === '') return 'it is empty';
  if (rel.includes('\0')) return 'it holds a NUL byte';
  if (path.isAbsolute(rel) || path.posix.isAbsolute(rel) || path.win32.isAbsolute(rel)) return 'it is absolute where a relative path was expected';
  if (rel.split(/[/\\]/).some((s) => s === '..')) return 'it climbs out with ..';
  return undefined;
}

/** A relative path inside a folder: not absolute, no `..` segment, no NUL (for schemas of stored data). */
export const RelativePath = z.string().superRefine((rel, ctx) => {
  const problem = relativePathProblem(rel);
  if (problem) ctx.addIssue({ code: 'custom', message: `${JSON.stringify(rel)}: ${problem}` });
});

/** An absolute path without NUL (a folder as stored). */
export const AbsolutePath = z.string().refine((p) => path.isAbsolute(p) && !p.includes('\0'), { message: 'expected an absolute path' });

const within = (root: string, p: string): boolean => {
  const rel = path.relative(root, p);
  return rel === '' || (!path.isAbsolute(rel) && rel !== '..' && !rel.startsWith(`..${path.sep}`));
};

/**
 * The real path of `p` (absolute), which need not exist: the real path of its nearest existing
 * ancestor with the rest appended. A dangling symbolic link on the way is refused, since creating
 * anything under it would land wherever it points.
 */
export function realpathNearest(p: string): string {
  const rest: string[] = [];
  let cur = path.resolve(p);
  for (;;) {
    try {
      return path.join(fs.realpathSync(cur), ...rest.reverse());
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw err;
      if (fs.lstatSync(cur, { throwIfNoEntry: false })?.isSymbolicLink()) throw new ConfinementError(p, `${cur} is a symbolic link that points nowhere`);
    }
    const parent = path.dirname(cur);
    if (parent === cur) return path.join(cur, ...rest.reverse());
    rest.push(path.basename(cur));
    cur = parent;
  }
}

/**
 * `p` (absolute) if the entry it names lies inside one of `roots`, else a ConfinementError. Its
 * parent folder is resolved through symbolic links; the entry itself is not, because deleting,
 * renaming onto or replacing a link acts on the link, never on what it points to.
 */
export function confinedPath(roots: readonly string[], p: string): string {
  if (p.includes('\0')) throw new ConfinementError(p, 'it holds a NUL byte');
  if (!path.isAbsolute(p)) throw new ConfinementError(p, 'it is not an absolute path');
  const abs = path.resolve(p);
  const real = path.join(realpathNearest(path.dirname(abs)), path.basename(abs));
  for (const root of roots) {
    const realRoot = realpathNearest(root);
    if (within(realRoot, real) && real !== realRoot) return abs;
  }
  throw new ConfinementError(p, real === abs
    ? `it is outside ${roots.join(', ') || 'every allowed folder'}`
    : `it resolves to ${real}, outside ${roots.join(', ') || 'every allowed folder'}`);
}

/** `folder`/`rel` for a relative path read from disk, confined to `folder`. */
export function confinedJoin(folder: string, rel: string): string {
  const problem = relativePathProblem(rel);
  if (problem) throw new ConfinementError(rel, problem);
  return confinedPath([folder], path.join(folder, rel));
}

/**
 * The real path of an existing `p` (symbolic links followed, the entry's own included) when it
 * lies inside one of `roots`, else a ConfinementError. For files Torbit reads back as data (an
 * AGENTS.md): a link pointing out of the workspace must not bring in a file from elsewhere.
 */
export function confinedRealPath(roots: readonly string[], p: string, o: { rootItself?: boolean } = {}): string {
  if (p.includes('\0')) throw new ConfinementError(p, 'it holds a NUL byte');
  let real: string;
  try {
    real = fs.realpathSync(p);
  } catch (err) {
    throw new ConfinementError(p, (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'it is a symbolic link that points nowhere' : (err as Error).message);
  }
  for (const root of roots) {
    const realRoot = realpathNearest(root);
    if (within(realRoot, real) && (o.rootItself || real !== realRoot)) return real;
  }
  throw new ConfinementError(p, `it resolves to ${real}, outside ${roots.join(', ') || 'every allowed folder'}`);
}

/** confinedRealPath with one root, which may be `p` itself (a skills folder, a skill's folder). */
export function realInside(root: string, p: string): string {
  return confinedRealPath([root], p, { rootItself: true });
}
