// Creating or completing eas.json: the backend proposes the merge, the person approves the diff,
// and the write happens only if the file is still what the proposal was made from.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditLog } from '../audit/log';
import type { EasJsonProposal } from '../protocol';
import { EAS_JSON, EasJsonError, formatEasJson, mergeDefaults, parseEasJson, readEasJson, trackOf } from './easJson';

/** The defaults merged in; with `track`, the submit profile also set to that Google Play track. */
export function proposeEasJson(root: string, o: { track?: { profile: string; track: string } } = {}): EasJsonProposal {
  const file = path.join(root, EAS_JSON);
  const current = readEasJson(root);
  const merged = mergeDefaults(current?.raw ?? null);
  const changed: string[] = [];
  if (o.track && (!current || trackOf(current.json, o.track.profile) !== o.track.track)) {
    const submit = merged.json.submit as Record<string, Record<string, unknown>>;
    const profile = (submit[o.track.profile] ??= {});
    const android = profile.android as Record<string, unknown> | undefined;
    const field = `submit.${o.track.profile}.android.track`;
    // The profile's own value is the person's to see replaced; an inherited or default one is overridden.
    if (typeof android?.track === 'string') changed.push(`${field}: "${android.track}" → "${o.track.track}"`);
    else merged.added.push(`${field} = "${o.track.track}"`);
    profile.android = { ...android, track: o.track.track };
  }
  const any = merged.added.length > 0 || changed.length > 0;
  return { file, before: current?.text ?? null, after: any || !current ? formatEasJson(merged.json) : current.text, added: merged.added, changed };
}

export async function writeEasJson(d: { audit: AuditLog }, root: string, before: string | null, after: string): Promise<{ file: string }> {
  const file = path.join(root, EAS_JSON);
  const now = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  if (now !== before) throw new EasJsonError(`${EAS_JSON} changed since the proposal was made: look at it again`);
  parseEasJson(after);
  fs.writeFileSync(file, after);
  await d.audit.append({ kind: 'ship', actor: 'user', data: { action: 'eas-json', file, created: before === null, bytes: Buffer.byteLength(after) } });
  return { file };
}
