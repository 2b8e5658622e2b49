// Red team: a replay must not turn one approval into a standing one. A recorded turn ran a command
// the person approved once; replaying it (deterministically: the model's recorded answer asks for
// the same command again) must ask again through the same policy and approvals, run nothing until
// approved, run nothing when rejected, and audit the decision.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { silentLogger } from '../../server/logger';
import { replayTurn } from '../../server/replay/replay';
import { ApprovalBroker, type PendingApproval } from '../../server/trust/approvals';
import { chatHarness } from '../support/chatHarness';
import { scriptedModel } from '../support/mockModel';
import { tmpDir } from '../support/tmp';

/** A broker whose requests a test decides, one at a time, when it means to. */
function personAtTheKeyboard() {
  const asked: PendingApproval[] = [];
  let wake: (() => void) | undefined;
  const broker = new ApprovalBroker({ timeoutMs: 60_000, onRequest: (p) => { asked.push(p); wake?.(); } });
  const nextRequest = async (): Promise<PendingApproval> => {
    while (asked.length === 0) await new Promise<void>((r) => { wake = r; });
    return asked.shift()!;
  };
  return { broker, nextRequest };
}

/** Records a turn whose run_command touches `marker`, approved by the person at the time. */
async function recordedTurn() {
  const marker = path.join(tmpDir('torbit-replay-marker-'), 'ran');
  const recording = personAtTheKeyboard();
  const h = await chatHarness({
    broker: recording.broker,
    model: scriptedModel([{ toolCalls: [{ id: 'c1', name: 'run_command', input: { command: 'touch', args: [marker] } }] }, { text: ['Done.'] }]),
  });
  const { turnId, done } = await h.chat.send({ text: 'touch the marker', model: 'openai:x' });
  const asked = await recording.nextRequest();
  assert.equal(asked.kind, 'command', 'the policy asks about touch');
  recording.broker.decide({ approvalId: asked.id, approve: true });
  assert.equal(await done, 'done');
  assert.ok(fs.existsSync(marker), 'the recorded turn ran it, approved');
  fs.rmSync(marker);
  const checkpoints = await h.backend.checkpoints({ log: silentLogger });
  const decisions = async () => (await h.backend.requireDb().all<{ body: string }>("SELECT body FROM audit WHERE kind = 'decision' ORDER BY seq"))
    .map((r) => JSON.parse(r.body) as { data?: { toolCallId?: string; decision?: string; by?: string } })
    .map((b) => b.data ?? (b as { toolCallId?: string; decision?: string; by?: string }));
  /** A deterministic replay with a person at the keyboard, up to the moment it asks about the command. */
  const replayAsking = async () => {
    const person = personAtTheKeyboard();
    const trust = h.backend.trust({ pinnedHash: '', broker: person.broker, log: silentLogger, env: process.env });
    const before = (await decisions()).length;
    const replay = replayTurn({ db: h.backend.requireDb(), checkpoints, env: {}, trust }, turnId, 'deterministic');
    const asked = await Promise.race([person.nextRequest(), replay.then(() => { throw new Error('the replay finished without asking'); })]);
    /** The tool call's decisions audited since the replay began, as [by, decision]. */
    const audited = async () => (await decisions()).slice(before).filter((d) => d.toolCallId === 'c1').map((d) => [d.by, d.decision]);
    return { person, replay, asked, audited };
  };
  return { h, turnId, marker, checkpoints, decisions, replayAsking };
}

describe('red team: replay asks again before it re-runs a command', function () {
  this.timeout(60_000);

  it('a deterministic replay waits for the person: the command runs only after it is approved again, and the approval is audited', async () => {
    const r = await recordedTurn();
    try {
      const { person, replay, asked, audited } = await r.replayAsking();
      assert.deepEqual([asked.kind, asked.command?.argv], ['command', ['touch', r.marker]]);
      assert.equal(fs.existsSync(r.marker), false, 'nothing ran while the person is asked');
      person.broker.decide({ approvalId: asked.id, approve: true });
      const report = await replay;
      assert.ok(fs.existsSync(r.marker), 'it ran once approved');
      assert.equal(report.toolCalls.find((c) => c.toolCallId === 'c1')?.replayed?.status, 'ok');
      assert.deepEqual(await audited(), [['policy', 'ask'], ['user', 'approved']]);
    } finally {
      await r.h.close();
    }
  });

  it('a rejected command is not run by the replay, and the rejection is audited', async () => {
    const r = await recordedTurn();
    try {
      const { person, replay, asked, audited } = await r.replayAsking();
      person.broker.decide({ approvalId: asked.id, approve: false, reason: 'not again' });
      const report = await replay;
      assert.equal(fs.existsSync(r.marker), false);
      const c1 = report.toolCalls.find((c) => c.toolCallId === 'c1')!;
      assert.equal(c1.replayed?.status, 'rejected');
      assert.equal(report.same, false, 'the replay reports that it did not reproduce the turn');
      assert.deepEqual(await audited(), [['policy', 'ask'], ['user', 'rejected']]);
    } finally {
      await r.h.close();
    }
  });

  it('headless (torbit replay without --approve), a command the policy asks about is not run', async () => {
    const r = await recordedTurn();
    try {
      const trust = r.h.backend.trust({ pinnedHash: '', broker: null, approveAsks: false, log: silentLogger, env: process.env });
      const report = await replayTurn({ db: r.h.backend.requireDb(), checkpoints: r.checkpoints, env: {}, trust }, r.turnId, 'deterministic');
      assert.equal(fs.existsSync(r.marker), false);
      assert.equal(report.toolCalls.find((c) => c.toolCallId === 'c1')?.replayed?.status, 'rejected');
      assert.ok((await r.decisions()).some((d) => d.toolCallId === 'c1' && d.by === 'system' && d.decision === 'rejected'));
    } finally {
      await r.h.close();
    }
  });

  it('a replay given no trust layer runs no command at all', async () => {
    const r = await recordedTurn();
    try {
      const report = await replayTurn({ db: r.h.backend.requireDb(), checkpoints: r.checkpoints, env: {} }, r.turnId, 'deterministic');
      assert.equal(fs.existsSync(r.marker), false);
      assert.equal(report.toolCalls.find((c) => c.toolCallId === 'c1')?.replayed?.status, 'rejected');
    } finally {
      await r.h.close();
    }
  });
});
