// Runs a program Torbit starts for the person (a test command, git push): output streamed and its
// tail kept, a timeout, and a stop that takes the program's children with it.
import { spawn } from 'node:child_process';
import { stopTree } from './killTree';

export interface ProcessRun {
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  canceled: boolean;
  durationMs: number;
  /** The last `tailBytes` of output (stdout and stderr as they came); a failure to start is appended. */
  tail: string;
  /** All of stdout when `keepStdout` was asked (up to 16 MB): a program's JSON answer. */
  stdout: string;
}

const MAX_STDOUT = 16 * 1024 * 1024;

export function runProcess(o: {
  /** A shell command line (`shell: true`) or a program. */
  command: string;
  args?: string[];
  shell?: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  signal?: AbortSignal;
  tailBytes: number;
  output?(chunk: string): void;
  keepStdout?: boolean;
  /** False: stdout (a JSON answer) stays out of `output`, still in the tail. */
  echoStdout?: boolean;
}): Promise<ProcessRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(o.command, o.args ?? [], {
      cwd: o.cwd, env: o.env, shell: o.shell ?? false, detached: process.platform !== 'win32', stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true,
    });
    let tail = '';
    let stdout = '';
    let timedOut = false;
    let canceled = false;
    const onText = (s: string, echo: boolean) => {
      if (echo) o.output?.(s);
      tail = (tail + s).slice(-o.tailBytes);
    };
    child.stdout.on('data', (d: Buffer) => {
      const s = d.toString('utf8');
      if (o.keepStdout && stdout.length < MAX_STDOUT) stdout += s;
      onText(s, o.echoStdout ?? true);
    });
    child.stderr.on('data', (d: Buffer) => onText(d.toString('utf8'), true));
    const timer = setTimeout(() => { timedOut = true; stopTree(child.pid); }, o.timeoutMs);
    const onAbort = () => { canceled = true; stopTree(child.pid); };
    o.signal?.addEventListener('abort', onAbort, { once: true });
    const end = (exitCode: number | null, signal: string | null, extra = '') => {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
      resolve({ exitCode, signal, timedOut, canceled, durationMs: Date.now() - started, tail: (tail + extra).slice(-o.tailBytes), stdout });
    };
    child.once('error', (err) => end(null, null, `\n${err.message}`));
    child.once('close', (code, signal) => end(code, signal));
  });
}
