import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { replayTurn, resolveTurn } from '../../server/replay/replay';
import { silentLogger } from '../../server/logger';
import { chatHarness } from '../support/chatHarness';
import { scriptedModel } from '../support/mockModel';
import { tmpDir } from '../support/tmp';

describe('replay: a turn again from its checkpoint', () => {
  it('deterministic replay reproduces a turn; a changed input file makes it report the difference; live asks the model again; the workspace is never touched', async () => {
    const outside = path.join(tmpDir(), 'input.txt');
    fs.writeFileSync(outside, 'input v1\n');
    const recorded = [
      { text: ['Reading first.'], toolCalls: [{ id: 'r1', name: 'read_file', input: { path: 'src/app.js' } }] },
      { toolCalls: [{ id: 'w1', name: 'edit_file', input: { path: 'src/app.js', oldText: 'one', newText: 'two' } }, { id: 'c1', name: 'run_command', input: { command: 'cat', args: [outside] } }] },
      { text: ['Done: app.js says two.'] },
    ];
    const h = await chatHarness({ model: scriptedModel(recorded), files: { 'src/app.js': 'export const n = "one";\n' } });
    try {
      const { sessionId, turnId, done } = await h.chat.send({ text: 'make it two', model: 'openai:x' });
      assert.equal(await done, 'done');
      const cps = await h.backend.checkpoints({ log: silentLogger });
      const db = h.backend.requireDb();
      // Commands are judged again by the policy; here every ask is approved up front (torbit replay --approve).
      const deps = { db, checkpoints: cps, env: {}, trust: h.backend.trust({ pinnedHash: '', broker: null, approveAsks: true, log: silentLogger, env: process.env }) };
      assert.equal(await resolveTurn(db, `${sessionId.slice(0, 6)}:1`), turnId);
      const workspaceBefore = fs.readFileSync(path.join(h.ws, 'src/app.js'), 'utf8');

      const same = await replayTurn(deps, turnId, 'deterministic');
      assert.deepEqual(same.toolCalls.map((c) => [c.toolCallId, c.tool, c.same]), [['r1', 'read_file', true], ['w1', 'edit_file', true], ['c1', 'run_command', true]]);
      assert.deepEqual([same.files, same.filesCompared, same.text.same, same.same], [[], true, true, true]);
      assert.equal(fs.readFileSync(path.join(h.ws, 'src/app.js'), 'utf8'), workspaceBefore, 'the replay ran in a scratch copy');

      fs.writeFileSync(outside, 'input v2\n');
      const differs = await replayTurn(deps, turnId, 'deterministic');
      assert.equal(differs.same, false);
      const c1 = differs.toolCalls.find((c) => c.toolCallId === 'c1')!;
      assert.equal(c1.same, false);
      assert.match(c1.recorded!.output, /input v1/);
      assert.match(c1.replayed!.output, /input v2/);
      assert.ok(differs.toolCalls.filter((c) => c.toolCallId !== 'c1').every((c) => c.same));

      // Live: the model is asked again, with the same history and prompt; this time it answers differently.
      const again = scriptedModel([{ toolCalls: [{ id: 'x1', name: 'write_file', input: { path: 'src/app.js', content: 'three\n' } }] }, { text: ['Wrote three.'] }]);
      const live = await replayTurn({ ...deps, modelFactory: () => again }, turnId, 'live');
      assert.equal(live.same, false);
      assert.deepEqual(live.toolCalls.map((c) => [c.toolCallId, c.recorded === null, c.replayed?.status ?? null]),
        [['r1', false, null], ['w1', false, null], ['c1', false, null], ['x1', true, 'ok']]);
      assert.deepEqual(live.files.map((f) => f.path), ['src/app.js']);
      assert.equal(live.text.replayed, 'Wrote three.');
      assert.equal(JSON.stringify(again.doStreamCalls[0]!.prompt).includes('make it two'), true, 'the same prompt');
      assert.equal(fs.readFileSync(path.join(h.ws, 'src/app.js'), 'utf8'), workspaceBefore);
    } finally {
      await h.close();
    }
  });
});
