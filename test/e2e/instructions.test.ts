// End to end, in real VS Code (code-server + headless Chromium): a workspace with a real project's
// AGENTS.md (openai/codex's), a nested AGENTS.md, a rule and a CLAUDE.md too big for the budget.
// A turn that reads a file under the nested folder shows its instructions line: the files, each
// openable, the budget, and what was left out. The model is the SSE stub in this process.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startOpenAIStub, textChunks, toolCallChunks, type OpenAIStub } from '../stubs/openaiStub';
import { ARTIFACTS, chatFrame, launchWorkbench, prompt, shootIfFailed, showTorbit, statusBarText, turnDone, until, type Workbench } from './workbench';

const CODEX_AGENTS = path.join(__dirname, '../fixtures/instructions/codex/AGENTS.md');

describe('Project instructions in real VS Code (code-server + Chromium)', function () {
  let stub: OpenAIStub;
  let wb: Workbench;

  before(async function () {
    this.timeout(900_000);
    stub = await startOpenAIStub();
    wb = await launchWorkbench({ prefix: 'instr-', modelBaseUrl: stub.baseURL, settings: { 'torbit.instructions.maxTokens': 4500 } });
    // The repository's instructions, written before the prompt (each turn reads them afresh).
    const put = (rel: string, text: string | Buffer) => {
      fs.mkdirSync(path.dirname(path.join(wb.workspace, rel)), { recursive: true });
      fs.writeFileSync(path.join(wb.workspace, rel), text);
    };
    put('AGENTS.md', fs.readFileSync(CODEX_AGENTS));
    put('packages/api/AGENTS.md', '# API\n\nEvery handler validates its input with zod.\n');
    put('packages/api/server.js', 'module.exports = { port: 3000 };\n');
    put('.torbit/rules/js.md', '---\napplyTo: "**/*.js"\n---\nUse const, never var.\n');
    put('CLAUDE.md', `# Notes\n\n${'Long background notes. '.repeat(200)}\n`);
  });

  afterEach(async function () { await shootIfFailed(this.currentTest, wb?.page, 'instr-'); });

  after(async function () {
    this.timeout(60_000);
    await wb?.close();
    await stub?.close();
  });

  it('a turn shows which instruction files shaped it, each openable, and what did not fit the budget', async function () {
    this.timeout(240_000);
    const { page } = wb;
    await showTorbit(page);
    await until('"Torbit: ready" in the status bar', async () => (await statusBarText(page)).includes('Torbit: ready'), 90_000);
    const chat = await chatFrame(page);
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'r1', name: 'read_file', args: { path: 'packages/api/server.js' } }], 2) },
      { kind: 'stream', chunks: textChunks('The API listens on port 3000; handlers validate input with zod, as packages/api/AGENTS.md asks.', 6) },
    );
    await prompt(page, chat, 'Which port does the API use?');
    await turnDone(chat, 1);

    const line = chat.locator('[data-testid="turn-instructions"]');
    await until('the instructions line with the nested file', async () => (await line.locator('[data-testid="instructions-file"]').count()) === 3, 30_000);
    assert.deepEqual(await line.locator('[data-testid="instructions-file"]').allInnerTexts(), ['AGENTS.md', 'packages/api/AGENTS.md', '.torbit/rules/js.md']);
    assert.match(await line.locator('[data-testid="instructions-left-out"]').innerText(), /Left out: CLAUDE\.md \(over the instructions budget/);
    // What the model was sent: the real AGENTS.md from the first request, the nested one and the rule from the second.
    const systems = stub.requests.filter((r) => r.method === 'POST').map((r) => (r.body.messages as { role: string; content: string }[])[0]!.content);
    assert.match(systems[0]!, /Crate names are prefixed with `codex-`/);
    assert.ok(!systems[0]!.includes('Every handler validates'));
    assert.match(systems[1]!, /Every handler validates its input with zod[\s\S]*Use const, never var/);
    // The person's message with the line right under it, as they see the turn.
    await chat.locator('[data-testid="message-user"]').last().scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, 'instr-line.png') });

    // Each file opens from the line.
    await line.locator('[data-testid="instructions-file"]', { hasText: 'packages/api/AGENTS.md' }).click();
    await until('packages/api/AGENTS.md open in an editor', async () => (await page.locator('.tabs-container .tab', { hasText: 'AGENTS.md' }).count()) > 0
      && (await page.locator('.monaco-editor .view-lines', { hasText: 'Every handler validates' }).count()) > 0, 30_000);
    await page.screenshot({ path: path.join(ARTIFACTS, 'instr-opened.png') });
  });
});
