import * as assert from 'node:assert/strict';
import { createPublicKey, generateKeyPairSync } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildStatement, pae, PAYLOAD_TYPE, signatureOver, signStatement, toSigstore, type DsseEnvelope, type Statement } from '../../server/audit/bundle';
import { canonicalJson } from '../../server/audit/canonical';
import { hmacSignerFromEnv, keyIdOf, loadOrCreateSigningKey, type Ed25519Signer, type HmacSigner } from '../../server/audit/keys';
import { AuditLog } from '../../server/audit/log';
import { GENESIS, linkHash, verifyChain, type AuditRecord } from '../../server/audit/record';
import { verifyBundle, type TrustedKeys } from '../../server/audit/verify';
import { Backend } from '../../server/backend';
import { silentLogger } from '../../server/logger';
import { openStore } from '../../server/store/open';
import { Db } from '../../server/store/sqlite';
import { tmpDir } from '../support/tmp';

async function freshLog() {
  const dir = tmpDir();
  const file = path.join(dir, 'torbit.db');
  const { db } = await openStore(file, { mode: 'migrate' });
  return { dir, file, db, log: new AuditLog(db) };
}

async function fill(log: AuditLog, n: number): Promise<AuditRecord[]> {
  for (let i = 0; i < n; i++) {
    await log.append(i % 3 === 2
      ? { kind: 'change', actor: 'system', sessionId: 's1', turnId: 't1', data: { path: `src/f${i % 2}.ts`, shaAfter: `${String(i).padStart(2, '0')}${'a'.repeat(62)}` } }
      : { kind: i % 3 === 0 ? 'prompt' : 'tool-call', actor: i % 3 === 0 ? 'user' : 'model', sessionId: i < 6 ? 's1' : 's2', turnId: 't1', data: { i } });
  }
  return log.records();
}

const hmac: HmacSigner = { kind: 'hmac', keyid: 'torbit-default', secret: Buffer.from('shared-secret') };
function trusted(ed?: Ed25519Signer, h?: HmacSigner): TrustedKeys {
  return { ed25519: new Map(ed ? [[ed.keyid, ed.publicKey]] : []), hmac: new Map(h ? [[h.keyid, h.secret]] : []) };
}
function resign(env: DsseEnvelope, mutate: (s: Statement) => void, signers: (Ed25519Signer | HmacSigner)[]): string {
  const st = JSON.parse(Buffer.from(env.payload, 'base64').toString()) as Statement;
  mutate(st);
  return JSON.stringify(signStatement(st, signers));
}

describe('audit log', () => {
  it('canonical JSON is independent of key order and refuses what JSON cannot hold', () => {
    assert.equal(canonicalJson({ b: 1, a: [{ d: null, c: 'x' }], e: undefined }), '{"a":[{"c":"x","d":null}],"b":1}');
    assert.equal(canonicalJson({ z: { y: 2, x: 1 } }), canonicalJson({ z: { x: 1, y: 2 } }));
    assert.throws(() => canonicalJson({ n: NaN }), /NaN/);
    assert.throws(() => canonicalJson({ f: () => 1 }), /function/);
  });

  it('chains every record to the one before, from the genesis', async () => {
    const { log } = await freshLog();
    const recs = await fill(log, 5);
    assert.deepEqual(recs.map((r) => r.seq), [1, 2, 3, 4, 5]);
    assert.equal(recs[0]!.prev, GENESIS);
    for (let i = 1; i < recs.length; i++) assert.equal(recs[i]!.prev, recs[i - 1]!.hash);
    assert.deepEqual(await log.verify(), { ok: true, count: 5, head: recs[4]!.hash, first: 1 });
    assert.deepEqual(await log.head(), { seq: 5, hash: recs[4]!.hash });
  });

  it('refuses UPDATE and DELETE: the log is append-only', async () => {
    const { db, log } = await freshLog();
    await fill(log, 2);
    await assert.rejects(db.run("UPDATE audit SET body = '{}' WHERE seq = 1"), /append-only/);
    await assert.rejects(db.run('DELETE FROM audit WHERE seq = 2'), /append-only/);
    assert.equal((await log.verify()).ok, true);
  });

  it('reports the first broken link when someone edits the file behind Torbit\'s back', async () => {
    const { db, log } = await freshLog();
    await fill(log, 6);
    await db.exec('DROP TRIGGER audit_no_update');
    await db.run(`UPDATE audit SET body = replace(body, '"i":3', '"i":33') WHERE seq = 4`);
    const c = await log.verify();
    assert.deepEqual(c.ok ? 'ok' : [c.seq, c.reason], [4, 'record 4 was altered: its content no longer matches its hash']);
  });

  it('keeps one chain when two connections (the backend and the CLI) append at once', async () => {
    const { file, log } = await freshLog();
    const other = new AuditLog(await Db.open(file, 'readwrite'));
    await Promise.all(Array.from({ length: 40 }, (_, i) => (i % 2 ? log : other).append({ kind: 'note', actor: 'system', data: { i } })));
    const c = await log.verify();
    assert.equal(c.ok && c.count, 40);
  });

  it('verifyChain names missing, reordered and relinked records', () => {
    const recs = [1, 2, 3, 4].map((seq) => ({ seq, body: canonicalJson({ seq }), prev: '', hash: '' }));
    let prev = GENESIS;
    for (const r of recs) { r.prev = prev; r.hash = linkHash(prev, r.body); prev = r.hash; }
    assert.match((verifyChain([recs[0]!, recs[2]!]) as { reason: string }).reason, /record 2 is missing/);
    assert.match((verifyChain([recs[0]!, recs[1]!, recs[3]!, recs[2]!]) as { reason: string }).reason, /record 3 is missing|out of order/);
    assert.match((verifyChain([recs[1]!]) as { reason: string }).reason, /does not link/);
    assert.equal(verifyChain([recs[1]!, recs[2]!], recs[0]!.hash).ok, true, 'a range verifies from its stated start');
  });
});

describe('signed audit bundles', () => {
  let ed: Ed25519Signer;
  let records: AuditRecord[];
  let env: DsseEnvelope;
  let text: string;
  before(async () => {
    const { dir, log } = await freshLog();
    ed = loadOrCreateSigningKey(dir);
    records = await fill(log, 9);
    env = signStatement(buildStatement(records, { version: 't', signers: [ed, hmac] }), [ed, hmac]);
    text = JSON.stringify(env, null, 2);
  });

  it('creates the Ed25519 key once, 0600 in a 0700 folder, and refuses a key file others can read', () => {
    const dir = tmpDir();
    const a = loadOrCreateSigningKey(dir);
    const b = loadOrCreateSigningKey(dir);
    assert.equal(a.keyid, b.keyid);
    const file = path.join(dir, 'keys', 'audit-ed25519.pem');
    assert.equal(fs.statSync(file).mode & 0o777, 0o600);
    assert.equal(fs.statSync(path.dirname(file)).mode & 0o777, 0o700);
    fs.chmodSync(file, 0o644);
    assert.throws(() => loadOrCreateSigningKey(dir), /readable by others.*chmod 600/);
  });

  it('wraps an in-toto Statement v1 in DSSE, with record and file subjects, verified by either key', () => {
    assert.equal(env.payloadType, PAYLOAD_TYPE);
    assert.deepEqual(env.signatures.map((s) => s.keyid), [ed.keyid, 'torbit-default']);
    const st = JSON.parse(Buffer.from(env.payload, 'base64').toString()) as Statement;
    assert.equal(st._type, 'https://in-toto.io/Statement/v1');
    assert.equal(st.subject.length, 9 + 2);
    assert.deepEqual(st.subject.filter((s) => s.name.startsWith('file:')).map((s) => [s.name, s.digest.sha256.slice(0, 2)]), [['file:src/f0.ts', '08'], ['file:src/f1.ts', '05']]);
    assert.equal(st.predicate.chain.head, records.at(-1)!.hash);
    const byEd = verifyBundle(text, trusted(ed));
    assert.deepEqual(byEd.ok && [byEd.records, byEd.files, byEd.verifiedBy], [9, 2, [ed.keyid]]);
    const byHmac = verifyBundle(text, trusted(undefined, hmac));
    assert.deepEqual(byHmac.ok && byHmac.verifiedBy, ['torbit-default']);
  });

  it('exports an empty log as a valid, verifiable bundle', () => {
    const empty = JSON.stringify(signStatement(buildStatement([], { version: 't', signers: [ed] }), [ed]));
    const r = verifyBundle(empty, trusted(ed));
    assert.deepEqual(r.ok && [r.records, r.head], [0, GENESIS]);
  });

  it('fails on every single flipped byte of the file, with a reason', () => {
    const bytes = Buffer.from(text);
    const reasons = new Set<string>();
    for (let i = 0; i < bytes.length; i++) {
      const copy = Buffer.from(bytes);
      copy[i] = copy[i]! ^ 0x01;
      const r = verifyBundle(copy.toString('latin1'), trusted(ed, hmac));
      assert.equal(r.ok, false, `flipping byte ${i} went unnoticed: …${JSON.stringify(text.slice(Math.max(0, i - 30), i))} [${text[i]}] ${JSON.stringify(text.slice(i + 1, i + 10))}…`);
      if (!r.ok) reasons.add(r.reason.split(':')[0]!);
    }
    assert.ok(reasons.size >= 3, `several kinds of reasons: ${[...reasons].join(' | ')}`);
  });

  it('fails when a record is dropped or two are swapped, even if the bundle is re-signed', () => {
    const dropped = resign(env, (s) => { s.predicate.records.splice(3, 1); s.predicate.chain.count--; }, [ed]);
    assert.match((verifyBundle(dropped, trusted(ed)) as { reason: string }).reason, /chain broken at record 5: record 4 is missing/);
    const swapped = resign(env, (s) => { const r = s.predicate.records; [r[2], r[3]] = [r[3]!, r[2]!]; }, [ed]);
    assert.match((verifyBundle(swapped, trusted(ed)) as { reason: string }).reason, /chain broken at record 4: record 3 is missing/);
    const unsigned = JSON.stringify({ ...JSON.parse(dropped), signatures: env.signatures });
    assert.match((verifyBundle(unsigned, trusted(ed)) as { reason: string }).reason, /signature by key .* does not verify/);
  });

  it('fails when key ids are swapped, or no signature is by a trusted key', () => {
    const swapped = { ...env, signatures: [{ keyid: env.signatures[1]!.keyid, sig: env.signatures[0]!.sig }, { keyid: env.signatures[0]!.keyid, sig: env.signatures[1]!.sig }] };
    assert.match((verifyBundle(JSON.stringify(swapped), trusted(ed, hmac)) as { reason: string }).reason, /signature by key .* does not verify/);
    const renamed = { ...env, signatures: [{ ...env.signatures[0]!, keyid: 'not-a-signer' }, env.signatures[1]!] };
    assert.match((verifyBundle(JSON.stringify(renamed), trusted(ed, hmac)) as { reason: string }).reason, /claims key not-a-signer, which the signed statement does not name/);
    const stranger = generateKeyPairSync('ed25519').publicKey;
    const r = verifyBundle(text, { ed25519: new Map([[keyIdOf(stranger), stranger]]), hmac: new Map() });
    assert.match((r as { reason: string }).reason, /no signature by a trusted key/);
  });

  it('fails when a subject digest disagrees with the records, or a subject has no record', () => {
    const bad = resign(env, (s) => { s.subject.find((x) => x.name === 'file:src/f1.ts')!.digest.sha256 = 'f'.repeat(64); }, [ed]);
    assert.match((verifyBundle(bad, trusted(ed)) as { reason: string }).reason, /subject file:src\/f1\.ts has digest f{16}…, but the records give/);
    const extra = resign(env, (s) => { s.subject.push({ name: 'file:other.ts', digest: { sha256: 'a'.repeat(64) } }); }, [ed]);
    assert.match((verifyBundle(extra, trusted(ed)) as { reason: string }).reason, /subject file:other\.ts is not backed by any record/);
  });

  it('verifies bundles signed before a key rotation with the old keys, chosen by key id', () => {
    const dir = tmpDir();
    const old = loadOrCreateSigningKey(dir);
    const oldHmac = hmacSignerFromEnv({ TORBIT_AUDIT_SIGNING_SECRET: 'old', TORBIT_AUDIT_SIGNING_KEY_ID: 'k-2025' })!;
    const before = JSON.stringify(signStatement(buildStatement(records, { version: 't', signers: [old, oldHmac] }), [old, oldHmac]));
    fs.rmSync(path.join(dir, 'keys'), { recursive: true });
    const next = loadOrCreateSigningKey(dir);
    const nextHmac = hmacSignerFromEnv({ TORBIT_SIGNING_SECRET: 'new', TORBIT_AUDIT_SIGNING_KEY_ID: 'k-2026' })!;
    assert.notEqual(old.keyid, next.keyid);
    const after = JSON.stringify(signStatement(buildStatement(records, { version: 't', signers: [next, nextHmac] }), [next, nextHmac]));
    const all: TrustedKeys = { ed25519: new Map([[old.keyid, old.publicKey], [next.keyid, next.publicKey]]), hmac: new Map([['k-2025', Buffer.from('old')], ['k-2026', Buffer.from('new')]]) };
    const b = verifyBundle(before, all);
    const a = verifyBundle(after, all);
    assert.deepEqual(b.ok && b.verifiedBy.sort(), [old.keyid, 'k-2025'].sort());
    assert.deepEqual(a.ok && a.verifiedBy.sort(), [next.keyid, 'k-2026'].sort());
    assert.match((verifyBundle(before, trusted(next)) as { reason: string }).reason, /no signature by a trusted key/);
  });

  it('writes the same statement as a Sigstore bundle v0.3 that verifies with the public key', () => {
    const sig = toSigstore(env, ed.keyid);
    assert.equal(sig.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    assert.equal(sig.verificationMaterial.publicKey.hint, ed.keyid);
    assert.deepEqual(sig.dsseEnvelope.signatures.map((s) => s.keyid), [ed.keyid]);
    const r = verifyBundle(JSON.stringify(sig), trusted(ed));
    assert.deepEqual(r.ok && [r.format, r.records], ['sigstore', 9]);
    assert.equal(createPublicKey(ed.publicPem).asymmetricKeyType, 'ed25519');
  });

  it('refuses a Sigstore bundle whose publicKey hint does not name the key that verified it', () => {
    const good = toSigstore(env, ed.keyid);
    const other = loadOrCreateSigningKey(tmpDir());
    for (const hint of ['anything', other.keyid, 'torbit-default']) {
      const tampered = { ...good, verificationMaterial: { publicKey: { hint } } };
      const r = verifyBundle(JSON.stringify(tampered), { ...trusted(ed, hmac), ed25519: new Map([[ed.keyid, ed.publicKey], [other.keyid, other.publicKey]]) });
      assert.match((r as { reason: string }).reason, /publicKey hint names key .*, but its signature verified under [0-9a-f]{16}…: the hint was changed/, hint);
    }
    // Sigstore's own bundles leave the signature's keyid empty: the hint alone names the key.
    const anonymous = { ...good, dsseEnvelope: { ...good.dsseEnvelope, signatures: [{ keyid: '', sig: good.dsseEnvelope.signatures[0]!.sig }] } };
    const r = verifyBundle(JSON.stringify(anonymous), trusted(ed));
    assert.deepEqual(r.ok && [r.format, r.verifiedBy], ['sigstore', [ed.keyid]]);
    const two = { ...good, dsseEnvelope: env };
    assert.match((verifyBundle(JSON.stringify(two), trusted(ed, hmac)) as { reason: string }).reason, /not a valid Sigstore bundle/);
  });

  it('verifies a DSSE envelope without key ids by trying each trusted key, and says which one verified', () => {
    const bare = JSON.stringify({ ...env, signatures: env.signatures.map(({ sig }) => ({ sig })) });
    const byEd = verifyBundle(bare, trusted(ed));
    assert.deepEqual(byEd.ok && byEd.verifiedBy, [ed.keyid]);
    const byHmac = verifyBundle(bare, trusted(undefined, hmac));
    assert.deepEqual(byHmac.ok && byHmac.verifiedBy, ['torbit-default']);
    const both = verifyBundle(bare, trusted(ed, hmac));
    assert.deepEqual(both.ok && both.verifiedBy, [ed.keyid, 'torbit-default']);
    const stranger = loadOrCreateSigningKey(tmpDir());
    const wrong = verifyBundle(bare, { ed25519: new Map([[stranger.keyid, stranger.publicKey]]), hmac: new Map([['torbit-default', Buffer.from('guess')]]) });
    assert.match((wrong as { reason: string }).reason, /no signature by a trusted key: the bundle is signed by \(no key id\), \(no key id\)/);
    // A key the statement does not name as a signer verifies nothing, even without a key id to check.
    const message = pae(PAYLOAD_TYPE, Buffer.from(env.payload, 'base64'));
    const foreign = JSON.stringify({ ...env, signatures: [{ sig: signatureOver(stranger, message).toString('base64') }] });
    assert.match((verifyBundle(foreign, trusted(stranger)) as { reason: string }).reason, /claims key [0-9a-f]{16}…, which the signed statement does not name as a signer/);
  });
});

describe('environment modes', () => {
  it('outside dev, refuses to start without the signing secret; accepts it, or the legacy name', async () => {
    const ws = tmpDir();
    const open = (env: NodeJS.ProcessEnv, setting?: string) => Backend.open({ workspace: ws, dataDirSetting: '', env, log: silentLogger, mode: 'migrate', environmentSetting: setting });
    await assert.rejects(open({ TORBIT_ENV: 'production' }), /production mode but TORBIT_AUDIT_SIGNING_SECRET is not set/);
    await assert.rejects(open({}, 'staging'), /staging mode/);
    await assert.rejects(open({ TORBIT_ENV: 'prod' }), /use dev, staging or production/);
    const ok = await open({ TORBIT_ENV: 'production', TORBIT_SIGNING_SECRET: 'x' });
    assert.equal(ok.status().environment, 'production');
    await ok.close();
    const dev = await open({});
    assert.equal(dev.status().environment, 'dev');
    await dev.close();
  });
});
