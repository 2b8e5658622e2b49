// The Governance view's requests over real JSON-RPC: policy, audit timeline, export, verify.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApprovalView, AuditTimeline, ChatEventParams, PolicyView, rpc, VerifyResult } from '../../server/protocol';
import { DEFAULT_POLICY } from '../../server/trust/policy';
import { startOpenAIStub, textChunks, toolCallChunks } from '../stubs/openaiStub';
import { initialize, shutdown, spawnServer, type Spawned } from '../support/server';
import { gitRepo } from '../support/tmp';

describe('governance over JSON-RPC', function () {
  this.timeout(30_000);
  const live: Spawned[] = [];
  afterEach(async () => { for (const s of live.splice(0)) await shutdown(s); });
  async function open(ws: string, init: Record<string, unknown> = {}, env: NodeJS.ProcessEnv = {}) {
    const s = spawnServer({ TORBIT_DATA_DIR: '', TORBIT_ENV: '', TORBIT_AUDIT_SIGNING_SECRET: '', ...env });
    live.push(s);
    await initialize(s, { workspaceFolders: [ws], trusted: true, ...init });
    return s;
  }

  it('reports the policy and its sha256, and refuses it when the pinned hash differs', async () => {
    const ws = gitRepo();
    fs.mkdirSync(path.join(ws, '.torbit'));
    const text = JSON.stringify(DEFAULT_POLICY);
    fs.writeFileSync(path.join(ws, '.torbit/policy.json'), text);
    const hash = createHash('sha256').update(text).digest('hex');
    const s = await open(ws, { policyHash: hash });
    const p = PolicyView.parse(await s.conn.sendRequest(rpc.policyGet.method, {}));
    assert.deepEqual([p.source, p.hash, p.error], ['file', hash, null]);
    const s2 = await open(ws, { policyHash: 'b'.repeat(64) });
    const p2 = PolicyView.parse(await s2.conn.sendRequest(rpc.policyGet.method, {}));
    assert.match(p2.error!, /pins b{64}; the policy is refused/);
  });

  it('lists the audit timeline of a chat turn with filters, exports a signed bundle and verifies it', async () => {
    const ws = gitRepo();
    const stub = await startOpenAIStub();
    try {
      const s = await open(ws, {}, { TORBIT_AUDIT_SIGNING_SECRET: 'ops' });
      let ended = false;
      s.conn.onNotification(rpc.chatEvent.method, (p: unknown) => { if (ChatEventParams.parse(p).event.type === 'turn-end') ended = true; });
      // The person approves the write when asked.
      s.conn.onNotification(rpc.approvalRequested.method, (p: unknown) => {
        void s.conn.sendRequest(rpc.approvalDecide.method, { approvalId: ApprovalView.parse(p).id, approve: true });
      });
      stub.enqueue(
        { kind: 'stream', chunks: toolCallChunks([{ id: 'w', name: 'write_file', args: { path: 'n.md', content: 'x' } }, { id: 'l', name: 'list_files', args: {} }], 2) },
        { kind: 'stream', chunks: textChunks('ok', 1) },
      );
      const { sessionId } = await s.conn.sendRequest<{ sessionId: string }>(rpc.chatSend.method, { text: 'note it', model: 'openai-compatible:m', baseUrl: stub.baseURL });
      while (!ended) await new Promise((r) => setTimeout(r, 20));
      const t = AuditTimeline.parse(await s.conn.sendRequest(rpc.auditList.method, {}));
      assert.equal(t.total, 9);
      // Newest first. Each call is judged as it arrives, then the calls run in order: the
      // policy asks about the write and the person approves it, the policy allows the listing.
      assert.deepEqual(t.entries.map((e) => `${e.kind}/${e.actor}/${e.tool ?? ''}/${e.outcome ?? ''}`).reverse(), [
        'prompt/user//', 'decision/policy/write_file/ask', 'decision/user/write_file/approved', 'decision/policy/list_files/allow',
        'checkpoint/system//before-turn', 'change/system/write_file/create', 'tool-call/model/write_file/ok', 'tool-call/model/list_files/ok',
        'checkpoint/system//after-turn',
      ]);
      assert.ok(t.entries.every((e, i) => i === 0 || e.seq < t.entries[i - 1]!.seq), 'newest first');
      assert.deepEqual([t.chain.ok, t.sessions, t.tools], [true, [sessionId], ['list_files', 'write_file']]);
      // The kinds of the whole log, counted, for the view's filter (by the log's own record kinds).
      assert.deepEqual(t.kinds, { prompt: 1, decision: 3, checkpoint: 2, change: 1, 'tool-call': 2 });
      const decided = AuditTimeline.parse(await s.conn.sendRequest(rpc.auditList.method, { kind: 'decision' }));
      assert.deepEqual([decided.entries.map((e) => e.outcome), decided.total, decided.kinds], [['allow', 'approved', 'ask'], 9, t.kinds]);
      const onlyWrites = AuditTimeline.parse(await s.conn.sendRequest(rpc.auditList.method, { tool: 'write_file' }));
      assert.deepEqual(onlyWrites.entries.map((e) => e.kind), ['tool-call', 'change', 'decision', 'decision']);
      const approved = AuditTimeline.parse(await s.conn.sendRequest(rpc.auditList.method, { kind: 'decision', outcome: 'approved' }));
      assert.deepEqual(approved.entries.map((e) => [e.actor, e.summary]), [['user', 'approved n.md: approved by the user']]);
      const created = AuditTimeline.parse(await s.conn.sendRequest(rpc.auditList.method, { outcome: 'create' }));
      assert.deepEqual(created.entries.map((e) => e.summary), ['create n.md']);
      const ex = await s.conn.sendRequest<{ file: string; records: number; signedBy: { kind: string }[] }>(rpc.auditExport.method, {});
      assert.equal(ex.records, 9);
      assert.deepEqual(ex.signedBy.map((x) => x.kind), ['ed25519', 'hmac']);
      const list = await s.conn.sendRequest<{ bundles: { file: string }[] }>(rpc.auditBundles.method, {});
      assert.deepEqual(list.bundles.map((b) => b.file), [ex.file]);
      const v = VerifyResult.parse(await s.conn.sendRequest(rpc.auditVerify.method, { file: ex.file }));
      assert.deepEqual([v.ok, v.records, v.verifiedBy.length], [true, 9, 2]);
      // A changed byte in the payload: the view is told it is not valid, and why.
      const doc = JSON.parse(fs.readFileSync(ex.file, 'utf8'));
      doc.payload = `${doc.payload.slice(0, 40)}${doc.payload[40] === 'A' ? 'B' : 'A'}${doc.payload.slice(41)}`;
      fs.writeFileSync(ex.file, JSON.stringify(doc));
      const bad = VerifyResult.parse(await s.conn.sendRequest(rpc.auditVerify.method, { file: ex.file }));
      assert.equal(bad.ok, false);
      assert.match(bad.reason!, /does not verify|not JSON|not valid/);
      // Only bundles in the exports folder: the view cannot make the backend read other files.
      await assert.rejects(s.conn.sendRequest(rpc.auditVerify.method, { file: path.join(ws, 'n.md') }), /only bundles in .*exports can be verified/);
    } finally {
      await stub.close();
    }
  });
});
