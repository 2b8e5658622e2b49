// One audit record and its place in the chain. A record's hash covers its canonical body and the
// previous record's hash, so changing, dropping or reordering any record breaks every later link.
import { createHash } from 'node:crypto';
import * as z from 'zod';
import { canonicalJson } from './canonical';

export const GENESIS = '0'.repeat(64);

export const AuditKind = z.enum(['prompt', 'tool-call', 'decision', 'change', 'checkpoint', 'rollback', 'review', 'ship', 'export', 'note', 'policy']);
export type AuditKind = z.infer<typeof AuditKind>;

/** Who decided or acted: the policy (with its hash), the user, or Torbit itself. */
export const Actor = z.enum(['policy', 'user', 'system', 'model']);
export type Actor = z.infer<typeof Actor>;

export const AuditBody = z.object({
  seq: z.number().int().positive(),
  ts: z.string(),
  kind: AuditKind,
  actor: Actor,
  sessionId: z.string().nullable(),
  turnId: z.string().nullable(),
  data: z.record(z.string(), z.unknown()),
}).strict();
export type AuditBody = z.infer<typeof AuditBody>;

/** A record as stored and exported: its canonical body text, the previous hash and its own. */
export const AuditRecord = z.object({
  seq: z.number().int().positive(),
  body: z.string(),
  prev: z.string().regex(/^[0-9a-f]{64}$/),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
}).strict();
export type AuditRecord = z.infer<typeof AuditRecord>;

export function linkHash(prev: string, body: string): string {
  return createHash('sha256').update(prev).update('\n').update(body).digest('hex');
}

export function sealRecord(body: AuditBody, prev: string): AuditRecord {
  const text = canonicalJson(body);
  return { seq: body.seq, body: text, prev, hash: linkHash(prev, text) };
}

export type ChainCheck =
  | { ok: true; count: number; head: string; first: number | null }
  | { ok: false; seq: number; index: number; reason: string };

/**
 * Checks a run of records: each hash recomputes from its body and predecessor, sequence numbers
 * follow on, and each links to the one before. `prev` is the hash the run must start from
 * (GENESIS for a whole log; an exported range states its own).
 */
export function verifyChain(records: readonly AuditRecord[], startPrev: string = GENESIS): ChainCheck {
  let prev = startPrev;
  let expectSeq: number | undefined;
  for (let i = 0; i < records.length; i++) {
    const r = records[i]!;
    if (expectSeq !== undefined && r.seq !== expectSeq) {
      return { ok: false, seq: r.seq, index: i, reason: r.seq < expectSeq ? `record ${r.seq} is out of order (expected ${expectSeq})` : `record ${expectSeq} is missing (found ${r.seq} next)` };
    }
    if (r.prev !== prev) return { ok: false, seq: r.seq, index: i, reason: `record ${r.seq} does not link to the record before it (its prev is ${r.prev.slice(0, 12)}…, expected ${prev.slice(0, 12)}…)` };
    if (linkHash(r.prev, r.body) !== r.hash) return { ok: false, seq: r.seq, index: i, reason: `record ${r.seq} was altered: its content no longer matches its hash` };
    let seqInBody: unknown;
    try {
      seqInBody = (JSON.parse(r.body) as { seq?: unknown }).seq;
    } catch {
      return { ok: false, seq: r.seq, index: i, reason: `record ${r.seq} is not valid JSON` };
    }
    if (seqInBody !== r.seq) return { ok: false, seq: r.seq, index: i, reason: `record ${r.seq} carries sequence number ${String(seqInBody)} in its body` };
    prev = r.hash;
    expectSeq = r.seq + 1;
  }
  return { ok: true, count: records.length, head: prev, first: records[0]?.seq ?? null };
}
