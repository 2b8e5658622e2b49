// Exporting the audit log as a signed bundle: shared by the CLI and the backend's request.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Backend } from '../backend';
import { VERSION } from '../version';
import { buildStatement, signStatement, toSigstore } from './bundle';
import { hmacSignerFromEnv, keyFile, keyIdOf, loadOrCreateSigningKey, type Signer } from './keys';
import type { TrustedKeys } from './verify';

/** Exports the (filtered) log as a signed bundle; returns what it wrote. */
export async function exportBundle(backend: Backend, env: NodeJS.ProcessEnv, o: { out: string; sessionId?: string; since?: string; format?: 'dsse' | 'sigstore' }) {
  const records = await backend.audit().records({ sessionId: o.sessionId, since: o.since });
  const ed = loadOrCreateSigningKey(backend.dataDir.dir);
  const signers: Signer[] = [ed];
  const hmac = hmacSignerFromEnv(env);
  if (hmac) signers.push(hmac);
  const statement = buildStatement(records, { version: VERSION, signers, sessionId: o.sessionId, since: o.since });
  const envelope = signStatement(statement, signers);
  const doc = o.format === 'sigstore' ? toSigstore(envelope, ed.keyid) : envelope;
  fs.mkdirSync(path.dirname(path.resolve(o.out)), { recursive: true });
  fs.writeFileSync(o.out, `${JSON.stringify(doc, null, 2)}\n`);
  await backend.audit().append({ kind: 'export', actor: 'user', data: { file: path.basename(o.out), format: o.format ?? 'dsse', records: records.length, head: statement.predicate.chain.head, signedBy: signers.map((s) => s.keyid) } });
  return { records: records.length, head: statement.predicate.chain.head, signers, publicPem: ed.publicPem };
}


/** The keys a workspace trusts by default: its own Ed25519 key (if made) and the env secret (if set). */
export function ownTrustedKeys(dataDir: string, env: NodeJS.ProcessEnv): TrustedKeys {
  const keys: TrustedKeys = { ed25519: new Map(), hmac: new Map() };
  if (fs.existsSync(keyFile(dataDir))) {
    const pub = loadOrCreateSigningKey(dataDir).publicKey;
    keys.ed25519.set(keyIdOf(pub), pub);
  }
  const hmac = hmacSignerFromEnv(env);
  if (hmac) keys.hmac.set(hmac.keyid, hmac.secret);
  return keys;
}
