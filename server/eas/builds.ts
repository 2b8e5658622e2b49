// The finished builds at EAS a submission can take (eas build:list), as choices for a person.
import type { BuildChoice, RunPlatform } from '../protocol';
import { locateEas } from './easCli';
import { easRunner, listBuilds } from './easCommands';

export async function finishedBuilds(folder: string, platform: RunPlatform, env: NodeJS.ProcessEnv): Promise<BuildChoice[]> {
  const at = locateEas(folder, env);
  if (!at) throw new Error('eas-cli was not found: add it to the project (npm install --save-dev eas-cli) or install it globally');
  const builds = await listBuilds(easRunner(at.path, folder, env), platform);
  return builds.filter((b) => b.status === 'FINISHED').map((b) => ({
    id: b.id, platform: b.platform === 'IOS' ? 'ios' : 'android', profile: b.buildProfile ?? null, appVersion: b.appVersion ?? null,
    buildVersion: b.appBuildVersion ?? null, completedAt: b.completedAt ?? null, url: b.artifacts?.buildUrl ?? b.artifacts?.applicationArchiveUrl ?? null,
  }));
}
