// Starting a ship action: what must hold before anything is asked (an Expo app, eas.json with the
// profiles, eas-cli), then the "ship" policy (asks by default), then the audited start.
import { randomUUID } from 'node:crypto';
import type { AuditLog } from '../audit/log';
import { describeSpec, type RunSpec, type RunView } from '../protocol';
import type { Trust } from '../trust/runTrust';
import { expoProject } from '../eas/diagnose';
import { EAS_NOT_FOUND, locateEas } from '../eas/easCli';
import { EAS_JSON, readEasJson, trackOf } from '../eas/easJson';
import type { RunManager } from './manager';

/** A start refused before anything ran: the person's to fix. */
export class StartRefused extends Error {}

export function checkStart(folder: string, spec: RunSpec, env: NodeJS.ProcessEnv): void {
  const app = expoProject(folder).check;
  if (app.state !== 'ok') throw new StartRefused(`${folder} is not an Expo app: ${app.detail}`);
  const eas = readEasJson(folder);
  if (!eas) throw new StartRefused(`${EAS_JSON} is missing: run "Torbit: Pipeline Diagnostics" and create it`);
  if (spec.kind !== 'submit' && !eas.json.build?.[spec.profile]) {
    throw new StartRefused(`${EAS_JSON} has no build profile "${spec.profile}" (it has ${Object.keys(eas.json.build ?? {}).join(', ') || 'none'})`);
  }
  if (spec.kind !== 'build' && !eas.json.submit?.[spec.submitProfile]) {
    throw new StartRefused(`${EAS_JSON} has no submit profile "${spec.submitProfile}" (it has ${Object.keys(eas.json.submit ?? {}).join(', ') || 'none'})`);
  }
  if (spec.kind === 'submit' && !spec.buildId) throw new StartRefused('a submission needs the id of a finished build');
  if (spec.kind === 'build' && spec.buildId) throw new StartRefused('a build takes no build id');
  if (spec.track && spec.platform !== 'android') throw new StartRefused('a track is for Google Play (Android) submissions');
  if (spec.track && spec.kind !== 'build') {
    const has = trackOf(eas.json, spec.submitProfile);
    // eas submit has no --track: the submit profile decides, so it must say what the person chose.
    if (has !== spec.track) {
      throw new StartRefused(`the submit profile "${spec.submitProfile}" sends to the "${has}" track, not "${spec.track}": set submit.${spec.submitProfile}.android.track to "${spec.track}" in ${EAS_JSON}`);
    }
  }
  if (!locateEas(folder, env)) throw new StartRefused(EAS_NOT_FOUND);
}

export async function startRun(d: { runs: RunManager; trust: Trust; audit: AuditLog; env: NodeJS.ProcessEnv }, folder: string, spec: RunSpec): Promise<RunView> {
  checkStart(folder, spec, d.env);
  const what = describeSpec(spec);
  const id = `eas-${randomUUID()}`;
  const j = await d.trust.judgeShip({ id, tool: `eas ${spec.kind}`, what });
  if (!j.approved) throw new StartRefused(`${what}: ${j.reason}`);
  const run = await d.runs.start(folder, spec);
  await d.audit.append({ kind: 'ship', actor: 'user', data: { action: 'eas-run', runId: run.id, approval: id, run: what, folder, spec, decision: j.reason } });
  return run;
}
