// Which eas-cli Torbit runs: the project's own (a devDependency, as Expo recommends), else one on
// PATH; and its version, from `eas --version` (eas-cli/24.8.0 linux-x64 node-v24.21.0), or, where
// nothing may run (an untrusted workspace), from eas-cli's package.json next to the binary.
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { z } from 'zod';

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

const EasPackage = z.object({ name: z.literal('eas-cli'), version: z.string().regex(/^\d+\.\d+\.\d+[\w.+-]*$/) });
const MAX_PACKAGE_JSON_BYTES = 1024 * 1024;

function easPackageIn(dir: string): string | undefined {
  const file = path.join(dir, 'package.json');
  try {
    if (fs.statSync(file).size > MAX_PACKAGE_JSON_BYTES) return undefined;
    const parsed = EasPackage.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
    return parsed.success ? parsed.data.version : undefined;
  } catch {
    return undefined;
  }
}

/**
 * eas-cli's version without running anything: the package.json of the eas-cli package the binary
 * belongs to (node_modules/.bin/eas links into it), else the project's node_modules/eas-cli.
 * Undefined when neither says (a binary that is not an installed eas-cli package).
 */
export function easVersionFromFiles(file: string, root: string): string | undefined {
  let dir: string;
  try {
    dir = path.dirname(fs.realpathSync(file));
  } catch {
    return undefined;
  }
  // bin/run sits a level or two below the package root.
  for (let i = 0; i < 4; i++, dir = path.dirname(dir)) {
    const v = easPackageIn(dir);
    if (v) return v;
  }
  return easPackageIn(path.join(root, 'node_modules', 'eas-cli'));
}
