// Where Torbit keeps its data: TORBIT_DATA_DIR, else the torbit.dataDir setting, else a folder
// of the user's own, keyed by the first workspace folder's real path (or the extension's global
// storage with no folder open). Never inside the workspace by default: a repository could ship
// that folder, journals and database included.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { DataDirSource } from './protocol';

/** Where older Torbit kept the data of a workspace, inside it; migrated from once, in a trusted workspace. */
export const LEGACY_DIR_NAME = '.torbit-data';

export interface DataDirInput {
  env: NodeJS.ProcessEnv;
  setting: string;
  workspace: string | null;
  globalStorageDir?: string;
}

export interface DataDir {
  dir: string;
  source: DataDirSource;
}

function expand(p: string, base: string): string {
  const home = p === '~' || p.startsWith('~/') ? path.join(os.homedir(), p.slice(1)) : p;
  return path.resolve(base, home);
}

/** The user's data folder: XDG_DATA_HOME (when absolute), else the platform's usual place. */
export function dataHome(env: NodeJS.ProcessEnv, platform: NodeJS.Platform = process.platform): string {
  const xdg = env.XDG_DATA_HOME?.trim();
  if (xdg && path.isAbsolute(xdg)) return xdg;
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support');
  if (platform === 'win32' && env.LOCALAPPDATA?.trim()) return env.LOCALAPPDATA.trim();
  return path.join(os.homedir(), '.local', 'share');
}

/**
 * The default data directory of a workspace folder: `<data home>/torbit/workspaces/<name>-<key>`,
 * the key the first 16 hex digits of the sha256 of its real path. The extension and the CLI both
 * use it, so the CLI reads what the extension wrote for the same folder.
 */
export function workspaceDataDir(env: NodeJS.ProcessEnv, workspace: string): string {
  let real: string;
  try { real = fs.realpathSync(workspace); } catch { real = path.resolve(workspace); }
  const key = createHash('sha256').update(real).digest('hex').slice(0, 16);
  const name = path.basename(real).replace(/[^A-Za-z0-9._-]/g, '_').replace(/^\.+/, '').slice(0, 40) || 'workspace';
  return path.join(dataHome(env), 'torbit', 'workspaces', `${name}-${key}`);
}

export function resolveDataDir({ env, setting, workspace, globalStorageDir }: DataDirInput): DataDir {
  const base = workspace ?? process.cwd();
  const fromEnv = env.TORBIT_DATA_DIR?.trim();
  if (fromEnv) return { dir: expand(fromEnv, base), source: 'env' };
  if (setting.trim()) return { dir: expand(setting.trim(), base), source: 'setting' };
  if (workspace) return { dir: workspaceDataDir(env, workspace), source: 'workspace' };
  if (globalStorageDir) return { dir: globalStorageDir, source: 'global' };
  throw new Error('No workspace folder is open and no data directory is configured: set TORBIT_DATA_DIR or torbit.dataDir.');
}
