// Git objects written in-process, with the ids and content git gives them (the SHA-1 of
// "<type> <size>\0<body>"): a pack of blobs, trees and a commit. An incremental
// snapshot changes a few files: starting git for it (five processes, one rewriting the whole private
// index) cost more than the work. The in-memory tree keeps every folder's entries, so only the
// folders on a changed path are serialized and hashed again.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import type { DeflateJob } from './deflater';

export type ObjectType = 'blob' | 'tree' | 'commit';

/** A file as a tree lists it. */
export interface TreeFile {
  mode: string;
  oid: string;
}

function header(type: ObjectType, size: number): Buffer {
  return Buffer.from(`${type} ${size}\0`);
}

/** The id git gives `body` as an object of `type`. */
export function objectId(type: ObjectType, body: Buffer): string {
  return createHash('sha1').update(header(type, body.length)).update(body).digest('hex');
}

const PACK_TYPE: Record<ObjectType, number> = { commit: 1, tree: 2, blob: 3 };

/** A tree is mostly hashes, which no level compresses: the fastest one does as well. */
const levelOf = (type: ObjectType, level: number) => (type === 'tree' ? 1 : level);

/**
 * The objects of one snapshot as one pack (version 2, no deltas) with its index (version 2):
 * one file written and renamed instead of one per object, which is most of a small checkpoint's
 * cost. The pack is written first and its index last, so git sees the pack whole or not at all.
 */
export class PackBuilder {
  private readonly objects = new Map<string, { type: ObjectType; body: Buffer }>();

  /** `deflate`: how the objects are compressed (all at once, in `finish`). */
  constructor(private readonly level: number, private readonly deflate: (jobs: DeflateJob[]) => Promise<Buffer[]> = (jobs) => Promise.resolve(jobs.map((j) => deflateSync(j.body, { level: j.level })))) {}

  /** Adds an object; its id. */
  write(type: ObjectType, body: Buffer): string {
    const oid = objectId(type, body);
    if (!this.objects.has(oid)) this.objects.set(oid, { type, body });
    return oid;
  }

  /** Writes pack-<sha>.pack and .idx under `objectsDir`/pack; nothing when no object was added. */
  async finish(objectsDir: string): Promise<void> {
    if (!this.objects.size) return;
    const data = await this.deflate([...this.objects.values()].map((o) => ({ body: o.body, level: levelOf(o.type, this.level) })));
    const entries: { oid: Buffer; offset: number; crc: number }[] = [];
    const parts: Buffer[] = [];
    const head = Buffer.alloc(12);
    head.write('PACK', 0, 'latin1');
    head.writeUInt32BE(2, 4);
    head.writeUInt32BE(this.objects.size, 8);
    parts.push(head);
    let offset = 12;
    let n = 0;
    for (const [oid, o] of this.objects) {
      // Type and size: 3 type bits and 4 size bits, then 7 size bits per byte, high bit = more.
      const h: number[] = [];
      let size = o.body.length;
      let byte = (PACK_TYPE[o.type] << 4) | (size & 0x0f);
      size = Math.floor(size / 16);
      while (size > 0) {
        h.push(byte | 0x80);
        byte = size & 0x7f;
        size = Math.floor(size / 128);
      }
      h.push(byte);
      const entry = Buffer.concat([Buffer.from(h), data[n++]!]);
      entries.push({ oid: Buffer.from(oid, 'hex'), offset, crc: crc32(entry) });
      parts.push(entry);
      offset += entry.length;
    }
    if (offset >= 2 ** 31) throw new Error('a checkpoint pack over 2 GiB');
    const body = Buffer.concat(parts);
    const packSha = createHash('sha1').update(body).digest();
    entries.sort((a, b) => Buffer.compare(a.oid, b.oid));
    const idx = Buffer.alloc(8 + 256 * 4 + entries.length * 28 + 20);
    idx.writeUInt32BE(0xff744f63, 0);
    idx.writeUInt32BE(2, 4);
    let at = 8;
    for (let i = 0, n = 0; i < 256; i++) {
      while (n < entries.length && entries[n]!.oid[0]! <= i) n++;
      idx.writeUInt32BE(n, at);
      at += 4;
    }
    for (const e of entries) { e.oid.copy(idx, at); at += 20; }
    for (const e of entries) { idx.writeUInt32BE(e.crc >>> 0, at); at += 4; }
    for (const e of entries) { idx.writeUInt32BE(e.offset, at); at += 4; }
    packSha.copy(idx, at);
    const idxFile = Buffer.concat([idx, createHash('sha1').update(idx).digest()]);
    const dir = path.join(objectsDir, 'pack');
    fs.mkdirSync(dir, { recursive: true });
    const name = `pack-${packSha.toString('hex')}`;
    const put = (file: string, data: Buffer) => {
      const tmp = path.join(dir, `tmp_pack_${randomBytes(6).toString('hex')}`);
      fs.writeFileSync(tmp, data, { mode: 0o444 });
      fs.renameSync(tmp, path.join(dir, file));
    };
    put(`${name}.pack`, Buffer.concat([body, packSha]));
    put(`${name}.idx`, idxFile);
  }
}

/** The object `commit-tree -m` writes: the message ends with a newline, the time is local with its offset. */
export function commitBody(tree: string, parent: string | undefined, ident: string, message: string, now = new Date()): Buffer {
  const off = -now.getTimezoneOffset();
  const abs = Math.abs(off);
  const tz = `${off < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}${String(abs % 60).padStart(2, '0')}`;
  const who = `${ident} ${Math.floor(now.getTime() / 1000)} ${tz}`;
  return Buffer.from(`tree ${tree}\n${parent ? `parent ${parent}\n` : ''}author ${who}\ncommitter ${who}\n\n${message}${message && !message.endsWith('\n') ? '\n' : ''}`);
}

/**
 * Git's order of tree entries: by the bytes of the UTF-8 name, a folder's name with '/' appended.
 * UTF-16 order is the same except that a surrogate pair (above U+FFFF) sorts after U+E000–U+FFFF.
 */
export function gitOrder(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x < 0xe000 ? x + 0x2000 : x - 0x800;
      y = y < 0xe000 ? y + 0x2000 : y - 0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

const DIR = Symbol('folder');

interface Folder<T> {
  /** Sort keys in git's order: a file's name, or a folder's name and '/'. */
  keys: string[];
  entries: Map<string, T | typeof DIR>;
  /** The folder's tree; null while it holds no stored file (git then leaves it out of its parent). */
  oid: string | null;
}

const join = (dir: string, name: string) => (dir ? `${dir}/${name}` : name);
const parentOf = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));
const depth = (p: string) => (p ? p.split('/').length : 0);

/** Where `key` goes in `keys` (kept in git's order). */
function lowerBound(keys: string[], key: string): number {
  let lo = 0;
  let hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (gitOrder(keys[mid]!, key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function sortedInsert(keys: string[], key: string): void {
  keys.splice(lowerBound(keys, key), 0, key);
}

function sortedRemove(keys: string[], key: string): void {
  const i = lowerBound(keys, key);
  if (keys[i] === key) keys.splice(i, 1);
}

/**
 * The files of a snapshot as folders of entries, with each folder's tree id. `stored` says how a
 * file appears in its tree (undefined: it does not, as a file kept out of the store).
 */
export class FileTree<T> {
  private files = 0;

  private constructor(private readonly folders: Map<string, Folder<T>>, private readonly stored: (v: T) => TreeFile | undefined) {}

  /** The tree of `files`, hashed (not written: a full snapshot's trees are git's own). */
  static build<T>(files: Iterable<[string, T]>, stored: (v: T) => TreeFile | undefined): FileTree<T> {
    const folders = new Map<string, Folder<T>>([['', { keys: [], entries: new Map(), oid: null }]]);
    const t = new FileTree(folders, stored);
    const folder = (p: string): Folder<T> => {
      let f = folders.get(p);
      if (!f) {
        folders.set(p, (f = { keys: [], entries: new Map(), oid: null }));
        const name = p.slice(p.lastIndexOf('/') + 1);
        const parent = folder(parentOf(p));
        parent.entries.set(name, DIR);
        parent.keys.push(`${name}/`);
      }
      return f;
    };
    for (const [rel, v] of files) {
      const f = folder(parentOf(rel));
      const name = rel.slice(rel.lastIndexOf('/') + 1);
      if (f.entries.has(name)) throw new Error(`${rel} is listed twice, or as a file and a folder`);
      f.entries.set(name, v);
      f.keys.push(name);
      t.files++;
    }
    for (const f of folders.values()) f.keys.sort(gitOrder);
    t.hash([...folders.keys()], folders, (body) => objectId('tree', body));
    return t;
  }

  get size(): number {
    return this.files;
  }

  get root(): string {
    return this.folders.get('')!.oid!;
  }

  get(rel: string): T | undefined {
    const v = this.folders.get(parentOf(rel))?.entries.get(rel.slice(rel.lastIndexOf('/') + 1));
    return v === DIR ? undefined : v;
  }

  /** Serializes and hashes `paths` (folders), deepest first; a folder left empty leaves its parent. */
  private hash(paths: string[], view: Map<string, Folder<T> | null>, put: (body: Buffer) => string): void {
    const deepestFirst = paths.map((p) => ({ p, d: depth(p) })).sort((a, b) => b.d - a.d);
    for (const { p } of deepestFirst) {
      const f = view.get(p);
      if (!f) continue;
      if (p && f.entries.size === 0) {
        const parent = view.get(parentOf(p))!;
        const name = p.slice(p.lastIndexOf('/') + 1);
        parent.entries.delete(name);
        sortedRemove(parent.keys, `${name}/`);
        view.set(p, null);
        continue;
      }
      const rows: { head: string; oid: string }[] = [];
      let size = 0;
      for (const key of f.keys) {
        const isDir = key.endsWith('/');
        const name = isDir ? key.slice(0, -1) : key;
        const sub = isDir ? (view.has(join(p, name)) ? view.get(join(p, name)) : this.folders.get(join(p, name))) : undefined;
        const row = isDir ? (sub?.oid ? { mode: '40000', oid: sub.oid } : undefined) : this.stored(f.entries.get(key) as T);
        if (row) rows.push({ head: `${row.mode} ${name}\0`, oid: row.oid });
      }
      for (const r of rows) size += Buffer.byteLength(r.head) + 20;
      if (!rows.length && p) {
        f.oid = null;
        continue;
      }
      const body = Buffer.allocUnsafe(size);
      let at = 0;
      for (const r of rows) {
        at += body.write(r.head, at);
        at += body.write(r.oid, at, 'hex');
      }
      f.oid = put(body);
    }
  }

  /**
   * Starts a change: `set` and `remove` work on copies of the folders they touch, `write` writes
   * their trees, and only `apply` makes them this tree's (so a failure on the way changes nothing).
   */
  edit(): TreeEdit<T> {
    return new TreeEdit(this.folders, (paths, view, put) => this.hash(paths, view, put), (n, view) => {
      this.files += n;
      for (const [p, f] of view) {
        if (f) this.folders.set(p, f);
        else this.folders.delete(p);
      }
    });
  }
}

export class TreeEdit<T> {
  /** Copies of the folders changed so far; null: the folder is gone. */
  private readonly view = new Map<string, Folder<T> | null>();
  private delta = 0;
  /** Files that went away (removed, under a removed folder, or replaced by a folder). */
  readonly removed: string[] = [];
  private root: string | undefined;

  constructor(
    private readonly base: ReadonlyMap<string, Folder<T>>,
    private readonly hashAll: (paths: string[], view: Map<string, Folder<T> | null>, put: (body: Buffer) => string) => void,
    private readonly adopt: (delta: number, view: Map<string, Folder<T> | null>) => void,
  ) {}

  private current(p: string): Folder<T> | undefined {
    return this.view.has(p) ? this.view.get(p) ?? undefined : this.base.get(p);
  }

  /** The folder at `p` as this edit may change it; created (and its parents) when `create`. */
  private folder(p: string, create: boolean): Folder<T> | undefined {
    const got = this.view.get(p);
    if (got) return got;
    const cur = this.current(p);
    if (!cur && !create) return undefined;
    if (!cur) {
      const parent = this.folder(parentOf(p), true)!;
      const name = p.slice(p.lastIndexOf('/') + 1);
      // A file where the folder now is goes, as git's index replaces it.
      if (parent.entries.has(name)) this.drop(parentOf(p), parent, name);
      parent.entries.set(name, DIR);
      sortedInsert(parent.keys, `${name}/`);
    }
    const copy: Folder<T> = cur ? { keys: [...cur.keys], entries: new Map(cur.entries), oid: cur.oid } : { keys: [], entries: new Map(), oid: null };
    this.view.set(p, copy);
    return copy;
  }

  /** Removes the entry `name` of folder `dir` (a file, or a folder with everything in it). */
  private drop(dir: string, f: Folder<T>, name: string): void {
    const v = f.entries.get(name);
    if (v === undefined) return;
    f.entries.delete(name);
    const rel = join(dir, name);
    if (v !== DIR) {
      sortedRemove(f.keys, name);
      this.removed.push(rel);
      this.delta--;
      return;
    }
    sortedRemove(f.keys, `${name}/`);
    const gone = (p: string) => {
      const sub = this.current(p);
      if (!sub) return;
      for (const [n, x] of sub.entries) {
        if (x === DIR) gone(join(p, n));
        else {
          this.removed.push(join(p, n));
          this.delta--;
        }
      }
      this.view.set(p, null);
    };
    gone(rel);
  }

  set(rel: string, v: T): void {
    const f = this.folder(parentOf(rel), true)!;
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    const prev = f.entries.get(name);
    if (prev === DIR) this.drop(parentOf(rel), f, name);
    if (prev === undefined || prev === DIR) {
      sortedInsert(f.keys, name);
      this.delta++;
    }
    f.entries.set(name, v);
  }

  /** Removes a file, or a folder and everything in it; nothing when there is no such path. */
  remove(rel: string): void {
    const dir = parentOf(rel);
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    if (!this.current(dir)?.entries.has(name)) return;
    this.drop(dir, this.folder(dir, false)!, name);
  }

  /** Writes the changed folders' trees (and their parents', up to the root) with `put`; the root tree's id. */
  write(put: (body: Buffer) => string): string {
    const paths = new Set<string>();
    for (const p of [...this.view.keys()]) {
      if (!this.view.get(p)) continue;
      for (let q = p; ; q = parentOf(q)) {
        if (paths.has(q)) break;
        paths.add(q);
        this.folder(q, false);
        if (!q) break;
      }
    }
    this.hashAll([...paths], this.view, put);
    // The root is always hashed, to the empty tree when nothing is left.
    this.root = this.current('')!.oid!;
    return this.root;
  }

  /** Makes the edit the tree's. */
  apply(): void {
    if (this.root === undefined) throw new Error('an edit is applied after its trees are written');
    this.adopt(this.delta, this.view);
  }
}
