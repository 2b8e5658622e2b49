// Where a bundle may be written: inside the data directory, symlinks resolved. A request (or a
// repository that plants `.torbit-data/reviews` as a symlink) must not make Torbit write, or empty
// a folder, anywhere else.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ReviewError } from './baseline';

/** `p` with every existing part's symlinks resolved (the parts that do not exist yet cannot be links). */
function realish(p: string): string {
  const rest: string[] = [];
  let at = p;
  for (;;) {
    try {
      return path.join(fs.realpathSync(at), ...rest.reverse());
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      const up = path.dirname(at);
      if (up === at) throw err;
      rest.push(path.basename(at));
      at = up;
    }
  }
}

const inside = (dir: string, p: string) => {
  const rel = path.relative(dir, p);
  return rel !== '' && !rel.startsWith('..') && !path.isAbsolute(rel);
};

/**
 * The folder a bundle goes to: `asked` (relative to the data directory), or
 * `<data dir>/reviews/<name>`. Refused unless it resolves strictly inside the data directory.
 */
export function bundleOutDir(dataDir: string, asked: string | undefined, name: string): string {
  fs.mkdirSync(dataDir, { recursive: true });
  const root = fs.realpathSync(dataDir);
  const wanted = asked ? path.resolve(dataDir, asked) : path.join(dataDir, 'reviews', name);
  const real = realish(wanted);
  if (!inside(root, real)) {
    throw new ReviewError(`the bundle folder must be inside the data directory ${root}: ${wanted}${real !== wanted ? ` resolves to ${real}` : ''}, which is not`);
  }
  return real;
}
