// A real git repository with a history worth reviewing: many commits, a rename, a binary file,
// a path git quotes, a `.env` and a file holding a private key, and optionally a huge file.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { gitRepo } from './tmp';
import { rng } from './rng';

export const ENV_SECRET = 'STRIPE_SECRET=sk_live_do_not_ship_me';
export const KEY_SECRET = 'MIIEowIBAAKCAQEAsecretkeymaterial';

const env = { ...process.env, GIT_AUTHOR_NAME: 't', GIT_AUTHOR_EMAIL: 't@example.invalid', GIT_COMMITTER_NAME: 't', GIT_COMMITTER_EMAIL: 't@example.invalid', GIT_CONFIG_GLOBAL: '/dev/null', GIT_CONFIG_NOSYSTEM: '1' };
export const git = (cwd: string, ...args: string[]) => execFileSync('git', args, { cwd, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 }).trim();

export interface ReviewRepo {
  root: string;
  /** The baseline commit (written to .torbit/LAST_REVIEWED_SHA, committed). */
  base: string;
  head: string;
}

function write(root: string, rel: string, data: string | Buffer): void {
  fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  fs.writeFileSync(path.join(root, rel), data);
}

/**
 * `hugeBytes`: also a new text file of about that size, and a file of half that size at the
 * baseline changed in scattered places and in one block of 5,000 lines (they force packets).
 */
export function reviewRepo(opts: { commits?: number; hugeBytes?: number } = {}): ReviewRepo {
  const root = gitRepo();
  const r = rng(3);
  const lines = (n: number, tag: string) => Array.from({ length: n }, (_, i) => `${tag} line ${i} ${Math.floor(r() * 1e6)}`).join('\n') + '\n';
  write(root, 'src/app.ts', lines(60, 'app'));
  write(root, 'src/old-name.ts', lines(40, 'moved'));
  write(root, 'docs/guide.md', lines(30, 'guide'));
  const corpus = opts.hugeBytes ? lines(Math.floor(opts.hugeBytes / 2 / 30), 'corpus').split('\n') : [];
  if (opts.hugeBytes) write(root, 'corpus.txt', corpus.join('\n'));
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'start');
  const base = git(root, 'rev-parse', 'HEAD');
  write(root, '.torbit/LAST_REVIEWED_SHA', `${base}\n`);
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'baseline');
  for (let i = 0; i < (opts.commits ?? 12); i++) {
    const file = path.join(root, 'src/app.ts');
    const text = fs.readFileSync(file, 'utf8').split('\n');
    text.splice(5 + i * 3, 1, `changed in commit ${i}`);
    fs.writeFileSync(file, text.join('\n'));
    write(root, `src/feature${i}.ts`, lines(5 + i, `feature${i}`));
    git(root, 'add', '-A');
    git(root, 'commit', '-qm', `commit ${i}`);
  }
  git(root, 'mv', 'src/old-name.ts', 'src/new-name.ts');
  fs.appendFileSync(path.join(root, 'src/new-name.ts'), 'one more line\n');
  write(root, 'assets/logo.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 1, 2, 3, 0, 0, 255, 254]));
  write(root, 'docs/a "quoted" name.md', 'quoted\n');
  write(root, 'docs/ünïcode.md', 'unicode\n');
  write(root, '.env', `${ENV_SECRET}\n`);
  write(root, 'config/deploy.txt', `-----BEGIN RSA PRIVATE KEY-----\n${KEY_SECRET}\n-----END RSA PRIVATE KEY-----\n`);
  fs.rmSync(path.join(root, 'docs/guide.md'));
  if (opts.hugeBytes) {
    for (const at of [10, 2000, corpus.length - 40]) corpus.splice(at, 1, `edited at ${at}`);
    corpus.splice(Math.floor(corpus.length / 2), 5000, ...lines(5000, 'rewritten').split('\n').slice(0, -1));
    write(root, 'corpus.txt', corpus.join('\n'));
    const out = fs.openSync(path.join(root, 'huge.txt'), 'w');
    let n = 0;
    for (let i = 0; n < opts.hugeBytes; i++) {
      const chunk = `${i} ${'lorem ipsum dolor sit amet '.repeat(3)}${i % 7}\n`.repeat(1000);
      fs.writeSync(out, chunk);
      n += chunk.length;
    }
    fs.closeSync(out);
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-qm', 'rename, binary, secrets');
  return { root, base, head: git(root, 'rev-parse', 'HEAD') };
}
