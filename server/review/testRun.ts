// Ship's first step: the project's own test command, run the way its authors run it (a shell at
// the repository's top), with its output streamed and its tail kept for the verdict.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { stopTree } from '../killTree';
import { ReviewError } from './baseline';

/** The configured command, or `npm test` when package.json has a test script npm would not refuse. */
export function testCommandFor(root: string, configured: string): string {
  if (configured.trim()) return configured.trim();
  const pkg = path.join(root, 'package.json');
  const PackageJson = z.object({ scripts: z.record(z.string(), z.string()).optional() }).passthrough();
  let scripts: Record<string, string> | undefined;
  try {
    scripts = PackageJson.parse(JSON.parse(fs.readFileSync(pkg, 'utf8'))).scripts;
  } catch {
    scripts = undefined;
  }
  const test = scripts?.test;
  // npm init's placeholder fails on purpose: it is no test suite.
  if (test && !/no test specified/.test(test)) return 'npm test';
  throw new ReviewError('no test command: set torbit.ship.testCommand (e.g. "npm test", "pytest -q"); it runs in a shell at the repository\'s top');
}

export interface TestRun {
  passed: boolean;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  canceled: boolean;
  durationMs: number;
  /** The last lines of output (where a failure says why). */
  tail: string;
}

const TAIL_BYTES = 4000;

export function runTests(o: {
  root: string;
  command: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  output(chunk: string): void;
}): Promise<TestRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(o.command, {
      cwd: o.root, env: { ...o.env, CI: o.env.CI ?? '1' }, shell: true, detached: process.platform !== 'win32',
      stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true,
    });
    let tail = '';
    let timedOut = false;
    let canceled = false;
    const onData = (d: Buffer) => {
      const s = d.toString('utf8');
      o.output(s);
      tail = (tail + s).slice(-TAIL_BYTES);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => { timedOut = true; stopTree(child.pid); }, o.timeoutMs);
    const onAbort = () => { canceled = true; stopTree(child.pid); };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const end = (exitCode: number | null, signal: string | null, extra = '') => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve({ passed: exitCode === 0 && !timedOut && !canceled, exitCode, signal, timedOut, canceled, durationMs: Date.now() - started, tail: (tail + extra).slice(-TAIL_BYTES) });
    };
    child.once('error', (err) => end(null, null, `\n${err.message}`));
    child.once('close', (code, signal) => end(code, signal));
  });
}

/** One line on how a run ended. */
export function describeTestRun(command: string, r: TestRun): string {
  const secs = `${(r.durationMs / 1000).toFixed(1)} s`;
  if (r.canceled) return `${command}: stopped`;
  if (r.timedOut) return `${command} timed out after ${secs}`;
  if (r.passed) return `${command} passed in ${secs}`;
  const last = r.tail.trim().split('\n').slice(-3).join(' | ');
  return `${command} failed (${r.signal ? `killed by ${r.signal}` : `exit ${r.exitCode}`}) in ${secs}${last ? `: ${last}` : ''}`;
}
