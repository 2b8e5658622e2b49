import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createModel } from '../../server/agent/models';
import { startDemoModel } from '../../scripts/lib/demoModel';
import { ApprovalBroker } from '../../server/trust/approvals';
import { chatHarness } from '../support/chatHarness';

describe('npm start demo model (for trying Torbit without a key)', () => {
  it('drives a whole turn through the real OpenAI-compatible provider: a write_file card, the file, then a summary', async () => {
    const demo = await startDemoModel();
    const h = await chatHarness({ modelFactory: createModel, env: {} });
    try {
      const { done, turnId } = await h.chat.send({ text: 'Add a changelog', model: 'openai-compatible:torbit-demo', baseUrl: demo.baseURL });
      assert.equal(await done, 'done');
      assert.deepEqual(h.of('tool-end').map((e) => [e.card.tool, e.card.status]), [['write_file', 'ok']]);
      assert.match(fs.readFileSync(path.join(h.ws, 'torbit-demo.md'), 'utf8'), /> Add a changelog/);
      assert.match(h.of('text-delta').map((e) => e.text).join(''), /demo model/);
      assert.equal(h.kinds(turnId).at(-1), 'turn-end');
    } finally {
      await h.close();
      await demo.close();
    }
  });

  it('says nothing changed when the person rejects the note', async () => {
    const demo = await startDemoModel();
    const broker: ApprovalBroker = new ApprovalBroker({ timeoutMs: 5000, onRequest: (p) => setImmediate(() => broker.decide({ approvalId: p.id, approve: false })) });
    const h = await chatHarness({ modelFactory: createModel, env: {}, broker });
    try {
      const { done } = await h.chat.send({ text: 'Add a changelog', model: 'openai-compatible:torbit-demo', baseUrl: demo.baseURL });
      assert.equal(await done, 'done');
      assert.deepEqual(h.of('tool-end').map((e) => [e.card.tool, e.card.status]), [['write_file', 'rejected']]);
      assert.equal(fs.existsSync(path.join(h.ws, 'torbit-demo.md')), false);
      assert.match(h.of('text-delta').map((e) => e.text).join(''), /You did not approve writing/);
    } finally {
      await h.close();
      await demo.close();
    }
  });
});
