// Every CLI command opens the backend the same way: the workspace in the current directory, with
// the data directory TORBIT_DATA_DIR names, else the workspace's own (server/dataDir.ts).
import { Backend } from '../backend';
import { stderrLogger } from '../logger';
import { readWorkspaceSettings } from './settings';

export async function openWorkspaceBackend(o: { cwd: string; env: NodeJS.ProcessEnv; verbose?: boolean; mode: 'readonly' | 'migrate' }): Promise<Backend> {
  const settings = readWorkspaceSettings(o.cwd);
  warnIgnored(settings.ignored);
  // No `trusted`: the CLI has no workspace trust to go by, so it never adopts a .torbit-data it finds (it says so).
  const backend = await Backend.open({
    workspace: o.cwd,
    dataDirSetting: settings.dataDir,
    environmentSetting: settings.environment,
    env: o.env,
    log: stderrLogger(o.verbose === true),
    mode: o.mode,
  });
  tellNotices(backend);
  return backend;
}

/**
 * Tells the person, on stderr and without --verbose, what the backend found wrong with its data
 * (notices from index `from` on): a journal set aside, an old data folder not used. Returns how many there are now.
 */
export function tellNotices(backend: Backend, from = 0): number {
  for (const n of backend.notices.slice(from)) process.stderr.write(`torbit: warning: ${n}\n`);
  return backend.notices.length;
}

/** Machine-scoped settings the repository's .vscode/settings.json tried to set. */
export function warnIgnored(keys: readonly string[]): void {
  for (const k of keys) process.stderr.write(`torbit: warning: ${k} in the workspace's .vscode/settings.json is ignored: only your own settings may set it, not the repository (use ${IGNORED_INSTEAD[k] ?? 'your user settings'})\n`);
}

const IGNORED_INSTEAD: Record<string, string> = {
  'torbit.dataDir': 'TORBIT_DATA_DIR',
  'torbit.openaiCompatible.baseUrl': '--base-url',
  'torbit.environment': 'TORBIT_ENV',
};
