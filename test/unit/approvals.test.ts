import * as assert from 'node:assert/strict';
import { DecideParams } from '../../server/protocol';
import { ApprovalBroker, type ApprovalOutcome, type ApprovalRequest, type PendingApproval } from '../../server/trust/approvals';
import { applyHunks, hunksOf } from '../../server/trust/hunks';

describe('hunks of a proposed change', () => {
  const before = 'a\nb\nc\nd\ne\nf\n';
  const after = 'a\nB\nc\nd\nE\nE2\nf\n';

  it('splits a change into hunks, each with what it removes and adds', () => {
    const hs = hunksOf(before, after);
    assert.deepEqual(hs.map((h) => [h.index, h.oldStart, h.removed, h.added]), [
      [0, 1, ['b\n'], ['B\n']],
      [1, 4, ['e\n'], ['E\n', 'E2\n']],
    ]);
  });

  it('applies all, none, or some hunks exactly', () => {
    const hs = hunksOf(before, after);
    assert.equal(applyHunks(before, hs, new Set([0, 1])), after);
    assert.equal(applyHunks(before, hs, new Set()), before);
    assert.equal(applyHunks(before, hs, new Set([0])), 'a\nB\nc\nd\ne\nf\n');
    assert.equal(applyHunks(before, hs, new Set([1])), 'a\nb\nc\nd\nE\nE2\nf\n');
  });

  it('keeps CRLF line endings and a missing final newline; handles new and emptied files', () => {
    const crlf = 'one\r\ntwo\r\nthree\r\nfour';
    const changed = 'ONE\r\ntwo\r\nthree\r\nFOUR';
    const hs = hunksOf(crlf, changed);
    assert.equal(hs.length, 2);
    assert.equal(applyHunks(crlf, hs, new Set([0, 1])), changed);
    assert.equal(applyHunks(crlf, hs, new Set([0])), 'ONE\r\ntwo\r\nthree\r\nfour');
    assert.equal(applyHunks(crlf, hs, new Set([1])), 'one\r\ntwo\r\nthree\r\nFOUR', 'no final newline stays that way');
    // Appending after a last line without a newline changes that line too: one hunk.
    const appended = hunksOf('a\nlast', 'a\nlast\nmore');
    assert.deepEqual(appended.map((h) => [h.removed, h.added]), [[['last'], ['last\n', 'more']]]);
    const created = hunksOf('', 'x\ny\n');
    assert.deepEqual(created.map((h) => h.added), [['x\n', 'y\n']]);
    assert.equal(applyHunks('', created, new Set([0])), 'x\ny\n');
    assert.equal(applyHunks('gone\n', hunksOf('gone\n', ''), new Set([0])), '');
    assert.deepEqual(hunksOf('same\n', 'same\n'), []);
  });
});

describe('approval broker', () => {
  const req = (over: Partial<ApprovalRequest> = {}): ApprovalRequest => ({
    kind: 'edit', sessionId: 's', turnId: 't', toolCallId: 'c', tool: 'edit_file', title: 'src/a.ts', reason: 'edit inside the workspace: ask', why: { kind: 'category', category: 'edit', inside: true }, policyHash: 'h',
    edit: { path: 'src/a.ts', absPath: '/w/src/a.ts', created: false, hunks: [0, 1, 2].map((index) => ({ index, line: index * 10, removed: 1, added: 1 })) },
    ...over,
  });
  function broker(timeoutMs = 5000) {
    const requested: PendingApproval[] = [];
    const resolved: [PendingApproval, ApprovalOutcome][] = [];
    const b = new ApprovalBroker({ timeoutMs, onRequest: (p) => requested.push(p), onResolved: (p, o) => resolved.push([p, o]) });
    return { b, requested, resolved };
  }

  it('waits for approval, and tells who decided', async () => {
    const { b, requested, resolved } = broker();
    const waiting = b.request(req());
    assert.equal(requested.length, 1);
    assert.deepEqual(b.pending().map((p) => p.title), ['src/a.ts']);
    b.decide({ approvalId: requested[0]!.id, approve: true });
    assert.deepEqual(await waiting, { approved: true, by: 'user', hunks: null });
    assert.deepEqual(b.pending(), []);
    assert.equal(resolved.length, 1);
  });

  it('passes a rejection reason on to the model', async () => {
    const { b, requested } = broker();
    const waiting = b.request(req({ kind: 'command', title: 'rm -rf build', command: { argv: ['rm', '-rf', 'build'], cwd: '.', cwdAbs: '/w' }, edit: undefined }));
    b.decide({ approvalId: requested[0]!.id, approve: false, reason: 'keep the build folder' });
    assert.deepEqual(await waiting, { approved: false, by: 'user', reason: 'keep the build folder' });
  });

  it('counts no decision before the timeout as a rejection', async () => {
    const { b } = broker(50);
    const t0 = Date.now();
    const o = await b.request(req());
    assert.deepEqual([o.approved, o.by], [false, 'timeout']);
    assert.ok(Date.now() - t0 >= 45);
    assert.deepEqual(b.pending(), []);
  });

  it('approves some hunks of an edit; none approved is a rejection', async () => {
    const { b, requested } = broker();
    const one = b.request(req());
    b.decide({ approvalId: requested[0]!.id, approve: true, hunks: [2, 0, 2] });
    assert.deepEqual(await one, { approved: true, by: 'user', hunks: [0, 2] });
    const all = b.request(req());
    b.decide({ approvalId: requested[1]!.id, approve: true, hunks: [0, 1, 2] });
    assert.deepEqual(await all, { approved: true, by: 'user', hunks: null }, 'every hunk is a whole approval');
    const two = b.request(req());
    b.decide({ approvalId: requested[2]!.id, approve: true, hunks: [] });
    assert.deepEqual([(await two).approved, (await two).by], [false, 'user']);
  });

  it('refuses bad decisions and changes nothing: unknown id, missing hunk, hunks on a command, twice', async () => {
    const { b, requested } = broker();
    const waiting = b.request(req());
    const id = requested[0]!.id;
    assert.throws(() => b.decide({ approvalId: 'nope', approve: true }), /no pending approval nope/);
    assert.throws(() => b.decide({ approvalId: id, approve: true, hunks: [3] }), /hunk 3 does not exist \(the change has 3\)/);
    assert.equal(DecideParams.safeParse({ approvalId: id, approve: true, hunks: [1.5] }).success, false, 'hunks are whole numbers at the boundary');
    assert.equal(b.pending().length, 1, 'still waiting');
    b.decide({ approvalId: id, approve: true, hunks: [1] });
    await waiting;
    assert.throws(() => b.decide({ approvalId: id, approve: false }), /no pending approval/);
    const cmd = b.request(req({ kind: 'command', edit: undefined }));
    assert.throws(() => b.decide({ approvalId: requested[1]!.id, approve: true, hunks: [0] }), /only edits/);
    b.decide({ approvalId: requested[1]!.id, approve: true });
    assert.equal((await cmd).approved, true);
  });

  it('gives up at once when the run is stopped', async () => {
    const { b } = broker();
    const stop = new AbortController();
    const waiting = b.request(req(), { signal: stop.signal });
    stop.abort();
    assert.deepEqual(await waiting, { approved: false, by: 'stopped', reason: 'the run was stopped' });
    assert.deepEqual(b.pending(), []);
    const already = await b.request(req(), { signal: stop.signal });
    assert.equal(already.by, 'stopped');
  });
});
