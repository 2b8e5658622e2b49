// Which files a folder has, the way git sees them: .gitignore respected, Torbit's data excluded.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs/promises';
import * as path from 'node:path';
import ignore from 'ignore';
import { readOnlyGit } from '../../git';
import type { Root, Workspace } from '../workspace';

const ALWAYS_SKIPPED = new Set(['.git', 'node_modules']);

/** Read-only git (server/git.ts): listing runs nothing the repository's config names. */
async function gitFiles(cwd: string): Promise<string[] | undefined> {
  const inv = await readOnlyGit(cwd, ['ls-files', '--cached', '--others', '--exclude-standard', '-z']);
  return new Promise((resolve) => {
    execFile('git', inv.args, { cwd, env: inv.env, maxBuffer: 256 * 1024 * 1024 }, (err, out) => {
      resolve(err ? undefined : out.split('\0').filter(Boolean));
    });
  });
}

async function walk(root: string): Promise<string[]> {
  const out: string[] = [];
  const ig = ignore();
  const gi = await fs.readFile(path.join(root, '.gitignore'), 'utf8').catch(() => '');
  ig.add(gi);
  async function visit(dir: string): Promise<void> {
    for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
      if (ALWAYS_SKIPPED.has(e.name)) continue;
      const abs = path.join(dir, e.name);
      const rel = path.relative(root, abs).split(path.sep).join('/');
      if (ig.ignores(e.isDirectory() ? `${rel}/` : rel)) continue;
      if (e.isDirectory()) await visit(abs);
      else if (e.isFile() || e.isSymbolicLink()) out.push(rel);
    }
  }
  await visit(root);
  return out;
}

/** Files of one root, relative POSIX paths, sorted; files that no longer exist are left out. */
export async function listRoot(ws: Workspace, root: Root): Promise<string[]> {
  const fromGit = await gitFiles(root.path);
  let files = fromGit ?? (await walk(root.path));
  if (fromGit) {
    const exists = await Promise.all(files.map((f) => fs.lstat(path.join(root.path, f)).then(() => true, () => false)));
    files = files.filter((_, i) => exists[i]);
  }
  return files.filter((f) => !ws.isExcluded(path.join(root.path, f))).sort();
}

/** Every file of the workspace as the model names it. */
export async function listWorkspace(ws: Workspace): Promise<{ display: string; abs: string }[]> {
  const out: { display: string; abs: string }[] = [];
  for (const root of ws.roots) {
    for (const rel of await listRoot(ws, root)) out.push({ display: ws.display(root, rel), abs: path.join(root.path, rel) });
  }
  return out;
}
