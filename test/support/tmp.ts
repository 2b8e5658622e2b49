// Temporary workspaces for tests, optionally real git repositories; removed after the run.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createHash } from 'node:crypto';

const made: string[] = [];

export function tmpDir(prefix = 'torbit-test-'): string {
  const d = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), prefix)));
  made.push(d);
  return d;
}

export function gitRepo(): string {
  const d = tmpDir('torbit-repo-');
  execFileSync('git', ['init', '-q', '-b', 'main', d]);
  return d;
}

export function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

export function cleanupTmp(): void {
  for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

// Under mocha, clean up after the run; scripts (the benchmark) call cleanupTmp themselves.
if (typeof after === 'function') after(cleanupTmp);
