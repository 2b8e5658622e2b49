// What a checkpoint of a folder holds: the files git would see (.gitignore respected, nested
// repositories included under their own rules), the empty folders git cannot store, and the
// deployment configuration, kept even when it is ignored. Paths are folder-relative POSIX.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { readOnlyGit } from '../git';

/** Deployment configuration: always in a checkpoint, ignored or not. */
export const CONFIG_FILES = [
  'app.json', 'app.config.js', 'app.config.ts', 'app.config.mjs', 'app.config.cjs', 'app.config.json',
  'eas.json', '.torbit/policy.json', '.vscode/settings.json',
] as const;

export interface FolderScan {
  files: string[];
  emptyDirs: string[];
  /** Nested repositories (folder-relative), whose own ignore rules were applied. */
  nestedRepos: string[];
  /** Whether the folder itself is in a git work tree (ignore checks can then ask git). */
  git: boolean;
}

const toPosix = (p: string) => p.split(path.sep).join('/');

// Read-only git (server/git.ts): a snapshot runs nothing the repository's config names, and
// (GIT_OPTIONAL_LOCKS=0) never rewrites the user's index.
async function gitLines(cwd: string, args: string[]): Promise<string[] | undefined> {
  const inv = await readOnlyGit(cwd, args);
  return new Promise((resolve) => {
    execFile('git', inv.args, { cwd, maxBuffer: 512 * 1024 * 1024, windowsHide: true, env: inv.env }, (err, out) => {
      resolve(err ? undefined : out.split('\0').filter(Boolean));
    });
  });
}

/** `skip(rel)` says which paths are never Torbit's to snapshot (the data directory). */
export async function scanFolder(folder: string, skip: (rel: string) => boolean = () => false): Promise<FolderScan> {
  const out: FolderScan = { files: [], emptyDirs: [], nestedRepos: [], git: false };
  await scanInto(folder, '', out, skip);
  for (const c of CONFIG_FILES) {
    if (!out.files.includes(c) && fs.lstatSync(path.join(folder, c), { throwIfNoEntry: false })?.isFile()) out.files.push(c);
  }
  out.files = [...new Set(out.files)].filter((f) => !skip(f)).sort();
  out.emptyDirs = [...new Set(out.emptyDirs)].filter((d) => !skip(d)).sort();
  return out;
}

async function scanInto(root: string, prefix: string, out: FolderScan, skip: (rel: string) => boolean): Promise<void> {
  const dir = path.join(root, prefix);
  const isTop = prefix === '';
  // GIT_OPTIONAL_LOCKS=0: reading never refreshes (rewrites) the user's index.
  const listed = fs.existsSync(path.join(dir, '.git')) || isTop ? await gitLines(dir, ['ls-files', '--cached', '--others', '--exclude-standard', '-z']) : undefined;
  if (!listed) {
    walk(dir, prefix, out, skip);
    return;
  }
  if (isTop) out.git = true;
  for (const rel of listed) {
    const full = prefix + rel.replace(/\/$/, '');
    if (skip(full)) continue;
    const st = fs.lstatSync(path.join(root, full), { throwIfNoEntry: false });
    if (!st) continue; // deleted but still in the user's index
    if (st.isDirectory()) {
      // A gitlink (submodule) or an untracked nested repository: its files, by its own rules.
      if (fs.existsSync(path.join(root, full, '.git'))) {
        out.nestedRepos.push(full);
        await scanInto(root, `${full}/`, out, skip);
      }
      continue;
    }
    if (st.isFile() || st.isSymbolicLink()) out.files.push(full);
  }
  // Empty folders: git lists untracked directories (collapsed) with --directory.
  for (const d of (await gitLines(dir, ['ls-files', '--others', '--directory', '--exclude-standard', '-z'])) ?? []) {
    if (!d.endsWith('/')) continue;
    const rel = prefix + d.slice(0, -1);
    if (skip(rel) || fs.existsSync(path.join(root, rel, '.git'))) continue;
    collectEmpty(root, rel, out, skip);
  }
}

function collectEmpty(root: string, rel: string, out: FolderScan, skip: (rel: string) => boolean): void {
  const entries = fs.readdirSync(path.join(root, rel), { withFileTypes: true });
  if (entries.length === 0) { out.emptyDirs.push(rel); return; }
  for (const e of entries) {
    if (e.isDirectory() && !skip(`${rel}/${e.name}`)) collectEmpty(root, `${rel}/${e.name}`, out, skip);
  }
}

/** A folder outside git: its .gitignore files (at every level) still say what to leave out. */
function walk(dir: string, prefix: string, out: FolderScan, skip: (rel: string) => boolean): void {
  const rules: { base: string; ig: Ignore }[] = [];
  const ignored = (rel: string, isDir: boolean) => rules.some((r) => {
    if (r.base && !rel.startsWith(`${r.base}/`)) return false;
    const sub = r.base ? rel.slice(r.base.length + 1) : rel;
    return r.ig.ignores(isDir ? `${sub}/` : sub);
  });
  const visit = (rel: string) => {
    const abs = path.join(dir, rel);
    const entries = fs.readdirSync(abs, { withFileTypes: true });
    const gi = entries.some((e) => e.name === '.gitignore' && e.isFile()) ? fs.readFileSync(path.join(abs, '.gitignore'), 'utf8') : undefined;
    if (gi !== undefined) rules.push({ base: rel, ig: ignore().add(gi) });
    if (entries.length === 0 && rel) out.emptyDirs.push(prefix + rel);
    for (const e of entries) {
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.name === '.git' || skip(prefix + child) || ignored(child, e.isDirectory())) continue;
      if (e.isDirectory()) visit(child);
      else if (e.isFile() || e.isSymbolicLink()) out.files.push(toPosix(prefix + child));
    }
    if (gi !== undefined) rules.pop();
  };
  visit('');
}

/**
 * Which of `rels` (new paths a watcher reported) git ignores in `folder`. Paths git tracks are
 * never ignored, as in a full scan. Undefined when git cannot answer (not a repository).
 */
export async function ignoredByGit(folder: string, rels: readonly string[]): Promise<Set<string> | undefined> {
  if (rels.length === 0) return new Set();
  const inv = await readOnlyGit(folder, ['check-ignore', '-z', '--stdin']);
  return new Promise((resolve) => {
    const child = execFile('git', inv.args, { cwd: folder, windowsHide: true, env: inv.env }, (err, stdout) => {
      // Exit 1 means "none of them is ignored".
      const code = (err as { code?: number } | null)?.code;
      if (err && code !== 1) resolve(undefined);
      else resolve(new Set(stdout.split('\0').filter(Boolean)));
    });
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(rels.join('\0') + '\0');
  });
}
