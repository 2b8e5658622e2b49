// Custom slash commands over JSON-RPC: the backend lists .torbit/commands/*.md, and a prompt that
// names one asks the model the file's prompt, recorded with the file's hash, while the chat keeps
// what the person typed.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rpc, SessionTranscript } from '../../server/protocol';
import { textChunks } from '../stubs/openaiStub';
import { openRpcChat } from '../support/rpcChat';
import { stubbedBackends } from '../support/stubbed';
import { torbit } from '../support/cli';
import { gitRepo } from '../support/tmp';

const FIX = '---\ndescription: Fix an issue by number\nargument-hint: <issue>\n---\nRead issue $ARGUMENTS, find its cause, and fix it with a test.\n';

describe('custom slash commands over JSON-RPC', function () {
  this.timeout(60_000);
  const backends = stubbedBackends();

  function workspace(): string {
    const ws = gitRepo();
    fs.mkdirSync(path.join(ws, '.torbit', 'commands'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.torbit', 'commands', 'fix.md'), FIX);
    fs.writeFileSync(path.join(ws, '.torbit', 'commands', 'explain.md'), 'Explain this code to a newcomer.\n');
    fs.writeFileSync(path.join(ws, '.torbit', 'commands', 'new.md'), 'Shadow the built-in.\n');
    fs.writeFileSync(path.join(ws, '.torbit', 'commands', 'Bad Name.md'), 'x\n');
    return ws;
  }

  it('lists the commands with their hints and hashes, and says what is wrong with the others', async () => {
    const c = await openRpcChat({ ws: workspace(), baseURL: backends.stub.baseURL }, backends.live);
    const r = await c.s.conn.sendRequest<{ commands: { name: string; description?: string; argumentHint?: string; path: string; sha256: string }[]; problems: { path: string; error: string }[] }>(rpc.commandsList.method, {});
    assert.deepEqual(r.commands.map((x) => [x.name, x.description, x.argumentHint, x.path]), [
      ['explain', undefined, undefined, '.torbit/commands/explain.md'],
      ['fix', 'Fix an issue by number', '<issue>', '.torbit/commands/fix.md'],
    ]);
    assert.equal(r.commands[1]!.sha256, createHash('sha256').update(FIX).digest('hex'));
    assert.ok(!('template' in r.commands[1]!), 'the prompt itself stays in the backend');
    assert.deepEqual(r.problems.map((p) => p.path).sort(), ['.torbit/commands/Bad Name.md', '.torbit/commands/new.md']);
    assert.match(r.problems.find((p) => p.path.endsWith('new.md'))!.error, /\/new is a built-in command/);
  });

  it('sends the command\'s prompt with the arguments in place; the chat keeps the typed text; the audit names the file by hash', async () => {
    const c = await openRpcChat({ ws: workspace(), baseURL: backends.stub.baseURL }, backends.live);
    backends.stub.enqueue({ kind: 'stream', chunks: textChunks('On it.', 2) });
    const { sessionId, turnId } = await c.send('/fix 42');
    assert.equal((await c.turnEnd(turnId)).status, 'done');
    assert.equal(backends.stub.requests[0]!.body.messages.at(-1).content, 'Read issue 42, find its cause, and fix it with a test.');
    const t = SessionTranscript.parse(await c.s.conn.sendRequest(rpc.sessionGet.method, { sessionId }));
    assert.equal(t.turns[0]!.userText, '/fix 42', 'the chat shows what the person typed');
    const prompts = (await c.s.conn.sendRequest<{ entries: { summary: string }[] }>(rpc.auditList.method, { kind: 'prompt' })).entries;
    assert.equal(prompts[0]!.summary, `/fix 42 (.torbit/commands/fix.md, sha256 ${createHash('sha256').update(FIX).digest('hex').slice(0, 12)})`);

    // A command without $ARGUMENTS gets them after its prompt; an unknown one is sent as typed.
    backends.stub.enqueue({ kind: 'stream', chunks: textChunks('Sure.', 1) }, { kind: 'stream', chunks: textChunks('Hm.', 1) });
    const second = await c.send('/explain src/app.ts', { sessionId });
    await c.turnEnd(second.turnId);
    assert.equal(backends.stub.requests[1]!.body.messages.at(-1).content, 'Explain this code to a newcomer.\n\nsrc/app.ts');
    const third = await c.send('/nosuch thing', { sessionId });
    await c.turnEnd(third.turnId);
    assert.equal(backends.stub.requests[2]!.body.messages.at(-1).content, '/nosuch thing');
    // The next turn's history holds the prompt the model was asked, not the command line.
    assert.ok(backends.stub.requests[1]!.body.messages.some((m: { role: string; content: unknown }) => m.role === 'user' && m.content === 'Read issue 42, find its cause, and fix it with a test.'));
  });
});

describe('custom slash commands in the CLI', function () {
  this.timeout(60_000);

  it('torbit chat --help lists the workspace\'s commands and what is wrong with the others', () => {
    const ws = gitRepo();
    fs.mkdirSync(path.join(ws, '.torbit', 'commands'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.torbit', 'commands', 'fix.md'), FIX);
    fs.writeFileSync(path.join(ws, '.torbit', 'commands', 'review.md'), 'Shadow.\n');
    const r = torbit(ws, ['chat', '--help']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, new RegExp(`Custom commands in ${fs.realpathSync(ws).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\n  /fix <issue>  Fix an issue by number\\n  \\(.torbit/commands/review.md is not used: /review is a built-in command`));
    const empty = torbit(gitRepo(), ['chat', '--help']);
    assert.match(empty.out, /No custom commands in .* \(add \.torbit\/commands\/<name>\.md\)\./);
  });
});
