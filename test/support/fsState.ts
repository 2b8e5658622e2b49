// A folder's files as a comparable record: bytes, the executable bit, link targets and empty folders.
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Every file under dir (skipping .git and `skip`), with its bytes, mode bits and link target; empty folders as 'dir'. */
export function fsState(dir: string, skip: string[] = []): Record<string, string> {
  const out: Record<string, string> = {};
  const visit = (d: string) => {
    const entries = fs.readdirSync(d, { withFileTypes: true });
    if (!entries.length && d !== dir) out[path.relative(dir, d).split(path.sep).join('/')] = 'dir';
    for (const e of entries) {
      if (e.name === '.git') continue;
      const abs = path.join(d, e.name);
      const rel = path.relative(dir, abs).split(path.sep).join('/');
      if (skip.some((s) => rel === s || rel.startsWith(`${s}/`))) continue;
      if (e.isSymbolicLink()) out[rel] = `link:${fs.readlinkSync(abs)}`;
      else if (e.isDirectory()) visit(abs);
      else out[rel] = `${(fs.statSync(abs).mode & 0o111) ? 'x' : '-'}:${fs.readFileSync(abs).toString('base64')}`;
    }
  };
  visit(dir);
  return out;
}
