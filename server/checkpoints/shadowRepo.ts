// A workspace folder's files as git objects in a bare "shadow" repository in Torbit's data
// directory, written with git plumbing only (hash-object, update-index --index-info, write-tree,
// commit-tree, update-ref) and a private index. The user's own repository is never touched: no
// command runs with its git dir, index or config. Nested repositories are plain folders here
// (their files are stored as files, never as gitlinks). Files above a size limit are recorded by
// hash and size only. A stat cache makes a full snapshot hash only the files that changed; a
// list of changed paths (from a watcher) makes an incremental one touch nothing else.
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

/** A file too big to store: what it was, so a restore can tell whether it is still the same. */
export const LargeFile = z.object({ path: z.string(), mode: z.enum(['100644', '100755']), size: z.number().int(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
export type LargeFile = z.infer<typeof LargeFile>;

export interface Snapshot {
  commit: string;
  tree: string;
  large: LargeFile[];
  /** Files read and hashed for this snapshot (the rest came from the cache or were unchanged). */
  hashed: number;
}

export interface TreeChange {
  path: string;
  /** 'A' only in `to`, 'D' only in `from`, 'M' content or mode differs. */
  status: 'A' | 'D' | 'M';
  from?: Entry;
  to?: Entry;
}

const ModeSchema = z.enum(['100644', '100755', '120000']);
/** What a stat cache remembers of a file: enough to know it did not change ('L': a large file, oid = sha256). */
const CacheEntry = z.union([
  z.tuple([z.number(), z.number(), z.number(), ModeSchema, z.string().regex(/^[0-9a-f]{40,64}$/)]),
  z.tuple([z.number(), z.number(), z.number(), ModeSchema, z.string().regex(/^[0-9a-f]{64}$/), z.literal('L')]),
]);
const Cache = z.object({ savedAt: z.number(), files: z.record(z.string(), CacheEntry) });
type Cache = z.infer<typeof Cache>;
/**
 * A file changed within this long before the cache was saved may change again in the same
 * timestamp tick without its stat showing it ("racily clean", as git calls it): hash it again.
 */
const RACY_MS = 2000;
const ZERO = '0'.repeat(40);

type Known = { kind: 'blob'; entry: Entry } | { kind: 'large'; file: LargeFile };

function sha256File(abs: string): string {
  const h = createHash('sha256');
  const fd = fs.openSync(abs, 'r');
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    for (let n; (n = fs.readSync(fd, buf, 0, buf.length, null)) > 0;) h.update(buf.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  return h.digest('hex');
}

export class ShadowRepo {
  /** What the private index holds now (set by every snapshot this process took). */
  private state: { tree: string; known: Map<string, Known> } | undefined;

  private constructor(readonly gitDir: string, readonly folder: string) {}

  /** The shadow repository of `folder` under `root` (created on first use). */
  static async open(root: string, folder: string): Promise<ShadowRepo> {
    const gitDir = path.join(root, `${ShadowRepo.key(folder)}.git`);
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

  /** The shadow repository's name for a folder: stable, and independent of the folder's name. */
  static key(folder: string): string {
    return createHash('sha256').update(path.resolve(folder)).digest('hex').slice(0, 16);
  }

  /** Whether an incremental snapshot can build on what this process last wrote. */
  get warm(): boolean {
    return this.state !== undefined;
  }

  /** Files in the last snapshot this process took (stored and large). */
  get count(): number {
    return this.state?.known.size ?? 0;
  }

  /** A file's id in the last snapshot this process took: its blob oid, or sha256 for a large file. */
  lookup(rel: string): string | undefined {
    const k = this.state?.known.get(rel);
    return k ? (k.kind === 'blob' ? k.entry.oid : k.file.sha256) : undefined;
  }

  /** Runs git on the shadow repository only; the environment pins every path git could wander to. */
  git(args: string[], input?: string | Buffer): Promise<Buffer> {
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
   * Reads the files in `rels` (folder-relative POSIX paths) as they are now: blobs are written to
   * the object store, large files only hashed. Files that are gone are left out.
   */
  private async capture(rels: readonly string[], maxFileBytes: number, cache: Cache | undefined): Promise<{ found: Map<string, Known>; stats: Map<string, fs.Stats>; hashed: number }> {
    const found = new Map<string, Known>();
    const stats = new Map<string, fs.Stats>();
    const toHash: { rel: string; mode: Mode }[] = [];
    let hashed = 0;
    for (const rel of rels) {
      const abs = path.join(this.folder, rel);
      const st = fs.lstatSync(abs, { throwIfNoEntry: false });
      if (!st || !(st.isFile() || st.isSymbolicLink())) continue;
      stats.set(rel, st);
      const mode: Mode = st.isSymbolicLink() ? '120000' : st.mode & 0o111 ? '100755' : '100644';
      const c = cache?.files[rel];
      if (c && c[0] < cache!.savedAt - RACY_MS && c[0] === st.mtimeMs && c[1] === st.size && c[2] === st.ino && c[3] === mode) {
        found.set(rel, c[5] === 'L'
          ? { kind: 'large', file: { path: rel, mode: mode as LargeFile['mode'], size: c[1], sha256: c[4] } }
          : { kind: 'blob', entry: { path: rel, mode, oid: c[4] } });
      } else if (mode === '120000') {
        const oid = (await this.git(['hash-object', '-w', '--stdin'], fs.readlinkSync(abs))).toString().trim();
        found.set(rel, { kind: 'blob', entry: { path: rel, mode, oid } });
        hashed++;
      } else if (st.size > maxFileBytes) {
        found.set(rel, { kind: 'large', file: { path: rel, mode: mode as LargeFile['mode'], size: st.size, sha256: sha256File(abs) } });
        hashed++;
      } else {
        toHash.push({ rel, mode });
      }
    }
    if (toHash.length) {
      const oids = (await this.git(['hash-object', '-w', '--no-filters', '--stdin-paths'], toHash.map((f) => path.join(this.folder, f.rel)).join('\n') + '\n'))
        .toString().trim().split('\n');
      toHash.forEach((f, i) => found.set(f.rel, { kind: 'blob', entry: { path: f.rel, mode: f.mode, oid: oids[i]! } }));
      hashed += toHash.length;
    }
    return { found, stats, hashed };
  }

  private async commit(known: Map<string, Known>, indexLines: string, full: boolean, message: string, parent?: string): Promise<Snapshot & { hashed: 0 }> {
    if (full) await this.git(['read-tree', '--empty']);
    if (indexLines) await this.git(['update-index', '-z', '--index-info'], indexLines);
    const tree = (await this.git(['write-tree'])).toString().trim();
    const commit = (await this.git(['commit-tree', tree, ...(parent ? ['-p', parent] : []), '-m', message])).toString().trim();
    this.state = { tree, known };
    const large = [...known.values()].flatMap((k) => (k.kind === 'large' ? [k.file] : [])).sort((a, b) => (a.path < b.path ? -1 : 1));
    return { commit, tree, large, hashed: 0 };
  }

  /** Stores exactly `files` as a commit; files whose stat matches the cache are not read again. */
  async snapshot(files: readonly string[], message: string, opts: { parent?: string; maxFileBytes?: number } = {}): Promise<Snapshot> {
    const cache = this.readCache();
    const savedAt = Date.now();
    const { found, stats, hashed } = await this.capture(files, opts.maxFileBytes ?? Infinity, cache);
    const lines: string[] = [];
    const next: Cache['files'] = {};
    for (const [rel, k] of found) {
      const st = stats.get(rel)!;
      if (k.kind === 'blob') {
        lines.push(`${k.entry.mode} ${k.entry.oid}\t${rel}\0`);
        next[rel] = [st.mtimeMs, st.size, st.ino, k.entry.mode, k.entry.oid];
      } else {
        next[rel] = [st.mtimeMs, st.size, st.ino, k.file.mode, k.file.sha256, 'L'];
      }
    }
    const snap = await this.commit(found, lines.join(''), true, message, opts.parent);
    fs.writeFileSync(this.cacheFile, JSON.stringify({ savedAt, files: next } satisfies Cache));
    return { ...snap, hashed };
  }

  /**
   * Builds on the last snapshot this process took: only `changed` paths (files, or folders whose
   * whole content went away) are looked at. The caller vouches that nothing else changed.
   */
  async update(changed: readonly string[], message: string, opts: { parent?: string; maxFileBytes?: number } = {}): Promise<Snapshot> {
    if (!this.state) throw new Error('an incremental snapshot needs an earlier one from this process');
    const known = new Map(this.state.known);
    const { found, hashed } = await this.capture(changed, opts.maxFileBytes ?? Infinity, undefined);
    const removals: string[] = [];
    const adds: string[] = [];
    const drop = (rel: string) => {
      const k = known.get(rel);
      if (!k) return;
      known.delete(rel);
      if (k.kind === 'blob') removals.push(`0 ${ZERO}\t${rel}\0`);
    };
    for (const rel of changed) {
      if (found.has(rel)) continue;
      // Gone (or now a folder): the path and everything that was under it.
      drop(rel);
      const under = `${rel}/`;
      for (const p of [...known.keys()]) if (p.startsWith(under)) drop(p);
    }
    for (const [rel, k] of found) {
      const prev = known.get(rel);
      // A file that became a folder's name (or the other way) leaves no stale entries behind.
      for (const p of [...known.keys()]) if (p.startsWith(`${rel}/`)) drop(p);
      if (prev?.kind === 'blob' && (k.kind === 'large' || prev.entry.oid !== k.entry.oid || prev.entry.mode !== k.entry.mode)) drop(rel);
      known.set(rel, k);
      if (k.kind === 'blob' && !(prev?.kind === 'blob' && prev.entry.oid === k.entry.oid && prev.entry.mode === k.entry.mode)) {
        adds.push(`${k.entry.mode} ${k.entry.oid}\t${rel}\0`);
      }
    }
    const snap = await this.commit(known, removals.join('') + adds.join(''), false, message, opts.parent);
    return { ...snap, hashed };
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

  /** What differs between two snapshots, file by file (no rename detection: a rename is D + A). */
  async diff(from: string, to: string): Promise<TreeChange[]> {
    const parts = (await this.git(['diff-tree', '-r', '-z', '--no-renames', from, to])).toString().split('\0');
    const out: TreeChange[] = [];
    for (let i = 0; i + 1 < parts.length; i += 2) {
      const meta = parts[i]!;
      const p = parts[i + 1]!;
      if (!meta.startsWith(':')) break;
      const [m1, m2, o1, o2, st] = meta.slice(1).split(' ') as [string, string, string, string, string];
      const fromE = m1 === '000000' ? undefined : { path: p, mode: m1 as Mode, oid: o1 };
      const toE = m2 === '000000' ? undefined : { path: p, mode: m2 as Mode, oid: o2 };
      out.push({ path: p, status: !fromE ? 'A' : !toE ? 'D' : 'M', ...(fromE ? { from: fromE } : {}), ...(toE ? { to: toE } : {}) });
      void st;
    }
    return out;
  }

  async blob(oid: string): Promise<Buffer> {
    return this.git(['cat-file', 'blob', oid]);
  }

  /** Many blobs in one git process. */
  async blobs(oids: readonly string[]): Promise<Map<string, Buffer>> {
    const unique = [...new Set(oids)];
    const map = new Map<string, Buffer>();
    if (!unique.length) return map;
    const out = await this.git(['cat-file', '--batch'], unique.join('\n') + '\n');
    let pos = 0;
    for (const oid of unique) {
      const nl = out.indexOf(0x0a, pos);
      const header = out.subarray(pos, nl).toString();
      const [got, type, size] = header.split(' ');
      if (got !== oid || type !== 'blob') throw new Error(`the checkpoint store has no blob ${oid} (${header})`);
      const n = Number(size);
      map.set(oid, out.subarray(nl + 1, nl + 1 + n));
      pos = nl + 1 + n + 1;
    }
    return map;
  }
}
