// The run's guard with the skills in use in front of it: a call their contracts (or allowed-tools)
// do not allow is refused, and audited, before the policy is asked; every other call goes on to
// the policy unchanged. Nothing here can approve: it only refuses.
import type { AuditLog } from '../audit/log';
import type { Logger } from '../logger';
import type { Proposal, RunGuard } from '../agent/tools/spec';
import { formatArgv } from '../trust/commandLine';
import { decide, type LoadedPolicy } from '../trust/policy';
import type { SkillSession } from './session';

function subjectOf(p: Proposal): string {
  switch (p.kind) {
    case 'read': return p.path;
    case 'edit': return p.change.target.display;
    case 'command': return formatArgv(p.argv, p.cwd.display);
  }
}

export function skillGuard(inner: RunGuard, skills: SkillSession, o: {
  audit: AuditLog; policy: () => LoadedPolicy; scope: { sessionId: string | null; turnId: string | null }; redact: (s: string) => string; log: Logger;
}): RunGuard {
  return {
    read: inner.read,
    gate: inner.gate,
    consume: (id) => inner.consume(id),
    protectedMatcher: () => inner.protectedMatcher(),
    async judge(call, onPending) {
      const lp = o.policy();
      const refusal = skills.check(call, () => decide(lp, { category: 'network', what: 'a skill\'s script', inside: true }).decision);
      if (refusal === undefined) return inner.judge(call, onPending);
      const reason = o.redact(refusal);
      await o.audit.append({
        kind: 'decision', actor: 'system', sessionId: o.scope.sessionId, turnId: o.scope.turnId,
        data: {
          toolCallId: call.toolCallId, tool: call.tool, subject: o.redact(subjectOf(call.proposal)), decision: 'deny', by: 'system', policyHash: lp.hash, reason,
          skills: skills.inUse().map((s) => ({ name: s.view.name, sha256: s.view.sha256 })),
        },
      }).catch((err: Error) => o.log.error(`audit: ${err.message}`));
      return { approved: false, reason: `refused by the skill contract before the policy was asked: ${reason}` };
    },
  };
}
