// A repository's own policy needs the person's acceptance when it loosens the default: until the
// person accepted that exact file (its sha256), the built-in default is in force instead, and the
// reason is reported (the Governance view, VS Code's prompt, torbit chat's message). A policy that
// only tightens applies at once. Every acceptance is audited.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { AuditLog } from '../audit/log';
import type { PolicyAcceptances } from './acceptances';
import { loosenings } from './loosening';
import { defaultLoaded, loadPolicy, POLICY_FILE, type LoadedPolicy } from './policy';

export interface PolicyContext {
  /** The workspace root whose .torbit/policy.json is read, or null. */
  root: string | null;
  pinnedHash: string;
  environment?: 'dev' | 'staging' | 'production';
  /** The person's acceptances; none: nothing was accepted, so a loosening file never applies. */
  acceptances?: PolicyAcceptances;
}

/** The policy in force: the workspace's file when it only tightens or was accepted, else the default (with `pending`). */
export function policyInForce(c: PolicyContext): LoadedPolicy {
  const lp = loadPolicy(c.root, { pinnedHash: c.pinnedHash, environment: c.environment });
  // A refused file already makes every action ask: stricter than the default, nothing to accept.
  if (lp.source !== 'file' || lp.error || c.root === null) return lp;
  const loosens = loosenings(lp.policy);
  if (loosens.length === 0) return lp;
  if (c.acceptances?.has(c.root, lp.hash)) return { ...lp, accepted: true };
  return { ...defaultLoaded(), pending: { hash: lp.hash, loosens } };
}

/** Why the default is in force instead of the workspace's file, and how to accept it (for the CLI). */
export function pendingMessage(pending: NonNullable<LoadedPolicy['pending']>): string {
  return [
    `${POLICY_FILE} (sha256 ${pending.hash}) loosens the built-in default, and you have not accepted it:`,
    ...pending.loosens.map((l) => `  - ${l}`),
    'It was not applied: the built-in default is in force.',
    `To accept this exact file, run again with --accept-policy ${pending.hash}`,
  ].join('\n');
}

export class PolicyAcceptError extends Error {}

/**
 * Accepts the workspace's policy file with this sha256 for this folder, and audits it. Refused
 * (PolicyAcceptError, nothing recorded) when there is no file, the file's hash is another (it
 * changed since it was shown, or the hash is wrong), or the file is refused anyway.
 */
export async function acceptPolicy(c: PolicyContext & { acceptances: PolicyAcceptances; audit: AuditLog; sha256: string; via: string }): Promise<{ hash: string; loosens: string[] }> {
  if (c.root === null) throw new PolicyAcceptError('there is no workspace folder, so there is no policy to accept');
  const file = path.join(c.root, POLICY_FILE);
  if (!fs.existsSync(file)) throw new PolicyAcceptError(`there is no ${POLICY_FILE} in ${c.root} to accept`);
  const lp = loadPolicy(c.root, { pinnedHash: c.pinnedHash, environment: c.environment });
  const wanted = c.sha256.trim().toLowerCase();
  if (lp.hash !== wanted) {
    throw new PolicyAcceptError(`${POLICY_FILE} has sha256 ${lp.hash}, not ${wanted}: it changed since, or the hash is wrong; nothing was accepted`);
  }
  if (lp.error) throw new PolicyAcceptError(`${POLICY_FILE} cannot be accepted: ${lp.error}`);
  const loosens = loosenings(lp.policy);
  const problem = c.acceptances.problem();
  if (problem) throw new PolicyAcceptError(`nothing was accepted: ${problem}`);
  const at = new Date().toISOString();
  // Audited first: an acceptance in force always has its record.
  await c.audit.append({
    kind: 'decision', actor: 'user', sessionId: null, turnId: null,
    data: {
      tool: null, decision: 'policy-accepted', subject: `${POLICY_FILE} sha256 ${lp.hash}`, policyHash: lp.hash, folder: c.root,
      reason: loosens.length ? `accepted (${c.via}) although it loosens the default: ${loosens.join('; ')}` : `accepted (${c.via}); it loosens nothing`,
      loosens, store: c.acceptances.file,
    },
  });
  c.acceptances.add({ folder: c.root, sha256: lp.hash, at, loosens });
  return { hash: lp.hash, loosens };
}
