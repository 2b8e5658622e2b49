// The backend's answers for the Governance view: the policy in force, the audit timeline, and
// signed bundles. Verification only reads bundles from the exports folder.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Backend } from '../backend';
import { exportBundle, ownTrustedKeys } from '../audit/export';
import { verifyChain, type AuditBody } from '../audit/record';
import { verifyBundle } from '../audit/verify';
import type { AuditEntryView, AuditTimeline, BundleInfo, PolicyView, VerifyResult } from '../protocol';
import { PolicyAcceptances } from './acceptances';
import { POLICY_FILE } from './policy';
import { acceptPolicy, policyInForce, type PolicyContext } from './policyAcceptance';

export class Governance {
  constructor(private readonly backend: Backend, private readonly o: { pinnedHash: string; env: NodeJS.ProcessEnv }) {}

  private get root(): string | null {
    return this.backend.workspace;
  }

  get exportsDir(): string {
    return path.join(this.backend.dataDir.dir, 'exports');
  }

  private context(): PolicyContext & { acceptances: PolicyAcceptances } {
    return { root: this.root, pinnedHash: this.o.pinnedHash, environment: this.backend.environment, acceptances: PolicyAcceptances.forUser(this.o.env) };
  }

  policy(): PolicyView {
    const lp = policyInForce(this.context());
    return {
      source: lp.source, path: path.join(this.root ?? this.backend.dataDir.dir, POLICY_FILE), hash: lp.hash, pinned: this.o.pinnedHash || null, error: lp.error ?? null,
      acceptance: lp.pending ? 'pending' : lp.accepted ? 'accepted' : lp.source,
      pending: lp.pending ?? null,
    };
  }

  /** The person accepts the loosening file with this sha256 (PolicyAcceptError when it changed since); audited. */
  async accept(sha256: string): Promise<PolicyView> {
    await acceptPolicy({ ...this.context(), audit: this.backend.audit(), sha256, via: 'in VS Code' });
    return this.policy();
  }

  async timeline(f: { sessionId?: string; tool?: string; kind?: string; outcome?: string; limit?: number }): Promise<AuditTimeline> {
    const records = await this.backend.audit().records();
    // The whole chain, from the records already read (not a second read of the log).
    const chain = verifyChain(records);
    const all = records.map((r) => view(r.seq, JSON.parse(r.body) as AuditBody));
    const entries = all
      .filter((e) => (!f.sessionId || e.sessionId === f.sessionId) && (!f.tool || e.tool === f.tool) && (!f.kind || e.kind === f.kind) && (!f.outcome || e.outcome === f.outcome))
      .reverse()
      .slice(0, f.limit ?? 500);
    return {
      entries,
      total: records.length,
      chain: chain.ok ? { ok: true, head: chain.count ? chain.head : null, error: null } : { ok: false, head: null, error: `record ${chain.seq}: ${chain.reason}` },
      sessions: [...new Set(all.map((e) => e.sessionId).filter((s): s is string => !!s))],
      tools: [...new Set(all.map((e) => e.tool).filter((t): t is string => !!t))].sort(),
      kinds: countKinds(all),
    };
  }

  async export(p: { sessionId?: string; format?: 'dsse' | 'sigstore' }) {
    const stamp = new Date().toISOString().replace(/[:.]/g, '-');
    const out = path.join(this.exportsDir, `audit-${stamp}${p.format === 'sigstore' ? '.sigstore' : ''}.json`);
    const r = await exportBundle(this.backend, this.o.env, { out, sessionId: p.sessionId, format: p.format });
    return { file: out, records: r.records, head: r.head, signedBy: r.signers.map((s) => ({ kind: s.kind, keyid: s.keyid })) };
  }

  bundles(): BundleInfo[] {
    if (!fs.existsSync(this.exportsDir)) return [];
    return fs.readdirSync(this.exportsDir).filter((n) => n.endsWith('.json')).map((name) => {
      const file = path.join(this.exportsDir, name);
      const st = fs.statSync(file);
      return { file, name, bytes: st.size, modified: st.mtime.toISOString() };
    }).sort((a, b) => (a.modified < b.modified ? 1 : -1));
  }

  verify(file: string): VerifyResult {
    const abs = path.resolve(file);
    if (path.dirname(abs) !== this.exportsDir) throw new Error(`only bundles in ${this.exportsDir} can be verified from the view`);
    if (!fs.existsSync(abs)) throw new Error(`${abs} does not exist`);
    const r = verifyBundle(fs.readFileSync(abs, 'utf8'), ownTrustedKeys(this.backend.dataDir.dir, this.o.env));
    return r.ok
      ? { file: abs, ok: true, reason: null, records: r.records, verifiedBy: r.verifiedBy }
      : { file: abs, ok: false, reason: r.reason, records: null, verifiedBy: [] };
  }
}

function view(seq: number, b: AuditBody): AuditEntryView {
  const d = b.data;
  const str = (k: string) => (typeof d[k] === 'string' ? d[k] : null);
  const base = { seq, ts: b.ts, kind: b.kind, actor: b.actor, sessionId: b.sessionId };
  switch (b.kind) {
    case 'prompt': {
      // A custom command's prompt names the file it came from, by hash.
      const c = d.command as { path?: unknown; sha256?: unknown } | undefined;
      const from = typeof c?.path === 'string' && typeof c.sha256 === 'string' ? ` (${c.path}, sha256 ${c.sha256.slice(0, 12)})` : '';
      return { ...base, tool: null, outcome: null, summary: `${truncate(str('text') ?? '')}${from}${truncate(instructionsNote(d.instructions))}` };
    }
    case 'note':
      if (d.note === 'instructions') return { ...base, tool: null, outcome: 'instructions', summary: truncate(`joined before model step ${typeof d.step === 'number' ? d.step + 1 : '?'}:${instructionsNote(d) || ' nothing new'}`) };
      return { ...base, tool: null, outcome: null, summary: truncate(JSON.stringify(d)) };
    case 'tool-call':
      return { ...base, tool: str('tool'), outcome: str('status'), summary: `${str('tool')} ${str('summary') ?? ''}${str('result') ? ` → ${str('result')}` : ''}` };
    case 'change':
      return { ...base, tool: str('tool'), outcome: str('change'), summary: `${str('change')} ${str('path')}` };
    case 'decision':
      return { ...base, tool: str('tool'), outcome: str('decision'), summary: `${str('decision')} ${str('subject') ?? ''}${str('reason') ? `: ${str('reason')}` : ''}` };
    case 'checkpoint': {
      const files = Array.isArray(d.folders) ? (d.folders as { files?: number }[]).reduce((n, f) => n + (f.files ?? 0), 0) : 0;
      return { ...base, tool: null, outcome: str('checkpoint'), summary: `checkpoint ${String(d.checkpointId)} (${str('checkpoint')}${str('label') ? `: ${str('label')}` : ''}), ${files} file(s)` };
    }
    case 'rollback':
      return {
        ...base, tool: null, outcome: str('mode'),
        summary: `restored checkpoint ${String(d.checkpointId)} (${str('mode')}): ${String(d.written)} file(s) written, ${String(d.removed)} removed${d.recovered ? ', completed after a crash' : ''}`,
      };
    case 'review':
      if (d.action === 'gate') {
        const review = typeof d.reviewId === 'number' ? ` (review ${d.reviewId})` : '';
        return { ...base, tool: null, outcome: d.allowed ? 'allowed' : 'refused', summary: `push of ${str('ref')} at ${String(str('sha')).slice(0, 12)} ${d.allowed ? `allowed${review}` : 'refused: no approved review covers it'}` };
      }
      if (d.action === 'ungated-push') return { ...base, tool: null, outcome: 'ungated', summary: `${str('ref')} pushed to ${String(str('sha')).slice(0, 12)} without the review gate (git push --no-verify)` };
      if (d.action === 'gate-installed') return { ...base, tool: null, outcome: 'installed', summary: `push gate installed: ${str('hook')}${str('chained') ? ` (runs ${str('chained')} first)` : ''}` };
      if (d.action === 'finish') return { ...base, tool: null, outcome: 'finish', summary: `baseline advanced to ${String(str('baseline')).slice(0, 12)} (review ${String(d.reviewId)}, commit ${String(str('commit')).slice(0, 12)})` };
      return {
        ...base, tool: null, outcome: str('verdict'),
        summary: `review ${String(d.reviewId)} of ${str('range')}: ${str('verdict')}${typeof d.blockers === 'number' ? `, ${d.blockers} blocker(s)` : ''}${d.simulated ? ' (simulated: cannot pass)' : ''}`,
      };
    case 'ship':
      if (d.action === 'heal') return { ...base, tool: null, outcome: 'heal', summary: `Ship heal round ${String(d.attempt)}: ${Array.isArray(d.files) ? d.files.length : 0} file(s) fixed for review ${String(d.reviewId)}, committed as ${String(str('commit')).slice(0, 12)}` };
      if (d.action === 'ship') return { ...base, tool: null, outcome: str('outcome'), summary: `Ship ${str('message') ?? str('outcome')}` };
      if (d.action === 'eas-run') return { ...base, tool: null, outcome: 'started', summary: `started ${str('run')} (run ${String(str('runId')).slice(0, 8)}; ${str('decision')})` };
      if (d.action === 'eas-run-end') return { ...base, tool: null, outcome: str('state'), summary: `${str('run')} ${str('state')} after ${String(d.attempts)} attempt(s)${str('error') ? `: ${str('error')}` : ''}` };
      if (d.action === 'eas-json') return { ...base, tool: null, outcome: d.created ? 'created' : 'updated', summary: `eas.json ${d.created ? 'created' : 'updated'} with Torbit's defaults (approved diff)` };
      return { ...base, tool: null, outcome: null, summary: truncate(JSON.stringify(d)) };
    case 'skill':
      return { ...base, tool: 'use_skill', outcome: 'loaded', summary: `skill ${str('name')} loaded from ${str('path')} (sha256 ${String(str('sha256')).slice(0, 12)}…)${d.contract ? ', under its contract' : ''}` };
    case 'policy': {
      const rule = d.rule as { match?: string; argv?: string[] } | undefined;
      return {
        ...base, tool: str('tool'), outcome: str('action'),
        summary: `${str('file')} ${d.created ? 'created' : 'changed'} by "Always allow": ${rule?.match ?? ''} [${(rule?.argv ?? []).join(' ')}] allowed; sha256 ${String(str('before') ?? 'none').slice(0, 12)} → ${String(str('after')).slice(0, 12)}`,
      };
    }
    case 'export':
      return { ...base, tool: null, outcome: null, summary: `exported ${String(d.records)} record(s) to ${str('file')}` };
    default:
      return { ...base, tool: null, outcome: null, summary: truncate(JSON.stringify(d)) };
  }
}

function countKinds(entries: readonly AuditEntryView[]): Record<string, number> {
  const n: Record<string, number> = {};
  for (const e of entries) n[e.kind] = (n[e.kind] ?? 0) + 1;
  return n;
}

/** ` [instructions: AGENTS.md, …]` for a record's instruction files (each is in the record with its sha256). */
function instructionsNote(v: unknown): string {
  const files = v && typeof v === 'object' && Array.isArray((v as { files?: unknown }).files) ? (v as { files: { path?: unknown }[] }).files : [];
  const names = files.map((f) => (typeof f.path === 'string' ? f.path : '?'));
  return names.length ? ` [instructions: ${names.join(', ')}]` : '';
}

function truncate(s: string, n = 120): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}
