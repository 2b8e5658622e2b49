// Every CLI command opens the backend the same way: the workspace in the current directory, with
// the data directory its .vscode/settings.json names.
import { Backend } from '../backend';
import { stderrLogger } from '../logger';
import { readWorkspaceSettings } from './settings';

export function openWorkspaceBackend(o: { cwd: string; env: NodeJS.ProcessEnv; verbose?: boolean; mode: 'readonly' | 'migrate' }): Promise<Backend> {
  const settings = readWorkspaceSettings(o.cwd);
  return Backend.open({
    workspace: o.cwd,
    dataDirSetting: settings.dataDir,
    environmentSetting: settings.environment,
    env: o.env,
    log: stderrLogger(o.verbose === true),
    mode: o.mode,
  });
}
