// The workspace the tools may touch, and the one place that turns a model-supplied path into a
// real one. Anything that would land outside (.., absolute paths, symlinks pointing out, odd
// characters) is refused with a sentence the model can act on.
import * as fs from 'node:fs/promises';
import * as path from 'node:path';

export interface Root {
  /** How paths name this folder in a multi-root workspace. */
  name: string;
  /** Real (symlink-resolved) absolute path. */
  path: string;
}

export interface Resolved {
  root: Root;
  /** POSIX path relative to the root ('' for the root itself). */
  rel: string;
  abs: string;
  /** What the model and the person see: relative, prefixed by the folder name in multi-root. */
  display: string;
  /** In a read-only root (a skill of the person's own, while it is in use): never written, never a cwd. */
  readOnly?: true;
}

/** A folder outside the workspace that the read tools may read, for as long as `roots()` names it. */
export interface ReadOnlyRootRef {
  /** How paths name it: `~/.agents/skills/<name>`. */
  prefix: string;
  /** Its real path. */
  path: string;
}

/** A mistake in the model's tool input: it goes back to the model as the tool's error. */
export class ToolError extends Error {
  override name = 'ToolError';
}

// C0/C1 controls, zero-width characters, bidi overrides and isolates, BOM: never part of a real path
// a person means, and a way to make one path look like another.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const INVISIBLE = /[\u0000-\u001f\u007f-\u009f\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/u;

export class Workspace {
  private constructor(readonly roots: Root[], private readonly excluded: string[], private readonly readOnly: () => readonly ReadOnlyRootRef[] = () => []) {}

  /**
   * The same workspace, whose resolveReadable also reaches the folders `roots()` names at the time
   * of each call (the person's skills in use). resolve, which every writing and running tool uses,
   * never does.
   */
  withReadOnly(roots: () => readonly ReadOnlyRootRef[]): Workspace {
    return new Workspace(this.roots, this.excluded, roots);
  }

  /**
   * resolve, or a path inside a read-only root (`~/.agents/skills/pdf/references/a.md`): confined
   * to that root, symbolic links included. For reading tools only.
   */
  async resolveReadable(input: string): Promise<Resolved> {
    if (typeof input !== 'string') return this.resolve(input);
    const p = input.normalize('NFC').replace(/\\/g, '/');
    const ro = this.readOnly().find((r) => p === r.prefix || p.startsWith(`${r.prefix}/`));
    if (!ro) return this.resolve(input);
    if (p.includes('\0') || INVISIBLE.test(p)) throw new ToolError(`the path ${JSON.stringify(input)} contains control or invisible characters`);
    const rest = p.slice(ro.prefix.length).replace(/^\//, '');
    const abs = path.resolve(ro.path, rest || '.');
    if (!inside(ro.path, abs)) throw new ToolError(`"${input}" is outside ${ro.prefix}`);
    const real = await realExisting(abs);
    if (!inside(ro.path, real)) throw new ToolError(`"${input}" leads outside ${ro.prefix} through a symbolic link`);
    if (this.excluded.some((e) => inside(e, real))) throw new ToolError(`"${input}" is Torbit's own data directory, which tools do not touch`);
    const rel = path.relative(ro.path, abs).split(path.sep).join('/');
    return { root: { name: ro.prefix, path: ro.path }, rel, abs, display: rel ? `${ro.prefix}/${rel}` : ro.prefix, readOnly: true };
  }

  /** `folders` are absolute paths; `excluded` are absolute directories tools never see (the data directory). */
  static async open(folders: string[], excluded: string[] = []): Promise<Workspace> {
    if (folders.length === 0) throw new Error('no workspace folder is open');
    const roots: Root[] = [];
    const taken = new Set<string>();
    for (const f of folders) {
      const real = await fs.realpath(f);
      let name = path.basename(real) || 'root';
      for (let i = 2; taken.has(name); i++) name = `${path.basename(real)}-${i}`;
      taken.add(name);
      roots.push({ name, path: real });
    }
    const ex = await Promise.all(excluded.map((e) => fs.realpath(e).catch(() => path.resolve(e))));
    return new Workspace(roots, ex);
  }

  get multiRoot(): boolean {
    return this.roots.length > 1;
  }

  /** How a path is written in this workspace, for the model's instructions. */
  describe(): string {
    return this.multiRoot
      ? `This is a multi-root workspace. Every path starts with the folder's name: ${this.roots.map((r) => `"${r.name}/…"`).join(', ')}.`
      : 'Paths are relative to the workspace root, e.g. "src/index.ts".';
  }

  async resolve(input: string): Promise<Resolved> {
    if (typeof input !== 'string' || input.length === 0) throw new ToolError('the path is empty');
    if (input.length > 4096) throw new ToolError('the path is longer than 4096 characters');
    if (input.includes('\0')) throw new ToolError('the path contains a NUL byte');
    if (INVISIBLE.test(input)) throw new ToolError(`the path ${JSON.stringify(input)} contains control or invisible characters`);
    const p = input.normalize('NFC').replace(/\\/g, '/');
    if (p.startsWith('/') || /^[a-zA-Z]:/.test(p) || p.startsWith('~')) {
      throw new ToolError(`"${input}" is an absolute path; use a path relative to the workspace. ${this.describe()}`);
    }
    let root = this.roots[0]!;
    let rest = p;
    if (this.multiRoot) {
      const [first, ...others] = p.split('/');
      const found = this.roots.find((r) => r.name === first);
      if (!found) throw new ToolError(`"${input}" does not start with a workspace folder name. ${this.describe()}`);
      root = found;
      rest = others.join('/');
    }
    const abs = path.resolve(root.path, rest || '.');
    if (!inside(root.path, abs)) throw new ToolError(`"${input}" is outside the workspace. ${this.describe()}`);
    // Follow symlinks on the part of the path that exists: it must stay inside too.
    const real = await realExisting(abs);
    if (!inside(root.path, real)) throw new ToolError(`"${input}" leads outside the workspace through a symbolic link`);
    if (this.excluded.some((e) => inside(e, real) || inside(e, abs))) throw new ToolError(`"${input}" is Torbit's own data directory, which tools do not touch`);
    const rel = path.relative(root.path, abs).split(path.sep).join('/');
    return { root, rel, abs, display: this.display(root, rel) };
  }

  display(root: Root, rel: string): string {
    const r = rel || '.';
    return this.multiRoot ? `${root.name}/${rel}`.replace(/\/$/, '') : r;
  }

  isExcluded(abs: string): boolean {
    return this.excluded.some((e) => inside(e, abs));
  }
}

function inside(root: string, p: string): boolean {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * realpath of the deepest existing ancestor, with the missing tail appended. A dangling symlink
 * counts as existing: writing through it would create its target, so its target is what matters.
 */
async function realExisting(abs: string, depth = 0): Promise<string> {
  if (depth > 40) throw new ToolError('too many levels of symbolic links');
  let cur = abs;
  const tail: string[] = [];
  for (;;) {
    try {
      return path.join(await fs.realpath(cur), ...tail);
    } catch {
      const link = await fs.readlink(cur).catch(() => undefined);
      if (link !== undefined) return path.join(await realExisting(path.resolve(path.dirname(cur), link), depth + 1), ...tail);
      const parent = path.dirname(cur);
      if (parent === cur) return abs;
      tail.unshift(path.basename(cur));
      cur = parent;
    }
  }
}
