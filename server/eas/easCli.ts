// Which eas-cli Torbit runs: the project's own (a devDependency, as Expo recommends), else one on
// PATH; and its version, from `eas --version` (eas-cli/24.8.0 linux-x64 node-v24.21.0).
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface EasCli {
  path: string;
  version: string;
  source: 'project' | 'global';
}

function executable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/** What to say when there is no eas-cli to run. */
export const EAS_NOT_FOUND = 'eas-cli was not found: add it to the project (npm install --save-dev eas-cli) or install it globally';

/** Where `eas` is, without running it. */
export function locateEas(root: string, env: NodeJS.ProcessEnv): { path: string; source: 'project' | 'global' } | null {
  const local = path.join(root, 'node_modules', '.bin', process.platform === 'win32' ? 'eas.cmd' : 'eas');
  if (executable(local)) return { path: local, source: 'project' };
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    const f = path.join(dir, process.platform === 'win32' ? 'eas.cmd' : 'eas');
    if (executable(f)) return { path: f, source: 'global' };
  }
  return null;
}

export function easVersion(file: string, env: NodeJS.ProcessEnv, cwd: string): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, ['--version'], { cwd, env: { ...env, EXPO_NO_TELEMETRY: '1' }, timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      const m = /eas-cli\/(\d+\.\d+\.\d+[\w.+-]*)/.exec(stdout);
      if (m) resolve(m[1]!);
      else reject(new Error(err ? `${path.basename(file)} --version failed: ${(stderr || err.message).trim().split('\n')[0]}` : `${file} --version printed no eas-cli version`));
    });
  });
}

export async function findEas(root: string, env: NodeJS.ProcessEnv): Promise<EasCli | null> {
  const at = locateEas(root, env);
  if (!at) return null;
  return { ...at, version: await easVersion(at.path, env, root) };
}
