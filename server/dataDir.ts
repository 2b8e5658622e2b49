// Where Torbit keeps its data: TORBIT_DATA_DIR, else the torbit.dataDir setting, else
// <first workspace folder>/.torbit-data (or the extension's global storage with no folder open).
import * as os from 'node:os';
import * as path from 'node:path';
import type { DataDirSource } from './protocol';

export const DEFAULT_DIR_NAME = '.torbit-data';

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

export function resolveDataDir({ env, setting, workspace, globalStorageDir }: DataDirInput): DataDir {
  const base = workspace ?? process.cwd();
  const fromEnv = env.TORBIT_DATA_DIR?.trim();
  if (fromEnv) return { dir: expand(fromEnv, base), source: 'env' };
  if (setting.trim()) return { dir: expand(setting.trim(), base), source: 'setting' };
  if (workspace) return { dir: path.join(workspace, DEFAULT_DIR_NAME), source: 'workspace' };
  if (globalStorageDir) return { dir: globalStorageDir, source: 'global' };
  throw new Error('No workspace folder is open and no data directory is configured: set TORBIT_DATA_DIR or torbit.dataDir.');
}
