// "Always allow…" on a pending approval: the backend proposes the rule for .torbit/policy.json
// from the session scope it offered on that approval (policyProposal.ts), and, once the person
// approved the diff, writes it. The extension names the approval and the file's sha256 it was
// shown, never a rule or a text: the write computes the proposal again and refuses if the file
// changed since. The write is audited, recorded as the person's acceptance of the new file (a rule
// that allows loosens the default, policyAcceptance.ts) and in force for the next action; it also
// approves the pending approval, as the button says.
import { createHash, randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { AuditLog } from '../audit/log';
import { confinedPath } from '../confine';
import type { PolicyRuleProposal } from '../protocol';
import type { ApprovalBroker } from './approvals';
import { loosenings } from './loosening';
import { POLICY_FILE, Policy } from './policy';
import { proposePolicyRule } from './policyProposal';
import type { Trust } from './runTrust';
import { proposeScope } from './sessionAllowances';

/** The rule cannot be proposed or written as asked (the caller's to correct; nothing was written). */
export class PolicyRuleError extends Error {}

/** An approval that is not pending (decided, timed out, stopped, or never was). */
export class UnknownApprovalError extends Error {}

export interface PolicyRuleDeps {
  trust: Trust;
  approvals: ApprovalBroker;
  audit: AuditLog;
  /** Who the note names as the rule's author (the person's user name). */
  by: string;
}

/** What "Always allow…" would write for this pending approval (nothing is written). */
export function proposeRule(d: PolicyRuleDeps, approvalId: string): PolicyRuleProposal {
  const found = d.approvals.get(approvalId);
  if (!found) throw new UnknownApprovalError(`there is no pending approval ${approvalId} (it was decided, timed out or stopped)`);
  const a = found.approval;
  const scope = a.sessionScope;
  if (!scope || !a.command) throw new PolicyRuleError('"Always allow" is offered only on a command the policy merely asks about (never on shell syntax, a shell, a wrapper, a program given by path, a rule that asks, or shipping)');
  if (scope.kind !== 'command') throw new PolicyRuleError('"Always allow" adds command rules only: the policy has no rules for single files');
  const root = d.trust.o.root;
  if (root === null) throw new PolicyRuleError('there is no workspace folder, so there is no .torbit/policy.json to add a rule to');
  const lp = d.trust.policy();
  // A repository's loosening file the person has not accepted: accepting the new file would
  // accept its loosenings too, unseen. It is reviewed on its own first.
  if (lp.pending) throw new PolicyRuleError(`${POLICY_FILE} loosens the built-in default and you have not accepted it: review it first (Torbit: Review the Repository's Policy), then add the rule`);
  if (lp.error) throw new PolicyRuleError(`the policy is refused (${lp.error}): fix it before adding a rule`);
  // The scope is the one the policy in force offers now; a policy changed since the ask offers another, or none.
  const now = proposeScope(lp, a.tool, { category: 'command', argv: a.command.argv, inside: true });
  if (!isDeepStrictEqual(now, scope)) throw new PolicyRuleError('the policy changed since this approval was asked, and no longer offers this scope: nothing is proposed');
  const file = policyFile(root);
  const bytes = fs.existsSync(file) ? fs.readFileSync(file) : null;
  // The approval's own date, so the proposal and the write compute the same text.
  const p = proposePolicyRule(bytes === null ? null : bytes.toString('utf8'), scope, { by: d.by, date: a.createdAt.slice(0, 10) });
  return {
    path: file, before: p.before, baseline: p.baseline, after: p.after, label: scope.label,
    rule: { match: p.rule.match === 'exact' ? 'exact' : 'prefix', argv: p.rule.argv, decision: 'allow', note: p.rule.note ?? '' },
    hashBefore: bytes === null ? null : sha256(bytes), hashAfter: sha256(p.after),
  };
}

type Written = { path: string; hash: string; rule: PolicyRuleProposal['rule']; approved: boolean };

/**
 * Writes the rule proposed for this approval, if the file is still the one shown (its sha256),
 * then approves the approval. One write at a time: two at once would both pass the check, and
 * the second would drop the first's rule.
 */
export function writeRule(d: PolicyRuleDeps, approvalId: string, expectedHashBefore: string | null): Promise<Written> {
  return d.trust.serially(() => writeNow(d, approvalId, expectedHashBefore));
}

async function writeNow(d: PolicyRuleDeps, approvalId: string, expectedHashBefore: string | null): Promise<Written> {
  // First of all: the file is the one whose diff the person approved, byte for byte.
  const root = d.trust.o.root;
  if (root === null) throw new PolicyRuleError('there is no workspace folder, so there is no .torbit/policy.json to add a rule to');
  const file = policyFile(root);
  const now = fs.existsSync(file) ? sha256(fs.readFileSync(file)) : null;
  if (now !== expectedHashBefore) {
    throw new PolicyRuleError(`${POLICY_FILE} changed since the rule was proposed (its sha256 is ${now ?? 'none: the file is gone'}, you were shown ${expectedHashBefore ?? 'no file'}): nothing was written; look at it again`);
  }
  const p = proposeRule(d, approvalId);
  if (p.hashBefore !== expectedHashBefore) throw new PolicyRuleError(`${POLICY_FILE} changed while the rule was computed: nothing was written; look at it again`);
  const acceptances = d.trust.o.acceptances;
  if (!acceptances) throw new PolicyRuleError('this backend keeps no acceptances of policies, so a rule it wrote would not apply');
  const problem = acceptances.problem();
  if (problem) throw new PolicyRuleError(`nothing was written: ${problem}`);
  const approval = d.approvals.get(approvalId)!.approval;
  const loosens = loosenings(Policy.parse(JSON.parse(p.after)));
  // Audited first, then accepted, then written: a rule in force always has its record, and the
  // file never sits unaccepted on disk (the person would be asked to accept their own rule).
  await d.audit.append({
    kind: 'policy', actor: 'user', sessionId: approval.sessionId, turnId: approval.turnId,
    data: {
      action: 'rule-added', file: POLICY_FILE, folder: root, created: p.before === null, before: p.hashBefore, after: p.hashAfter, policyHash: p.hashAfter,
      rule: p.rule, approvalId, tool: approval.tool, subject: p.label, sessionScope: approval.sessionScope,
      reason: `"Always allow" on an approval: ${p.rule.match} [${p.rule.argv.join(' ')}] allowed`,
    },
  });
  acceptances.add({ folder: root, sha256: p.hashAfter, at: new Date().toISOString(), loosens });
  writeAtomically(p.path, p.after);
  d.trust.reload();
  let approved = true;
  try {
    d.approvals.decide({ approvalId, approve: true, reason: `approved, and "Always allow" added ${p.rule.match} [${p.rule.argv.join(' ')}] to ${POLICY_FILE} (sha256 ${p.hashAfter})` });
  } catch {
    // Decided or timed out meanwhile: the rule stands, this action is as it was decided.
    approved = false;
  }
  return { path: p.path, hash: p.hashAfter, rule: p.rule, approved };
}

/** The policy file, refused if .torbit (a repository's symbolic link, say) leads outside the folder. */
function policyFile(root: string): string {
  try {
    return confinedPath([root], path.join(root, POLICY_FILE));
  } catch (err) {
    throw new PolicyRuleError(`${POLICY_FILE} cannot be written: ${(err as Error).message}`);
  }
}

/** A new file beside it, then renamed over it: a reader sees the old file or the new one, never half. */
function writeAtomically(file: string, text: string): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.policy.json.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  // 'wx': never through something already there (a planted link at that name).
  fs.writeFileSync(tmp, text, { flag: 'wx' });
  try {
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  }
}

function sha256(x: string | Buffer): string {
  return createHash('sha256').update(x).digest('hex');
}
