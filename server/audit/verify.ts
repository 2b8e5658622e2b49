// Offline verification of an audit bundle (DSSE envelope or Sigstore bundle): signatures by
// trusted keys chosen by key id (or, for a signature without one, whichever verifies; a Sigstore
// bundle's hint must name the key that verified), every subject digest against the records, chain continuity.
import { createHmac, timingSafeEqual, verify as edVerify, type KeyObject } from 'node:crypto';
import { describeZodError } from '../protocol';
import { DsseEnvelope, fileSubjects, pae, PAYLOAD_TYPE, recordSubjects, SigstoreBundle, Statement, type Subject } from './bundle';
import { verifyChain } from './record';
import type * as z from 'zod';

export interface TrustedKeys {
  ed25519: Map<string, KeyObject>;
  hmac: Map<string, Buffer>;
}

export type BundleCheck =
  | { ok: true; format: 'dsse' | 'sigstore'; verifiedBy: string[]; records: number; head: string; files: number }
  | { ok: false; reason: string };

const fail = (reason: string): BundleCheck => ({ ok: false, reason });

export function verifyBundle(text: string, keys: TrustedKeys): BundleCheck {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    return fail(`not a bundle: the file is not valid JSON (${(err as Error).message})`);
  }
  let envelope: DsseEnvelope;
  let format: 'dsse' | 'sigstore';
  let hint: string | undefined;
  if (json && typeof json === 'object' && 'mediaType' in json) {
    const s = SigstoreBundle.safeParse(json);
    if (!s.success) return fail(`not a valid Sigstore bundle: ${describeZodError(s.error)}`);
    envelope = s.data.dsseEnvelope;
    hint = s.data.verificationMaterial.publicKey.hint;
    format = 'sigstore';
  } else {
    const e = DsseEnvelope.safeParse(json);
    if (!e.success) return fail(`not a valid DSSE envelope: ${describeZodError(e.error)}`);
    envelope = e.data;
    format = 'dsse';
  }
  if (envelope.payloadType !== PAYLOAD_TYPE) return fail(`unexpected payloadType ${JSON.stringify(envelope.payloadType)} (expected ${PAYLOAD_TYPE})`);
  const payload = Buffer.from(envelope.payload, 'base64');
  if (payload.toString('base64') !== envelope.payload) return fail('the payload is not valid base64');
  const message = pae(envelope.payloadType, payload);

  const verifiedBy: string[] = [];
  for (const s of envelope.signatures) {
    const sig = Buffer.from(s.sig, 'base64');
    // Canonical base64 only: otherwise the unused bits before '=' padding could change unnoticed.
    if (sig.toString('base64') !== s.sig) return fail(`the signature by key ${named(s.keyid)} is not canonical base64`);
    if (!s.keyid) {
      // No key id (DSSE allows that): the signature is by whichever trusted key verifies it, if any.
      const by = candidates(keys).find((k) => k.verifies(message, sig));
      if (by) verifiedBy.push(by.keyid);
      continue;
    }
    const key = candidates(keys).find((k) => k.keyid === s.keyid);
    if (!key) continue; // a signature by a key this verifier was not given
    if (!key.verifies(message, sig)) return fail(`the signature by key ${short(s.keyid)} does not verify: the bundle was changed after signing, or signed with another key`);
    verifiedBy.push(s.keyid);
  }
  if (!verifiedBy.length) {
    return fail(`no signature by a trusted key: the bundle is signed by ${envelope.signatures.map((s) => named(s.keyid)).join(', ')}; `
      + `trusted: ${[...keys.ed25519.keys(), ...keys.hmac.keys()].map(short).join(', ') || 'none (pass --pub or --secret-env)'}`);
  }
  // Sigstore tooling picks the key by the hint; a hint naming any other key would give it a different verdict.
  if (hint !== undefined && (verifiedBy[0] !== hint || !keys.ed25519.has(hint))) {
    return fail(`the Sigstore bundle's publicKey hint names key ${short(hint)}, but its signature verified under ${short(verifiedBy[0]!)}: `
      + 'the hint was changed, and Sigstore tooling would look up another key');
  }

  let statement: Statement;
  try {
    const parsed = Statement.safeParse(JSON.parse(payload.toString('utf8')));
    if (!parsed.success) return fail(`the signed statement is not a Torbit audit statement: ${describeZodError(parsed.error)}`);
    statement = parsed.data;
  } catch {
    return fail('the signed payload is not JSON');
  }
  const signers = new Set(statement.predicate.signers);
  const stranger = [...envelope.signatures.flatMap((s) => (s.keyid ? [s.keyid] : [])), ...verifiedBy].find((k) => !signers.has(k));
  if (stranger) return fail(`a signature claims key ${short(stranger)}, which the signed statement does not name as a signer (it names ${[...signers].map(short).join(', ')})`);
  const { records, chain } = statement.predicate;
  const c = verifyChain(records, chain.startPrev);
  if (!c.ok) return fail(`chain broken at record ${c.seq}: ${c.reason}`);
  if (records.length !== chain.count) return fail(`the statement says ${chain.count} records but holds ${records.length}`);
  if (c.head !== chain.head) return fail(`the chain head is ${short(c.head)}, but the statement names ${short(chain.head)}`);
  const mismatch = compareSubjects(statement.subject, [...recordSubjects(records), ...fileSubjects(records)]);
  if (mismatch) return fail(mismatch);
  return { ok: true, format, verifiedBy, records: records.length, head: chain.head, files: fileSubjects(records).length };
}

function compareSubjects(actual: z.infer<typeof Subject>[], expected: z.infer<typeof Subject>[]): string | undefined {
  const byName = new Map(actual.map((s) => [s.name, s.digest.sha256]));
  for (const e of expected) {
    const got = byName.get(e.name);
    if (got === undefined) return `subject ${e.name} is missing`;
    if (got !== e.digest.sha256) return `subject ${e.name} has digest ${short(got)}, but the records give ${short(e.digest.sha256)}`;
    byName.delete(e.name);
  }
  const extra = [...byName.keys()][0];
  return extra ? `subject ${extra} is not backed by any record` : undefined;
}

interface Candidate {
  keyid: string;
  verifies(message: Buffer, sig: Buffer): boolean;
}

/** Every trusted key, Ed25519 first, as something that checks a signature. */
function candidates(keys: TrustedKeys): Candidate[] {
  return [
    ...[...keys.ed25519].map(([keyid, pub]) => ({ keyid, verifies: (m: Buffer, sig: Buffer) => edVerify(null, m, pub, sig) })),
    ...[...keys.hmac].map(([keyid, secret]) => ({ keyid, verifies: (m: Buffer, sig: Buffer) => safeEqual(createHmac('sha256', secret).update(m).digest(), sig) })),
  ];
}

function safeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

function named(keyid: string | undefined): string {
  return keyid ? short(keyid) : '(no key id)';
}

function short(keyid: string): string {
  return keyid.length > 20 ? `${keyid.slice(0, 16)}…` : keyid;
}
