// Keeps the data directory out of the user's git status through .git/info/exclude: local to
// this clone, so Torbit never edits a tracked .gitignore on the user's behalf.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import { git } from './git';

export type ExcludeResult =
  | { kind: 'added'; pattern: string; file: string }
  | { kind: 'present'; pattern: string; file: string }
  | { kind: 'skipped'; reason: string };

export async function excludeFromGit(workspace: string, dataDir: string): Promise<ExcludeResult> {
  let top: string;
  let excludeFile: string;
  try {
    top = await git(workspace, ['rev-parse', '--show-toplevel']);
    excludeFile = path.resolve(workspace, await git(workspace, ['rev-parse', '--git-path', 'info/exclude']));
  } catch {
    return { kind: 'skipped', reason: 'the workspace is not a git repository' };
  }
  const rel = path.relative(await fs.realpath(top), await realpathOrSelf(dataDir));
  if (rel === '' || rel.startsWith('..') || path.isAbsolute(rel)) {
    return { kind: 'skipped', reason: 'the data directory is outside the repository' };
  }
  const pattern = `/${rel.split(path.sep).join('/')}/`;
  const existing = await fs.readFile(excludeFile, 'utf8').catch(() => '');
  const lines = existing.split(/\r?\n/).map((l) => l.trim());
  if (lines.includes(pattern) || lines.includes(pattern.slice(0, -1))) return { kind: 'present', pattern, file: excludeFile };
  await fs.mkdir(path.dirname(excludeFile), { recursive: true });
  const sep = existing === '' || existing.endsWith('\n') ? '' : '\n';
  await fs.appendFile(excludeFile, `${sep}# Torbit's local data (added by Torbit)\n${pattern}\n`);
  return { kind: 'added', pattern, file: excludeFile };
}

async function realpathOrSelf(p: string): Promise<string> {
  return fs.realpath(p).catch(() => path.resolve(p));
}
