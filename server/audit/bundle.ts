// Signed audit bundles: an in-toto Statement v1 about the audit records (and the files they
// changed), in a DSSE envelope signed with Ed25519 and HMAC-SHA256; or the same statement as a
// Sigstore bundle v0.3 (publicKey hint + DSSE) for standard Sigstore tooling.
import { createHmac, sign as edSign } from 'node:crypto';
import * as z from 'zod';
import { canonicalJson } from './canonical';
import { AuditRecord, GENESIS, type AuditBody } from './record';
import type { Signer } from './keys';

export const PAYLOAD_TYPE = 'application/vnd.in-toto+json';
export const STATEMENT_TYPE = 'https://in-toto.io/Statement/v1';
export const PREDICATE_TYPE = 'https://torbit.dev/audit-log/v1';
export const SIGSTORE_MEDIA_TYPE = 'application/vnd.dev.sigstore.bundle.v0.3+json';

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/);

export const Subject = z.object({ name: z.string().min(1), digest: z.object({ sha256: Hex64 }).strict() }).strict();

export const AuditPredicate = z.object({
  generator: z.object({ name: z.literal('torbit'), version: z.string() }).strict(),
  exportedAt: z.string(),
  filter: z.object({ sessionId: z.string().nullable(), since: z.string().nullable() }).strict(),
  /** The key ids that sign this statement: a signature under any other key id is a forgery. */
  signers: z.array(z.string().min(1)).min(1),
  chain: z.object({
    /** The hash the first record links to (GENESIS when the range starts the log). */
    startPrev: Hex64,
    /** The hash of the last record: the chain head. */
    head: Hex64,
    count: z.number().int().nonnegative(),
  }).strict(),
  records: z.array(AuditRecord),
}).strict();
export type AuditPredicate = z.infer<typeof AuditPredicate>;

export const Statement = z.object({
  _type: z.literal(STATEMENT_TYPE),
  subject: z.array(Subject),
  predicateType: z.literal(PREDICATE_TYPE),
  predicate: AuditPredicate,
}).strict();
export type Statement = z.infer<typeof Statement>;

export const DsseEnvelope = z.object({
  payloadType: z.string(),
  payload: z.string(),
  // keyid is optional in DSSE (an unauthenticated hint): a signature without one is tried against every trusted key.
  signatures: z.array(z.object({ keyid: z.string().optional(), sig: z.string().min(1) }).strict()).min(1),
}).strict();
export type DsseEnvelope = z.infer<typeof DsseEnvelope>;

export const SigstoreBundle = z.object({
  mediaType: z.literal(SIGSTORE_MEDIA_TYPE),
  /** Sigstore tooling looks the verification key up by this hint: verify insists it names the key that verified. */
  verificationMaterial: z.object({ publicKey: z.object({ hint: z.string().min(1) }).strict() }).passthrough(),
  // A Sigstore bundle's envelope carries exactly one signature (the key the hint names).
  dsseEnvelope: DsseEnvelope.extend({ signatures: DsseEnvelope.shape.signatures.length(1) }),
}).strict();
export type SigstoreBundle = z.infer<typeof SigstoreBundle>;

/** DSSE's pre-authentication encoding: what is signed. */
export function pae(payloadType: string, payload: Buffer): Buffer {
  const type = Buffer.from(payloadType, 'utf8');
  return Buffer.concat([Buffer.from(`DSSEv1 ${type.length} `), type, Buffer.from(` ${payload.length} `), payload]);
}

/** The files the records changed, each with the digest of its latest version in the range. */
export function fileSubjects(records: readonly AuditRecord[]): z.infer<typeof Subject>[] {
  const latest = new Map<string, string>();
  for (const r of records) {
    const body = JSON.parse(r.body) as AuditBody;
    if (body.kind !== 'change') continue;
    const { path, shaAfter } = body.data as { path?: unknown; shaAfter?: unknown };
    if (typeof path === 'string' && typeof shaAfter === 'string') latest.set(path, shaAfter);
  }
  return [...latest].sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, sha256]) => ({ name: `file:${name}`, digest: { sha256 } }));
}

export function recordSubjects(records: readonly AuditRecord[]): z.infer<typeof Subject>[] {
  return records.map((r) => ({ name: `audit-record:${r.seq}`, digest: { sha256: r.hash } }));
}

export function buildStatement(records: readonly AuditRecord[], o: { version: string; signers: readonly Signer[]; sessionId?: string; since?: string }): Statement {
  return {
    _type: STATEMENT_TYPE,
    subject: [...recordSubjects(records), ...fileSubjects(records)],
    predicateType: PREDICATE_TYPE,
    predicate: {
      generator: { name: 'torbit', version: o.version },
      exportedAt: new Date().toISOString(),
      filter: { sessionId: o.sessionId ?? null, since: o.since ?? null },
      signers: o.signers.map((x) => x.keyid),
      chain: { startPrev: records[0]?.prev ?? GENESIS, head: records.at(-1)?.hash ?? records[0]?.prev ?? GENESIS, count: records.length },
      records: [...records],
    },
  };
}

export function signatureOver(signer: Signer, message: Buffer): Buffer {
  return signer.kind === 'ed25519' ? edSign(null, message, signer.privateKey) : createHmac('sha256', signer.secret).update(message).digest();
}

export function signStatement(statement: Statement, signers: readonly Signer[]): DsseEnvelope {
  if (!signers.length) throw new Error('no signing key');
  const named = new Set(statement.predicate.signers);
  for (const s of signers) if (!named.has(s.keyid)) throw new Error(`the statement does not name signer ${s.keyid}`);
  const payload = Buffer.from(canonicalJson(statement), 'utf8');
  const message = pae(PAYLOAD_TYPE, payload);
  return {
    payloadType: PAYLOAD_TYPE,
    payload: payload.toString('base64'),
    signatures: signers.map((s) => ({ keyid: s.keyid, sig: signatureOver(s, message).toString('base64') })),
  };
}

/** The same statement for Sigstore tooling: only the Ed25519 signature, with its key as the hint. */
export function toSigstore(envelope: DsseEnvelope, ed25519KeyId: string): SigstoreBundle {
  const sig = envelope.signatures.find((s) => s.keyid === ed25519KeyId);
  if (!sig) throw new Error('the envelope has no Ed25519 signature');
  return {
    mediaType: SIGSTORE_MEDIA_TYPE,
    verificationMaterial: { publicKey: { hint: ed25519KeyId } },
    dsseEnvelope: { payloadType: envelope.payloadType, payload: envelope.payload, signatures: [sig] },
  };
}
