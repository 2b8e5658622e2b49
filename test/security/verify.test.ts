// Red team: a hostile bundle presented to `torbit verify` (the built CLI), whose verdict must match
// what Sigstore tooling would say, and what the DSSE spec allows.
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { keyIdOf } from '../../server/audit/keys';
import { gitRepo, tmpDir } from '../support/tmp';

const CLI = path.join(__dirname, '../../dist/cli.js');
function torbit(cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, [CLI, ...args], {
    cwd, encoding: 'utf8',
    env: { ...process.env, TORBIT_DATA_DIR: '', TORBIT_ENV: '', TORBIT_AUDIT_SIGNING_SECRET: '', TORBIT_SIGNING_SECRET: '', ...env },
  });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const SECRET = { TORBIT_AUDIT_SIGNING_SECRET: 'ops-secret-1', TORBIT_AUDIT_SIGNING_KEY_ID: 'ops-2026' };

describe('red team: torbit verify against hostile bundles', function () {
  this.timeout(60_000);
  let ws: string;
  let pub: string;
  let otherPub: string;
  let dsse: { signatures: { keyid?: string; sig: string }[] };
  let sigstore: { verificationMaterial: { publicKey: { hint: string } } };
  const elsewhere = tmpDir();
  const write = (name: string, doc: unknown) => { const f = path.join(elsewhere, name); fs.writeFileSync(f, JSON.stringify(doc)); return f; };

  before(() => {
    ws = gitRepo();
    assert.equal(torbit(ws, ['migrate']).code, 0);
    const out = path.join(tmpDir(), 'audit.json');
    const e = torbit(ws, ['audit', 'export', '--out', out], SECRET);
    assert.equal(e.code, 0, e.err);
    dsse = JSON.parse(fs.readFileSync(out, 'utf8'));
    const sig = path.join(tmpDir(), 'audit.sigstore.json');
    assert.equal(torbit(ws, ['audit', 'export', '--out', sig, '--format', 'sigstore']).code, 0);
    sigstore = JSON.parse(fs.readFileSync(sig, 'utf8'));
    pub = path.join(tmpDir(), 'torbit.pem');
    assert.equal(torbit(ws, ['audit', 'pubkey', '--out', pub]).code, 0);
    otherPub = path.join(tmpDir(), 'other.pem');
    const other = gitRepo();
    assert.equal(torbit(other, ['audit', 'pubkey', '--out', otherPub]).code, 0);
  });

  it('the untouched Sigstore bundle verifies (the control)', () => {
    const r = torbit(elsewhere, ['verify', write('ok.json', sigstore), '--pub', pub]);
    assert.equal(r.code, 0, r.err);
  });

  it('a Sigstore bundle whose publicKey hint was changed fails, with the reason', () => {
    const tampered = write('hint.json', { ...sigstore, verificationMaterial: { publicKey: { hint: 'f'.repeat(64) } } });
    const r = torbit(elsewhere, ['verify', tampered, '--pub', pub]);
    assert.equal(r.code, 5, r.out);
    assert.match(r.err, /^torbit: hint\.json is NOT valid: the Sigstore bundle's publicKey hint names key f{16}…, but its signature verified under [0-9a-f]{16}…: the hint was changed/);
  });

  it('a Sigstore bundle whose hint names another trusted key fails', () => {
    const otherId = keyIdOf(createPublicKey(fs.readFileSync(otherPub)));
    for (const hint of [otherId, 'torbit-default']) {
      const r = torbit(elsewhere, ['verify', write('hint2.json', { ...sigstore, verificationMaterial: { publicKey: { hint } } }), '--pub', pub, '--pub', otherPub, '--secret-env', 'S:torbit-default'], { S: 'x' });
      assert.equal(r.code, 5, hint);
      assert.match(r.err, /publicKey hint names key .*: the hint was changed/, hint);
    }
  });

  it('a DSSE envelope without key ids verifies with the right public key, and says which key', () => {
    const bare = write('bare.json', { ...dsse, signatures: dsse.signatures.map(({ sig }) => ({ sig })) });
    const r = torbit(elsewhere, ['verify', bare, '--pub', pub, '--json']);
    assert.equal(r.code, 0, r.err);
    assert.deepEqual(JSON.parse(r.out).verifiedBy, [dsse.signatures[0]!.keyid]);
    const byHmac = torbit(elsewhere, ['verify', bare, '--secret-env', 'S:ops-2026', '--json'], { S: 'ops-secret-1' });
    assert.equal(byHmac.code, 0, byHmac.err);
    assert.deepEqual(JSON.parse(byHmac.out).verifiedBy, ['ops-2026']);
  });

  it('a DSSE envelope without key ids fails with a wrong key or a wrong secret', () => {
    const bare = write('bare2.json', { ...dsse, signatures: dsse.signatures.map(({ sig }) => ({ sig })) });
    const wrongKey = torbit(elsewhere, ['verify', bare, '--pub', otherPub]);
    assert.equal(wrongKey.code, 5);
    assert.match(wrongKey.err, /NOT valid: no signature by a trusted key: the bundle is signed by \(no key id\), \(no key id\)/);
    const wrongSecret = torbit(elsewhere, ['verify', bare, '--secret-env', 'S:ops-2026'], { S: 'guess' });
    assert.equal(wrongSecret.code, 5);
  });
});
