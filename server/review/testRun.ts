// Ship's first step: the project's own test command, run the way its authors run it (a shell at
// the repository's top), with its output streamed and its tail kept for the verdict.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';
import { runProcess, type ProcessRun } from '../runProcess';
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

export interface TestRun extends ProcessRun {
  passed: boolean;
}

export async function runTests(o: {
  root: string;
  command: string;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
  signal?: AbortSignal;
  output: (chunk: string) => void;
}): Promise<TestRun> {
  const r = await runProcess({
    command: o.command, shell: true, cwd: o.root, env: { ...o.env, CI: o.env.CI ?? '1' }, timeoutMs: o.timeoutMs, signal: o.signal, tailBytes: 4000, output: o.output,
  });
  return { ...r, passed: r.exitCode === 0 && !r.timedOut && !r.canceled };
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
