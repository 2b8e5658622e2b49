import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chatHarness } from '../support/chatHarness';
import { offeredTools, scriptedModel, toolResultsSent } from '../support/mockModel';

describe('agent loop (ai/test mock models, real store and workspace)', () => {
  it('runs a multi-step tool sequence, streams events in order, applies the edit, and records it all', async () => {
    const model = scriptedModel([
      { toolCalls: [{ id: 'c1', name: 'read_file', input: { path: 'src/greet.js' } }], inputTokens: 1000, outputTokens: 50 },
      { toolCalls: [{ id: 'c2', name: 'edit_file', input: { path: 'src/greet.js', oldText: 'Hello', newText: 'Hi' } }], inputTokens: 1200, outputTokens: 60 },
      { text: ['Changed ', 'the greeting', '.'], inputTokens: 1300, outputTokens: 10 },
    ], 'gpt-4.1-mini');
    const h = await chatHarness({ model, files: { 'src/greet.js': "export const greet = (n) => `Hello, ${n}!`;\n" } });
    try {
      const { sessionId, turnId, done } = await h.chat.send({ text: 'Say hi instead', model: 'openai:gpt-4.1-mini' });
      assert.equal(await done, 'done');
      assert.deepEqual(h.kinds(turnId), [
        'turn-start', 'tool-start', 'tool-end', 'usage', 'tool-start', 'tool-end', 'usage',
        'text-delta', 'text-delta', 'text-delta', 'usage', 'turn-end',
      ]);
      assert.deepEqual(h.events.map((e) => e.seq), h.events.map((_, i) => i), 'seq is 0, 1, 2, … without gaps');
      assert.equal(fs.readFileSync(path.join(h.ws, 'src/greet.js'), 'utf8'), "export const greet = (n) => `Hi, ${n}!`;\n");
      // The model saw the first tool's result in its second call.
      const sent = toolResultsSent(model, 1).c1 as { type: string; value: { content: string } };
      assert.equal(sent.type, 'json');
      assert.match(sent.value.content, /Hello/);
      const ends = h.of('tool-end');
      assert.equal(ends[0]!.card.status, 'ok');
      assert.equal(ends[1]!.card.result, 'edited at line 1');
      assert.ok(ends[1]!.card.changeId, 'the edit links to its change');
      assert.equal(ends[1]!.card.openPath, path.join(h.ws, 'src/greet.js'));
      // Fuel: 0.4 / 1.6 USD per 1M tokens for openai:gpt-4.1-mini.
      const last = h.of('usage').at(-1)!;
      assert.deepEqual([last.turn.inputTokens, last.turn.outputTokens], [3500, 120]);
      assert.ok(Math.abs(last.turn.costUsd! - (3500 * 0.4 + 120 * 1.6) / 1e6) < 1e-12);
      // Persistence: the transcript reads back as it streamed.
      const [turn] = await h.repo.transcript(sessionId);
      assert.equal(turn!.status, 'done');
      assert.deepEqual(turn!.parts.map((p) => (p.kind === 'text' ? p.text : `${p.card.tool}:${p.card.status}`)), ['read_file:ok', 'edit_file:ok', 'Changed the greeting.']);
      assert.deepEqual(turn!.usage, last.turn);
      const change = await h.chat.change(ends[1]!.card.changeId);
      assert.match(change!.before!, /Hello/);
      assert.match(change!.after!, /Hi/);
      // The audit log has the prompt, each decision (the policy allows the read and asks about
      // the edit, which the person approved up front here), the checkpoint before the first change,
      // both tool calls, the change and the checkpoint after the turn, chained.
      const audit = await h.backend.audit().records();
      const bodies = audit.map((r) => JSON.parse(r.body) as { kind: string; actor: string; data: Record<string, unknown> });
      assert.deepEqual(bodies.map((b) => `${b.kind}/${b.actor}`),
        ['prompt/user', 'decision/policy', 'tool-call/model', 'decision/policy', 'decision/user', 'checkpoint/system', 'change/system', 'tool-call/model', 'checkpoint/system']);
      assert.equal(bodies[0]!.data.text, 'Say hi instead');
      assert.deepEqual([bodies[1]!.data.decision, bodies[3]!.data.decision, bodies[4]!.data.decision], ['allow', 'ask', 'approved']);
      assert.match(String(bodies[3]!.data.policyHash), /^[0-9a-f]{64}$/);
      assert.deepEqual([bodies[5]!.data.checkpoint, bodies[8]!.data.checkpoint], ['before-turn', 'after-turn']);
      assert.deepEqual([bodies[6]!.data.path, bodies[6]!.data.change], ['src/greet.js', 'modify']);
      assert.match(String(bodies[6]!.data.shaAfter), /^[0-9a-f]{64}$/);
      assert.equal((await h.backend.audit().verify()).ok, true);
      // The next turn carries the whole conversation: every step's tool calls and results.
      const model2Calls = model.doStreamCalls.length;
      assert.equal(model2Calls, 3);
      const stored = (await h.repo.messages(sessionId)) as { role: string }[];
      assert.deepEqual(stored.map((m) => m.role), ['user', 'assistant', 'tool', 'assistant', 'tool', 'assistant']);
    } finally {
      await h.close();
    }
  });

  it('sends tool errors back to the model and carries on', async () => {
    const model = scriptedModel([
      {
        toolCalls: [
          { id: 'e1', name: 'edit_file', input: { path: 'a.txt', oldText: 'absent', newText: 'x' } },
          { id: 'e2', name: 'read_file', input: { path: '../../etc/passwd' } },
          { id: 'e3', name: 'read_file', input: { nope: true } },
          { id: 'e4', name: 'no_such_tool', input: {} },
        ],
      },
      { text: ['I could not do that.'] },
    ]);
    const h = await chatHarness({ model, files: { 'a.txt': 'one\ntwo\n' } });
    try {
      const { turnId, done } = await h.chat.send({ text: 'edit', model: 'openai:x' });
      assert.equal(await done, 'done');
      const ends = Object.fromEntries(h.of('tool-end').map((e) => [e.card.toolCallId, e.card]));
      assert.match(ends.e1!.result!, /oldText was not found in a\.txt/);
      assert.match(ends.e2!.result!, /outside the workspace/);
      assert.equal(ends.e3!.status, 'error');
      assert.equal(ends.e4!.status, 'error');
      const back = toolResultsSent(model, 1);
      assert.deepEqual(Object.keys(back).sort(), ['e1', 'e2', 'e3', 'e4']);
      for (const v of Object.values(back)) assert.equal((v as { type: string }).type, 'error-text');
      assert.equal(fs.readFileSync(path.join(h.ws, 'a.txt'), 'utf8'), 'one\ntwo\n', 'nothing changed');
      assert.equal(h.kinds(turnId).at(-1), 'turn-end');
    } finally {
      await h.close();
    }
  });

  it('stops mid-stream: the turn ends canceled and keeps the partial text', async () => {
    // The model streams five words and then keeps the stream open: only the stop can end the turn.
    const words = Array.from({ length: 5 }, (_, i) => `w${i} `);
    const model = scriptedModel([{ text: words, stall: true }]);
    const h = await chatHarness({ model });
    try {
      const { sessionId, turnId, done } = await h.chat.send({ text: 'write a lot', model: 'openai:x' });
      await h.until(() => h.of('text-delta').length === words.length);
      assert.equal(h.chat.stop(turnId), true);
      assert.equal(await done, 'canceled');
      assert.deepEqual(h.of('text-delta').map((e) => e.text), words, 'what streamed before the stop, and nothing after');
      const [turn] = await h.repo.transcript(sessionId);
      assert.equal(turn!.status, 'canceled');
      const partial = h.of('text-delta').map((e) => e.text).join('');
      assert.deepEqual(turn!.parts, [{ kind: 'text', text: partial }]);
      const history = await h.repo.messages(sessionId) as { role: string; content: string }[];
      assert.deepEqual(history.map((m) => m.role), ['user', 'assistant']);
      assert.match(history[1]!.content, /stopped by the user/);
      assert.equal(h.chat.stop(turnId), false, 'a finished turn cannot be stopped');
    } finally {
      await h.close();
    }
  });

  it('stops mid-command: the running program (and its children) is killed', async () => {
    const script = "const c=require('child_process').spawn(process.execPath,['-e','setTimeout(()=>{},60000)'],{stdio:'ignore'});console.log('pids',process.pid,c.pid);setTimeout(()=>{},60000)";
    const model = scriptedModel([{ toolCalls: [{ id: 'r1', name: 'run_command', input: { command: process.execPath, args: ['-e', script] } }] }, { text: ['unreachable'] }]);
    const h = await chatHarness({ model });
    try {
      const { turnId, done } = await h.chat.send({ text: 'run it', model: 'openai:x' });
      await h.until(() => h.of('tool-output').some((e) => /pids \d+ \d+/.test(e.chunk)));
      const [, parent, child] = /pids (\d+) (\d+)/.exec(h.of('tool-output').map((e) => e.chunk).join(''))!.map(Number);
      h.chat.stop(turnId);
      assert.equal(await done, 'canceled');
      const card = h.of('tool-end').find((e) => e.card.toolCallId === 'r1')!.card;
      assert.equal(card.status, 'canceled');
      const order = h.kinds(turnId);
      assert.ok(order.indexOf('tool-end') < order.indexOf('turn-end'), `the card closes before the turn ends: ${order.join(', ')}`);
      const alive = (pid: number) => { try { process.kill(pid, 0); return true; } catch { return false; } };
      await h.until(() => !alive(parent!) && !alive(child!), 5000);
      assert.equal(model.doStreamCalls.length, 1, 'no further model call after the stop');
    } finally {
      await h.close();
    }
  });

  it('stops at the step limit', async () => {
    const loop = { toolCalls: [{ id: 'x', name: 'list_files', input: {} }] };
    const model = scriptedModel([{ ...loop, toolCalls: [{ id: 's1', name: 'list_files', input: {} }] }, { ...loop, toolCalls: [{ id: 's2', name: 'list_files', input: {} }] }, { text: ['never'] }]);
    const h = await chatHarness({ model, settings: { maxSteps: 2 } });
    try {
      const { sessionId, done } = await h.chat.send({ text: 'loop', model: 'openai:x' });
      assert.equal(await done, 'step-limit');
      assert.equal(model.doStreamCalls.length, 2);
      assert.equal((await h.repo.transcript(sessionId))[0]!.status, 'step-limit');
    } finally {
      await h.close();
    }
  });

  it('stops before a step that would exceed the token budget, and before one that would exceed the USD budget', async () => {
    const step = (id: string) => ({ toolCalls: [{ id, name: 'list_files', input: {} }], inputTokens: 900, outputTokens: 100 });
    const tokens = scriptedModel([step('a'), step('b'), step('c')]);
    const h = await chatHarness({ model: tokens, settings: { budgetTokens: 2500 } });
    try {
      const { done } = await h.chat.send({ text: 'go', model: 'openai:x' });
      assert.equal(await done, 'budget');
      // 1000 after one step, 2000 after two; a third would make 3000 > 2500.
      assert.equal(tokens.doStreamCalls.length, 2);
      const end = h.of('turn-end')[0]!;
      assert.equal(end.error?.code, 'budget');
      assert.match(end.error.message, /2500 tokens/);
    } finally {
      await h.close();
    }
    // gpt-4.1: $2 / $8 per 1M: a step of 900 in + 100 out costs $0.0026.
    const usd = scriptedModel([step('a'), step('b'), step('c')], 'gpt-4.1');
    const h2 = await chatHarness({ model: usd, settings: { budgetUsd: 0.004 } });
    try {
      const { done } = await h2.chat.send({ text: 'go', model: 'openai:gpt-4.1' });
      assert.equal(await done, 'budget');
      assert.equal(usd.doStreamCalls.length, 1, 'a second step would cost $0.0052 > $0.004');
    } finally {
      await h2.close();
    }
  });

  it('offers only reading tools in an untrusted workspace', async () => {
    const model = scriptedModel([{ text: ['ok'] }]);
    const h = await chatHarness({ model, trusted: false });
    try {
      await (await h.chat.send({ text: 'hi', model: 'openai:x' })).done;
      // use_skill reads: the person's own skills stay loadable (the repository's are not indexed).
      assert.deepEqual(offeredTools(model, 0), ['git_diff', 'git_status', 'list_files', 'read_file', 'search', 'use_skill']);
      assert.match(JSON.stringify(model.doStreamCalls[0]!.prompt[0]), /untrusted/);
    } finally {
      await h.close();
    }
  });

  it('in an untrusted workspace, a call to a tool that writes or runs gets a card saying it is not available in restricted mode', async () => {
    const model = scriptedModel([{ toolCalls: [{ id: 't1', name: 'run_command', input: { command: 'touch', args: ['pwned'] } }] }, { text: ['ok'] }]);
    const h = await chatHarness({ model, trusted: false });
    try {
      await (await h.chat.send({ text: 'hi', model: 'openai:x' })).done;
      const card = h.of('tool-end').find((e) => e.card.toolCallId === 't1')!.card;
      assert.equal(card.status, 'error');
      assert.equal(card.summary, 'not available in restricted mode');
      assert.match(card.result ?? '', /^run_command is not offered in an untrusted workspace: .*Nothing ran\. Trust the folder to allow it\.$/);
      assert.equal(fs.existsSync(path.join(h.ws, 'pwned')), false);
    } finally {
      await h.close();
    }
  });

  it('asks for a key, without calling anything, when the provider has none', async () => {
    const { createModel } = await import('../../server/agent/models');
    const h = await chatHarness({ modelFactory: createModel, env: {} });
    try {
      const { done } = await h.chat.send({ text: 'hi', model: 'anthropic:claude-sonnet-4-5' });
      assert.equal(await done, 'error');
      const end = h.of('turn-end')[0]!;
      assert.equal(end.error?.code, 'missing-key');
      assert.equal(end.error?.action, 'setApiKey');
      assert.match(end.error.message, /ANTHROPIC_API_KEY/);
      assert.deepEqual(h.kinds(), ['turn-start', 'turn-end']);
    } finally {
      await h.close();
    }
  });

  it('keeps a key the model put in a command line out of its card and the audit log (which bundles export)', async () => {
    const key = 'sk-test-abcdefghijklmnopqrstuvwxyz0123456789';
    const model = scriptedModel([{ toolCalls: [{ id: 'k3', name: 'run_command', input: { command: 'echo', args: [key] } }] }, { text: ['done'] }]);
    const h = await chatHarness({ model, env: { OPENAI_API_KEY: key, PATH: process.env.PATH } });
    try {
      const { done } = await h.chat.send({ text: 'echo it', model: 'openai:x' });
      assert.equal(await done, 'done');
      assert.ok(!JSON.stringify(h.events).includes(key), 'no event carries the key');
      const decisions = (await h.backend.audit().records()).map((r) => JSON.parse(r.body) as { kind: string; data: { subject?: string } }).filter((b) => b.kind === 'decision');
      assert.deepEqual(decisions.map((d) => d.data.subject), ['echo [redacted]', 'echo [redacted]']);
      const tables = ['audit', 'tool_calls', 'turn_parts'];
      for (const t of tables) {
        const rows = await h.backend.requireDb().all(`SELECT * FROM ${t}`);
        assert.ok(!JSON.stringify(rows).includes(key), `${t} does not contain the key`);
      }
    } finally {
      await h.close().catch(() => undefined);
    }
  });

  it('keeps API keys out of events, the database and what the model is sent', async () => {
    const key = 'sk-test-abcdefghijklmnopqrstuvwxyz0123456789';
    const model = scriptedModel([
      { toolCalls: [{ id: 'k1', name: 'read_file', input: { path: 'leak.txt' } }, { id: 'k2', name: 'run_command', input: { command: 'printenv' } }] },
      { text: ['done'] },
    ]);
    const h = await chatHarness({ model, env: { OPENAI_API_KEY: key, PATH: process.env.PATH }, files: { 'leak.txt': `key=${key}\n` } });
    try {
      const { done } = await h.chat.send({ text: 'look', model: 'openai:x' });
      assert.equal(await done, 'done');
      assert.ok(!JSON.stringify(h.events).includes(key), 'no event carries the key');
      assert.ok(!JSON.stringify(model.doStreamCalls).includes(key), 'the model was not sent the key');
      assert.match(JSON.stringify(toolResultsSent(model, 1).k1), /\[redacted\]/);
      assert.doesNotMatch(JSON.stringify(toolResultsSent(model, 1).k2), /OPENAI_API_KEY/, 'commands run without the key in their environment');
      const dbFile = h.backend.requireDb().file;
      await h.close();
      const dataDir = path.dirname(dbFile);
      for (const e of fs.readdirSync(dataDir, { recursive: true, withFileTypes: true })) {
        const abs = path.join(e.parentPath, e.name);
        // Checkpoints keep the workspace's own files (leak.txt, key and all) as git objects, by design.
        if (!e.isFile() || /\.git[/\\]objects[/\\]/.test(abs)) continue;
        assert.ok(!fs.readFileSync(abs).includes(key), `${path.relative(dataDir, abs)} does not contain the key`);
      }
    } finally {
      await h.close().catch(() => undefined);
    }
  });
});
