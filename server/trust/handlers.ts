// Governance's requests: the policy in force, the audit log (timeline, export, verify) and the
// approvals waiting for the person.
import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import { rpc } from '../protocol';
import { callersFault, handler, type Handler } from '../rpc';
import type { ServerCtx } from '../ctx';
import * as os from 'node:os';
import { PolicyAcceptError } from './policyAcceptance';
import { PolicyProposalError } from './policyProposal';
import { PolicyRuleError, proposeRule, UnknownApprovalError, writeRule, type PolicyRuleDeps } from './policyRule';
import { UnknownAllowanceError } from './runTrust';
import { ConfinementError } from '../confine';

/** "Always allow…": a file that cannot take the rule, a changed hash, an approval gone are the caller's to correct. */
const ruleFault = <T>(fn: () => Promise<T> | T) => callersFault([
  [PolicyRuleError, ErrorCodes.InvalidRequest], [PolicyProposalError, ErrorCodes.InvalidRequest], [ConfinementError, ErrorCodes.InvalidRequest], [UnknownApprovalError, ErrorCodes.InvalidParams],
], fn);

function ruleDeps(ctx: ServerCtx): PolicyRuleDeps {
  return { trust: ctx.trust, approvals: ctx.approvals, audit: ctx.ready.audit(), by: userName() };
}

/** The person's user name, for the rule's note (the backend runs as them). */
function userName(): string {
  try { return os.userInfo().username || 'you'; } catch { return 'you'; }
}

export const trustHandlers: readonly Handler<ServerCtx>[] = [
  handler(rpc.policyGet, (ctx: ServerCtx) => ctx.governanceReady.policy()),
  // A hash that is not the file's (it changed, or never was) is the caller's to correct.
  handler(rpc.policyAccept, (ctx: ServerCtx, p) => callersFault([[PolicyAcceptError, ErrorCodes.InvalidRequest]], () => ctx.governanceReady.accept(p.sha256))),
  handler(rpc.policyProposeRule, (ctx: ServerCtx, p) => ruleFault(() => proposeRule(ruleDeps(ctx), p.approvalId))),
  handler(rpc.policyWriteRule, (ctx: ServerCtx, p) => ruleFault(() => writeRule(ruleDeps(ctx), p.approvalId, p.expectedHashBefore))),
  handler(rpc.auditList, (ctx: ServerCtx, p) => ctx.governanceReady.timeline(p)),
  handler(rpc.auditExport, (ctx: ServerCtx, p) => ctx.governanceReady.export(p)),
  handler(rpc.auditBundles, (ctx: ServerCtx) => ({ bundles: ctx.governanceReady.bundles() })),
  handler(rpc.auditVerify, (ctx: ServerCtx, p) => ctx.governanceReady.verify(p.file)),

  handler(rpc.approvalList, (ctx: ServerCtx) => ({ approvals: ctx.approvals.pending() })),
  handler(rpc.approvalGet, (ctx: ServerCtx, p) => {
    const found = ctx.approvals.get(p.approvalId);
    if (!found) throw new ResponseError(ErrorCodes.InvalidParams, `there is no pending approval ${p.approvalId} (it was decided, timed out or stopped)`);
    if (!found.text) throw new ResponseError(ErrorCodes.InvalidParams, `approval ${p.approvalId} is not an edit`);
    return { approval: found.approval, before: found.text.before, after: found.text.after };
  }),
  handler(rpc.allowanceList, (ctx: ServerCtx, p) => ({ allowances: ctx.trust.allowances.list(p?.sessionId) })),
  handler(rpc.allowanceRevoke, (ctx: ServerCtx, p) => callersFault([[UnknownAllowanceError, ErrorCodes.InvalidParams]],
    async () => { await ctx.trust.revokeAllowance(p.id); return { ok: true as const }; })),
  handler(rpc.approvalDecide, (ctx: ServerCtx, p) => {
    try {
      ctx.approvals.decide(p);
    } catch (err) {
      if (err instanceof ResponseError) throw err;
      throw new ResponseError(ErrorCodes.InvalidParams, (err as Error).message);
    }
    return { ok: true as const };
  }),
];
