// Whether a changed file is left out of a review whole: only when its name says it is a secret
// AND its content is data of that kind (secrets.ts). The content judged is what the range ships:
// the new version (from the work tree when it is included), or the old one of a deleted file.
// The bundle decides with this, and the gate decides again with it before trusting an exclusion.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ReviewRange } from '../protocol/review';
import type { Change } from './changes';
import { readOnlyGit } from '../git';
import { isSecretData, MAX_SECRET_FILE_BYTES, secretName, type SecretFileKind } from './secrets';

export interface Exclusion {
  /** Why it is not shown (its kind, never its content). */
  reason: string;
  /** Its size in bytes. */
  size: number;
}

const DATA_OF: Record<SecretFileKind, string> = {
  dotenv: 'holding only KEY=VALUE lines and comments',
  key: 'that parses as a key or certificate',
  'ssh-key': 'that parses as a key',
  credentials: 'holding only credentials data',
};

async function gitBuffer(root: string, args: string[]): Promise<Buffer | undefined> {
  const inv = await readOnlyGit(root, args);
  return new Promise((resolve) => {
    execFile('git', inv.args, { cwd: root, env: inv.env, encoding: 'buffer', windowsHide: true, maxBuffer: MAX_SECRET_FILE_BYTES * 2 }, (err, stdout) => resolve(err ? undefined : stdout));
  });
}

/** The content the range ships for `c` (undefined: none to judge, or larger than any secret file). */
async function shippedContent(root: string, range: ReviewRange, c: Change): Promise<Buffer | undefined> {
  if (c.status === 'D') {
    if (!range.from) return undefined;
    return blob(root, `${range.from}:${c.path}`);
  }
  if (range.worktree) {
    const file = path.join(root, c.path);
    try {
      const st = fs.lstatSync(file);
      // A symlink's content is where it points: not a secret's data.
      if (!st.isFile() || st.size > MAX_SECRET_FILE_BYTES) return undefined;
      return fs.readFileSync(file);
    } catch {
      return undefined;
    }
  }
  return blob(root, `${range.to}:${c.path}`);
}

async function blob(root: string, spec: string): Promise<Buffer | undefined> {
  const type = (await gitBuffer(root, ['cat-file', '-t', spec]))?.toString().trim();
  if (type !== 'blob') return undefined;
  const size = Number((await gitBuffer(root, ['cat-file', '-s', spec]))?.toString().trim());
  if (!(size <= MAX_SECRET_FILE_BYTES)) return undefined;
  return gitBuffer(root, ['cat-file', 'blob', spec]);
}

/** Why `c` is left out of the review of `range`, or undefined: it is shown (values masked). */
export async function exclusionOf(root: string, range: ReviewRange, c: Change): Promise<Exclusion | undefined> {
  const name = secretName(c.path) ?? (c.from ? secretName(c.from) : undefined);
  if (!name) return undefined;
  const content = await shippedContent(root, range, c);
  if (!content || !isSecretData(name.kind, c.path, content)) return undefined;
  return { reason: `${name.what} ${DATA_OF[name.kind]}: not shown`, size: content.length };
}

/** Whether a change names a secret file by its name (shown or not, its values are masked harder). */
export const secretNamed = (c: Change) => Boolean(secretName(c.path) ?? (c.from ? secretName(c.from) : undefined));
