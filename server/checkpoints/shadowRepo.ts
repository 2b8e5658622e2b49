// A workspace folder's files as git objects in a bare "shadow" repository in Torbit's data
// directory, written with git plumbing only (hash-object, update-index --index-info, write-tree,
// commit-tree, update-ref) and a private index. The user's own repository is never touched: no
// command runs with its git dir, index or config. Nested repositories are plain folders here
// (their files are stored as files, never as gitlinks). A stat cache makes a snapshot hash only
// the files that changed since the last one.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';

export type Mode = '100644' | '100755' | '120000';

export interface Entry {
  path: string;
  mode: Mode;
  oid: string;
}

/** What a stat cache remembers of a file: enough to know it did not change. */
const CacheEntry = z.tuple([z.number(), z.number(), z.number(), z.enum(['100644', '100755', '120000']), z.string().regex(/^[0-9a-f]{40,64}$/)]);
const Cache = z.object({ savedAt: z.number(), files: z.record(z.string(), CacheEntry) });
type Cache = z.infer<typeof Cache>;
/**
 * A file changed within this long before the cache was saved may change again in the same
 * timestamp tick without its stat showing it ("racily clean", as git calls it): hash it again.
 */
const RACY_MS = 2000;

export class ShadowRepo {
  private constructor(readonly gitDir: string, readonly folder: string) {}

  /** The shadow repository of `folder` under `root` (created on first use). */
  static async open(root: string, folder: string): Promise<ShadowRepo> {
    const key = createHash('sha256').update(path.resolve(folder)).digest('hex').slice(0, 16);
    const gitDir = path.join(root, `${key}.git`);
    const repo = new ShadowRepo(gitDir, path.resolve(folder));
    if (!fs.existsSync(path.join(gitDir, 'HEAD'))) {
      fs.mkdirSync(gitDir, { recursive: true });
      await repo.git(['init', '--quiet', '--bare', gitDir]);
      // Objects are Torbit's to keep: no automatic gc while a checkpoint may still point at them.
      await repo.git(['config', 'gc.auto', '0']);
      await repo.git(['config', 'core.autocrlf', 'false']);
      fs.writeFileSync(path.join(gitDir, 'torbit-folder'), `${repo.folder}\n`);
    }
    return repo;
  }

  /** Runs git on the shadow repository only; the environment pins every path git could wander to. */
  private git(args: string[], input?: string | Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: this.gitDir,
        env: {
          PATH: process.env.PATH ?? '', HOME: this.gitDir, GIT_DIR: this.gitDir, GIT_INDEX_FILE: path.join(this.gitDir, 'torbit.index'),
          GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0',
          GIT_AUTHOR_NAME: 'Torbit', GIT_AUTHOR_EMAIL: 'checkpoints@torbit.invalid', GIT_COMMITTER_NAME: 'Torbit', GIT_COMMITTER_EMAIL: 'checkpoints@torbit.invalid',
        },
        stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'],
        windowsHide: true,
      });
      const out: Buffer[] = [];
      // A git that fails early closes its stdin: the failure is its exit code, not EPIPE.
      child.stdin?.on('error', () => undefined);
      let err = '';
      child.stdout!.on('data', (d: Buffer) => out.push(d));
      child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
      child.once('error', reject);
      child.once('close', (code) => (code === 0 ? resolve(Buffer.concat(out)) : reject(new Error(`git ${args[0]}: ${err.trim() || `exit ${code}`}`))));
      child.stdin?.end(input);
    });
  }

  private get cacheFile(): string {
    return path.join(this.gitDir, 'torbit-stat-cache.json');
  }

  private readCache(): Cache {
    try {
      const parsed = Cache.safeParse(JSON.parse(fs.readFileSync(this.cacheFile, 'utf8')));
      return parsed.success ? parsed.data : { savedAt: 0, files: {} };
    } catch {
      return { savedAt: 0, files: {} };
    }
  }

  /**
   * Stores `files` (folder-relative POSIX paths) as a commit and returns it. Files whose stat
   * matches the cache are not read again.
   */
  async snapshot(files: readonly string[], message: string, parent?: string): Promise<{ commit: string; tree: string; hashed: number }> {
    const cache = this.readCache();
    const savedAt = Date.now();
    const next: Cache['files'] = {};
    const entries: Entry[] = [];
    const toHash: { rel: string; mode: Mode; st: fs.Stats }[] = [];
    const links: { rel: string; target: string; st: fs.Stats }[] = [];
    for (const rel of files) {
      const abs = path.join(this.folder, rel);
      const st = fs.lstatSync(abs, { throwIfNoEntry: false });
      if (!st || !(st.isFile() || st.isSymbolicLink())) continue;
      const mode: Mode = st.isSymbolicLink() ? '120000' : st.mode & 0o111 ? '100755' : '100644';
      const c = cache.files[rel];
      if (c && c[0] < cache.savedAt - RACY_MS && c[0] === st.mtimeMs && c[1] === st.size && c[2] === st.ino && c[3] === mode) {
        entries.push({ path: rel, mode, oid: c[4] });
        next[rel] = c;
      } else if (mode === '120000') {
        links.push({ rel, target: fs.readlinkSync(abs), st });
      } else {
        toHash.push({ rel, mode, st });
      }
    }
    if (toHash.length) {
      const oids = (await this.git(['hash-object', '-w', '--no-filters', '--stdin-paths'], toHash.map((f) => path.join(this.folder, f.rel)).join('\n') + '\n'))
        .toString().trim().split('\n');
      toHash.forEach((f, i) => {
        entries.push({ path: f.rel, mode: f.mode, oid: oids[i]! });
        next[f.rel] = [f.st.mtimeMs, f.st.size, f.st.ino, f.mode, oids[i]!];
      });
    }
    for (const l of links) {
      const oid = (await this.git(['hash-object', '-w', '--stdin'], l.target)).toString().trim();
      entries.push({ path: l.rel, mode: '120000', oid });
      next[l.rel] = [l.st.mtimeMs, l.st.size, l.st.ino, '120000', oid];
    }
    await this.git(['read-tree', '--empty']);
    if (entries.length) await this.git(['update-index', '-z', '--index-info'], entries.map((e) => `${e.mode} ${e.oid}\t${e.path}\0`).join(''));
    const tree = (await this.git(['write-tree'])).toString().trim();
    const commit = (await this.git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message])).toString().trim();
    fs.writeFileSync(this.cacheFile, JSON.stringify({ savedAt, files: next } satisfies Cache));
    return { commit, tree, hashed: toHash.length + links.length };
  }

  /** Keeps a commit reachable (and so safe from any gc) under refs/torbit/<name>. */
  async keep(name: string, commit: string): Promise<void> {
    await this.git(['update-ref', `refs/torbit/${name}`, commit]);
  }

  async entries(commit: string): Promise<Entry[]> {
    const out = (await this.git(['ls-tree', '-r', '-z', '--full-tree', commit])).toString();
    return out.split('\0').filter(Boolean).map((line) => {
      const [meta, p] = [line.slice(0, line.indexOf('\t')), line.slice(line.indexOf('\t') + 1)];
      const [mode, , oid] = meta.split(' ') as [Mode, string, string];
      return { path: p, mode, oid };
    });
  }

  async blob(oid: string): Promise<Buffer> {
    return this.git(['cat-file', 'blob', oid]);
  }
}

