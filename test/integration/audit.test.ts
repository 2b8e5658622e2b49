import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResponseError } from 'vscode-jsonrpc/node';
import { rpc, Status } from '../../server/protocol';
import { startOpenAIStub, textChunks, toolCallChunks } from '../stubs/openaiStub';
import { initialize, shutdown, spawnServer } from '../support/server';
import { torbit as cli, torbitAsync as cliAsync } from '../support/cli';
import { gitRepo, tmpDir } from '../support/tmp';

// The machine's own environment mode and signing secrets stay out of these runs.
const DEV = { TORBIT_ENV: '', TORBIT_AUDIT_SIGNING_SECRET: '', TORBIT_SIGNING_SECRET: '' };
const torbit = (cwd: string, args: string[], env: NodeJS.ProcessEnv = {}) => cli(cwd, args, { ...DEV, ...env });
const torbitAsync = (cwd: string, args: string[]) => cliAsync(cwd, args, DEV);

describe('audit from the CLI: export, offline verify, environment modes', function () {
  this.timeout(30_000);

  it('records a chat turn, verifies the chain, exports a signed bundle that verifies offline, and refuses a tampered one', async () => {
    const ws = gitRepo();
    fs.writeFileSync(path.join(ws, 'a.txt'), 'one\n');
    const stub = await startOpenAIStub();
    try {
      stub.enqueue(
        { kind: 'stream', chunks: toolCallChunks([{ id: 'w', name: 'write_file', args: { path: 'a.txt', content: 'two\n' } }], 3) },
        { kind: 'stream', chunks: textChunks('done', 1) },
      );
      const chat = await torbitAsync(ws, ['chat', 'change a.txt', '--model', 'openai-compatible:m', '--base-url', stub.baseURL, '--approve']);
      assert.equal(chat.code, 0, chat.err);
    } finally {
      await stub.close();
    }
    const v = torbit(ws, ['audit', 'verify', '--json']);
    assert.equal(v.code, 0, v.err);
    assert.equal(JSON.parse(v.out).count, 7, 'the prompt, the policy asking, the approval, the checkpoint before the change, the change, the tool call and the checkpoint after the turn, and nothing else yet');
    const secret = { TORBIT_AUDIT_SIGNING_SECRET: 'ops-secret-1', TORBIT_AUDIT_SIGNING_KEY_ID: 'ops-2026' };
    const out = path.join(tmpDir(), 'audit.json');
    const e = torbit(ws, ['audit', 'export', '--out', out, '--json'], secret);
    assert.equal(e.code, 0, e.err);
    assert.deepEqual(JSON.parse(e.out).signedBy.map((s: { kind: string }) => s.kind), ['ed25519', 'hmac']);
    const pub = path.join(tmpDir(), 'torbit.pem');
    assert.equal(torbit(ws, ['audit', 'pubkey', '--out', pub]).code, 0);
    // Anyone with the public key, anywhere, with no network.
    const elsewhere = tmpDir();
    const ok = torbit(elsewhere, ['verify', out, '--pub', pub, '--json']);
    assert.equal(ok.code, 0, ok.err);
    const r = JSON.parse(ok.out);
    assert.deepEqual([r.records, r.files], [7, 1]);
    const byHmac = torbit(elsewhere, ['verify', out, '--secret-env', 'S:ops-2026'], { S: 'ops-secret-1' });
    assert.equal(byHmac.code, 0, byHmac.err);
    const wrongSecret = torbit(elsewhere, ['verify', out, '--secret-env', 'S:ops-2026'], { S: 'guess' });
    assert.equal(wrongSecret.code, 5);
    assert.match(wrongSecret.err, /^torbit: audit\.json is NOT valid: the signature by key ops-2026 does not verify/);
    // In the workspace itself the defaults are its own key and the secret from the environment.
    assert.equal(torbit(ws, ['verify', out]).code, 0);
    const tampered = path.join(tmpDir(), 'tampered.json');
    const doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    const payload = JSON.parse(Buffer.from(doc.payload, 'base64').toString());
    const before = payload.predicate.records[0].body;
    payload.predicate.records[0].body = before.replace('change a.txt', 'nothing to see');
    assert.notEqual(payload.predicate.records[0].body, before, 'the tamper changes something');
    doc.payload = Buffer.from(JSON.stringify(payload)).toString('base64');
    fs.writeFileSync(tampered, JSON.stringify(doc));
    const bad = torbit(elsewhere, ['verify', tampered, '--pub', pub]);
    assert.equal(bad.code, 5);
    assert.equal(bad.err.split('\n').filter(Boolean).length, 1, 'one line');
    assert.match(bad.err, /NOT valid: the signature by key .* does not verify/);
    // The export itself is audited.
    assert.equal(JSON.parse(torbit(ws, ['audit', 'verify', '--json']).out).count, 8);
  });

  it('exports a Sigstore bundle v0.3 and an empty, still verifiable, log; filters by session and time', () => {
    const ws = tmpDir();
    const sig = path.join(tmpDir(), 'sig.json');
    assert.equal(torbit(ws, ['audit', 'export', '--out', sig, '--format', 'sigstore']).code, 0);
    const doc = JSON.parse(fs.readFileSync(sig, 'utf8'));
    assert.equal(doc.mediaType, 'application/vnd.dev.sigstore.bundle.v0.3+json');
    const pub = path.join(tmpDir(), 'k.pem');
    torbit(ws, ['audit', 'pubkey', '--out', pub]);
    const v = torbit(tmpDir(), ['verify', sig, '--pub', pub, '--json']);
    assert.equal(v.code, 0, v.err);
    assert.deepEqual([JSON.parse(v.out).format, JSON.parse(v.out).records], ['sigstore', 0]);
    const future = path.join(tmpDir(), 'f.json');
    assert.equal(torbit(ws, ['audit', 'export', '--out', future, '--since', '2999-01-01']).code, 0);
    assert.equal(JSON.parse(torbit(tmpDir(), ['verify', future, '--pub', pub, '--json']).out).records, 0);
    assert.equal(torbit(ws, ['audit', 'export', '--out', future, '--since', 'yesterday-ish']).code, 2);
    assert.equal(torbit(ws, ['audit', 'export']).code, 2);
    assert.equal(torbit(ws, ['audit', 'frobnicate']).code, 2);
    const noKeys = torbit(tmpDir(), ['verify', sig]);
    assert.equal(noKeys.code, 5);
    assert.match(noKeys.err, /no signature by a trusted key.*pass --pub or --secret-env/);
  });

  it('fails fast outside dev without the signing secret: the CLI and the backend', async () => {
    const ws = tmpDir();
    const cli = torbit(ws, ['migrate'], { TORBIT_ENV: 'production' });
    assert.equal(cli.code, 1);
    assert.equal(cli.err, 'torbit: Torbit is in production mode but TORBIT_AUDIT_SIGNING_SECRET is not set: audit bundles would not carry the operators\' HMAC signature. Set it (or run in dev).\n');
    const s = spawnServer({ TORBIT_DATA_DIR: '', TORBIT_ENV: '', TORBIT_AUDIT_SIGNING_SECRET: '' });
    try {
      await assert.rejects(initialize(s, { workspaceFolders: [ws], environment: 'staging' }), (err: ResponseError<unknown>) => /staging mode but TORBIT_AUDIT_SIGNING_SECRET is not set/.test(err.message));
    } finally {
      await shutdown(s);
    }
    const s2 = spawnServer({ TORBIT_DATA_DIR: '', TORBIT_ENV: 'production', TORBIT_AUDIT_SIGNING_SECRET: 'x' });
    try {
      await initialize(s2, { workspaceFolders: [ws] });
      assert.equal(Status.parse(await s2.conn.sendRequest(rpc.status.method, {})).environment, 'production');
    } finally {
      await shutdown(s2);
    }
  });
});
