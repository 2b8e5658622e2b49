// A workspace folder's files as git objects in a bare "shadow" repository in Torbit's data
// directory. A full snapshot is written with git plumbing (hash-object, update-index --index-info,
// write-tree, commit-tree) and a private index; an incremental one writes its few objects itself
// (see objects.ts), on an in-memory tree checked against git's after every full snapshot. The
// user's own repository is never touched: no command runs with its git dir, index or config.
// Nested repositories are plain folders here (their files are stored as files, never as gitlinks).
// Files above a size limit are recorded by hash and size only. A stat cache makes a full snapshot
// hash only the files that changed; a list of changed paths (from a watcher) makes an incremental
// one touch nothing else.
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as z from 'zod';
import { deflater } from './deflater';
import { commitBody, FileTree, PackBuilder, type ObjectType } from './objects';
import { RelativePath } from '../confine';

export type Mode = '100644' | '100755' | '120000';

export interface Entry {
  path: string;
  mode: Mode;
  oid: string;
}

/** A file too big to store: what it was, so a restore can tell whether it is still the same. */
export const LargeFile = z.object({ path: RelativePath, mode: z.enum(['100644', '100755']), size: z.number().int(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }).strict();
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
const NAME = 'Torbit';
const EMAIL = 'checkpoints@torbit.invalid';
/**
 * zlib level of the blobs an incremental snapshot writes. Compression is most of its cost: 4 is
 * about 20% faster than zlib's default (6) and stores source text 0.3–1.5% larger; 1 (git's for
 * loose objects) is faster still but ~4% larger, more than a checkpoint's growth target (1.5× the
 * compressed change) allows. Trees use 1 (objects.ts).
 */
const LEVEL = 4;
/** How many small packs may pile up before they are merged. */
const MAX_PACKS = 50;
/** A full snapshot that wrote this many loose objects has them packed at once (git's gc.auto). */
const MAX_LOOSE = 6700;
const SHA1 = /^[0-9a-f]{40}$/;

type Known = { kind: 'blob'; entry: Entry } | { kind: 'large'; file: LargeFile };

/** A file's blob as a tree lists it; a large file is in no tree. */
const stored = (k: Known) => (k.kind === 'blob' ? k.entry : undefined);
const modeOf = (st: fs.Stats): Mode => (st.isSymbolicLink() ? '120000' : st.mode & 0o111 ? '100755' : '100644');
const byPath = (m: Map<string, LargeFile>) => [...m.values()].sort((a, b) => (a.path < b.path ? -1 : 1));

/** A path's lstat; undefined when nothing is there, also when one of its folders is now a file. */
export function lstatIfThere(abs: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(abs, { throwIfNoEntry: false });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') return undefined;
    throw err;
  }
}

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
  /** The last snapshot this process took, file by file and folder by folder. */
  private state: { tree: string; files: FileTree<Known>; large: Map<string, LargeFile> } | undefined;
  /** Commits this process wrote into packs (a ref to one needs no check by git). */
  private readonly packed = new Set<string>();
  /** The background repack running, if one is. */
  private repacking: { done: Promise<void>; child: ChildProcess } | undefined;

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
    return this.state?.files.size ?? 0;
  }

  /** A file's id in the last snapshot this process took: its blob oid, or sha256 for a large file. */
  lookup(rel: string): string | undefined {
    const k = this.state?.files.get(rel);
    return k ? (k.kind === 'blob' ? k.entry.oid : k.file.sha256) : undefined;
  }

  /** The environment git runs in here: it pins every path git could wander to. */
  private get env(): NodeJS.ProcessEnv {
    return {
      PATH: process.env.PATH ?? '', HOME: this.gitDir, GIT_DIR: this.gitDir, GIT_INDEX_FILE: path.join(this.gitDir, 'torbit.index'),
      GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null', GIT_TERMINAL_PROMPT: '0',
      GIT_AUTHOR_NAME: NAME, GIT_AUTHOR_EMAIL: EMAIL, GIT_COMMITTER_NAME: NAME, GIT_COMMITTER_EMAIL: EMAIL,
    };
  }

  /** Runs git on the shadow repository only. */
  git(args: string[], input?: string | Buffer): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const child = spawn('git', args, {
        cwd: this.gitDir,
        env: this.env,
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
      const st = lstatIfThere(abs);
      if (!st || !(st.isFile() || st.isSymbolicLink())) continue;
      stats.set(rel, st);
      const mode = modeOf(st);
      const c = cache?.files[rel];
      if (c && c[0] < cache.savedAt - RACY_MS && c[0] === st.mtimeMs && c[1] === st.size && c[2] === st.ino && c[3] === mode) {
        found.set(rel, c[5] === 'L'
          ? { kind: 'large', file: { path: rel, mode: mode as LargeFile['mode'], size: c[1], sha256: c[4] } }
          : { kind: 'blob', entry: { path: rel, mode, oid: c[4] } });
      } else if (mode === '120000') {
        const oid = (await this.git(['hash-object', '-w', '--stdin'], fs.readlinkSync(abs))).toString().trim();
        found.set(rel, { kind: 'blob', entry: { path: rel, mode, oid } });
        hashed++;
      } else if (st.size > maxFileBytes) {
        found.set(rel, { kind: 'large', file: { path: rel, mode, size: st.size, sha256: sha256File(abs) } });
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

  /** Stores exactly `files` as a commit; files whose stat matches the cache are not read again. */
  async snapshot(files: readonly string[], message: string, opts: { parent?: string; maxFileBytes?: number } = {}): Promise<Snapshot> {
    const cache = this.readCache();
    const savedAt = Date.now();
    const { found, stats, hashed } = await this.capture(files, opts.maxFileBytes ?? Infinity, cache);
    const lines: string[] = [];
    const next: Cache['files'] = {};
    const large = new Map<string, LargeFile>();
    for (const [rel, k] of found) {
      const st = stats.get(rel)!;
      if (k.kind === 'blob') {
        lines.push(`${k.entry.mode} ${k.entry.oid}\t${rel}\0`);
        next[rel] = [st.mtimeMs, st.size, st.ino, k.entry.mode, k.entry.oid];
      } else {
        large.set(rel, k.file);
        next[rel] = [st.mtimeMs, st.size, st.ino, k.file.mode, k.file.sha256, 'L'];
      }
    }
    // From an empty index every time: the incremental snapshots in between never update it.
    await this.git(['read-tree', '--empty']);
    if (lines.length) await this.git(['update-index', '-z', '--index-info'], lines.join(''));
    const tree = (await this.git(['write-tree'])).toString().trim();
    const commit = (await this.git(['commit-tree', tree, ...(opts.parent ? ['-p', opts.parent] : []), '-m', message])).toString().trim();
    this.state = this.model(tree, found, large);
    fs.writeFileSync(this.cacheFile, JSON.stringify({ savedAt, files: next } satisfies Cache));
    if (hashed >= MAX_LOOSE) this.repackNowAndThen(true);
    return { commit, tree, large: byPath(large), hashed };
  }

  /**
   * The in-memory tree of a full snapshot, for the incremental ones to build on; only when it hashes
   * to git's own tree (if it ever did not, every checkpoint would scan: slower, never wrong).
   */
  private model(tree: string, found: Map<string, Known>, large: Map<string, LargeFile>): ShadowRepo['state'] {
    try {
      const files = FileTree.build(found, stored);
      return files.root === tree ? { tree, files, large } : undefined;
    } catch {
      return undefined;
    }
  }

  /** A file as it is now, its blob written to `sink` (a large file only hashed); undefined when it is no file. */
  private read(rel: string, maxFileBytes: number, sink: { write(type: ObjectType, body: Buffer): string }): Known | undefined {
    const abs = path.join(this.folder, rel);
    const st = lstatIfThere(abs);
    if (!st || !(st.isFile() || st.isSymbolicLink())) return undefined;
    const mode = modeOf(st);
    if (mode !== '120000' && st.size > maxFileBytes) return { kind: 'large', file: { path: rel, mode, size: st.size, sha256: sha256File(abs) } };
    const oid = sink.write('blob', mode === '120000' ? fs.readlinkSync(abs, { encoding: 'buffer' }) : fs.readFileSync(abs));
    return { kind: 'blob', entry: { path: rel, mode, oid } };
  }

  /**
   * Builds on the last snapshot this process took: only `changed` paths (files, or folders whose
   * whole content went away) are looked at. The caller vouches that nothing else changed. No git
   * process runs: the blobs, the trees on the changed paths and the commit are written here, and
   * the in-memory state changes only once they all are.
   */
  async update(changed: readonly string[], message: string, opts: { parent?: string; maxFileBytes?: number } = {}): Promise<Snapshot> {
    const s = this.state;
    if (!s) throw new Error('an incremental snapshot needs an earlier one from this process');
    const found = new Map<string, Known>();
    const pack = new PackBuilder(LEVEL, (jobs) => deflater.deflateAll(jobs));
    for (const rel of changed) {
      const k = this.read(rel, opts.maxFileBytes ?? Infinity, pack);
      if (k) found.set(rel, k);
    }
    const edit = s.files.edit();
    // Gone (or now a folder): the path and everything that was under it. A file where a folder
    // was (or the other way) replaces it, as in git's index.
    for (const rel of changed) if (!found.has(rel)) edit.remove(rel);
    for (const [rel, k] of found) edit.set(rel, k);
    const tree = edit.write((body) => pack.write('tree', body));
    const commit = pack.write('commit', commitBody(tree, opts.parent, `${NAME} <${EMAIL}>`, message));
    await pack.finish(path.join(this.gitDir, 'objects'));
    this.packed.add(commit);
    this.repackNowAndThen();
    edit.apply();
    for (const rel of edit.removed) s.large.delete(rel);
    for (const [rel, k] of found) {
      if (k.kind === 'large') s.large.set(rel, k.file);
      else s.large.delete(rel);
    }
    s.tree = tree;
    return { commit, tree, large: byPath(s.large), hashed: found.size };
  }

  /**
   * Every incremental snapshot adds a small pack; once there are many (or a full snapshot left many
   * loose objects), git merges them in the background. Geometric: cheap, packs written meanwhile
   * are left alone, and loose objects are rolled up too.
   */
  private repackNowAndThen(force = false): void {
    if (this.repacking) return;
    if (!force) {
      const packs = fs.readdirSync(path.join(this.gitDir, 'objects', 'pack')).filter((f) => f.endsWith('.pack')).length;
      if (packs < MAX_PACKS) return;
    }
    // Not waited for: a process (the CLI) may exit meanwhile, and git finishes on its own.
    const child = spawn('git', ['repack', '-d', '-q', '--geometric=2'], { cwd: this.gitDir, env: this.env, stdio: 'ignore', windowsHide: true });
    child.unref();
    const done = new Promise<void>((resolve) => {
      child.once('error', () => resolve());
      child.once('close', () => resolve());
    }).finally(() => { this.repacking = undefined; });
    this.repacking = { done, child };
  }

  /** Resolves once no background maintenance is running. */
  async idle(): Promise<void> {
    while (this.repacking) {
      this.repacking.child.ref(); // someone waits for it now
      await this.repacking.done;
    }
  }

  /** Keeps a commit reachable (and so safe from any gc) under refs/torbit/<name>. */
  async keep(name: string, commit: string): Promise<void> {
    const file = path.join(this.gitDir, 'refs', 'torbit', ...name.split('/'));
    // A loose ref written as git writes one (under its lock file), when the commit is a loose
    // object here as every snapshot's is; anything else is git's to check and write.
    if (!SHA1.test(commit) || !/^[\w-]+(\/[\w-]+)*$/.test(name) || !(this.packed.has(commit) || fs.existsSync(path.join(this.gitDir, 'objects', commit.slice(0, 2), commit.slice(2))))) {
      await this.git(['update-ref', `refs/torbit/${name}`, commit]);
      return;
    }
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const lock = `${file}.lock`;
    fs.writeFileSync(lock, `${commit}\n`, { flag: 'wx' });
    try {
      fs.renameSync(lock, file);
    } catch (err) {
      fs.rmSync(lock, { force: true });
      throw err;
    }
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
