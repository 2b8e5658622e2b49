// Which file the webview's "Open" link may open: a path the webview sends (it renders what the
// model and the backend said, so the path is untrusted) is resolved against the workspace folders
// and opened only when it, and what it resolves to through symlinks, is inside one of them.
// No vscode import: unit-tested on its own.
import * as fs from 'node:fs';
import * as path from 'node:path';

export type WorkspaceFileCheck = { ok: true; path: string } | { ok: false; reason: string };

const inside = (folder: string, p: string) => {
  const rel = path.relative(folder, p);
  return rel === '' || (!rel.startsWith(`..${path.sep}`) && rel !== '..' && !path.isAbsolute(rel));
};

function realOrUndefined(p: string): string | undefined {
  try {
    return fs.realpathSync.native(p);
  } catch {
    return undefined;
  }
}

/**
 * The file to open for `requested` (absolute, or relative to a workspace folder), or why not:
 * `..` segments are refused outright, an absolute path must lie inside a folder, and the real
 * path (symlinks followed) must too, so a link pointing out of the workspace opens nothing.
 */
export function resolveWorkspaceFile(requested: string, folders: readonly string[]): WorkspaceFileCheck {
  const refuse = (why: string): WorkspaceFileCheck => ({ ok: false, reason: `not opening ${JSON.stringify(requested.slice(0, 300))}: ${why}` });
  if (!folders.length) return refuse('no workspace folder is open');
  if (requested.includes('\0')) return refuse('the path holds a NUL byte');
  if (requested.split(/[\\/]/).includes('..')) return refuse('the path climbs out with ..');
  const candidates = path.isAbsolute(requested)
    ? [path.normalize(requested)].filter((p) => folders.some((f) => inside(path.resolve(f), p)))
    : folders.map((f) => path.resolve(f, requested));
  if (!candidates.length) return refuse('it is outside the workspace folders');
  const realFolders = folders.map(realOrUndefined).filter((f): f is string => f !== undefined);
  for (const p of candidates) {
    const real = realOrUndefined(p);
    if (real === undefined) continue;
    if (!realFolders.some((f) => inside(f, real))) return refuse(`it leads (through a symlink) to ${real}, outside the workspace folders`);
    if (!fs.statSync(real).isFile()) return refuse('it is not a file');
    return { ok: true, path: p };
  }
  return refuse('no such file in the workspace');
}

/**
 * As resolveWorkspaceFile, and also the person's own AGENTS.md (the instructions line links it):
 * exactly one of the paths in `personal`, which the extension computes itself (never the webview).
 */
export function resolveOpenableFile(requested: string, folders: readonly string[], personal: readonly string[]): WorkspaceFileCheck {
  if (path.isAbsolute(requested) && !requested.includes('\0') && personal.some((p) => path.normalize(p) === path.normalize(requested))) {
    const real = realOrUndefined(requested);
    if (real !== undefined && fs.statSync(real).isFile()) return { ok: true, path: path.normalize(requested) };
  }
  return resolveWorkspaceFile(requested, folders);
}
