// The finished builds at EAS a submission can take (eas build:list), as choices for a person.
import type { BuildChoice, RunPlatform } from '../protocol';
import { EAS_NOT_FOUND } from './easCli';
import { easRunnerIn, listBuilds } from './easCommands';

export async function finishedBuilds(folder: string, platform: RunPlatform, env: NodeJS.ProcessEnv): Promise<BuildChoice[]> {
  const eas = easRunnerIn(folder, env);
  if (!eas) throw new Error(EAS_NOT_FOUND);
  const builds = await listBuilds(eas, platform);
  return builds.filter((b) => b.status === 'FINISHED').map((b) => ({
    id: b.id, platform: b.platform === 'IOS' ? 'ios' : 'android', profile: b.buildProfile ?? null, appVersion: b.appVersion ?? null,
    buildVersion: b.appBuildVersion ?? null, completedAt: b.completedAt ?? null, url: b.artifacts?.buildUrl ?? b.artifacts?.applicationArchiveUrl ?? null,
  }));
}
