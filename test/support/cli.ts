// The `torbit` CLI as a person runs it: the bundled dist/cli.js in a fresh Node process, in `cwd`.
// TORBIT_DATA_DIR is cleared so that the machine's own setting cannot redirect a test's data.
import { spawn, spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const CLI = path.join(__dirname, '../../dist/cli.js');

export interface CliRun {
  code: number | null;
  out: string;
  err: string;
}

/** `base` is the environment `env` is laid over (default: this process's). */
export function torbit(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}, base: NodeJS.ProcessEnv = process.env): CliRun {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd, encoding: 'utf8', env: { ...base, TORBIT_DATA_DIR: '', ...env } });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** For commands that talk to a server in this process (a stub): spawnSync would block its event loop. */
export function torbitAsync(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliRun> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd, env: { ...process.env, TORBIT_DATA_DIR: '', ...env } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => { out += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    child.on('close', (code) => resolve({ code, out, err }));
  });
}
