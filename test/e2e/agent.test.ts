// End to end, the agent reading the repository's conventions in a real VS Code (code-server +
// Chromium): a workspace with its own slash command and Agent Skills (one valid with its contract,
// one with an unpinned runtime); `/` in the chat input completes the command, and running it sends
// its prompt (the model is the SSE stub); `/skills` shows the skills in the Governance view.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { startOpenAIStub, textChunks, type OpenAIStub } from '../stubs/openaiStub';
import { ROOT } from '../../scripts/lib/vscodeWeb';
import { ARTIFACTS, chatFrame, launchWorkbench, shootIfFailed, showGovernance, turnDone, until, type Workbench } from './workbench';

const PREFIX = 'agent-';

describe('The agent and the repository\'s conventions in real VS Code (code-server + Chromium)', function () {
  let stub: OpenAIStub;
  let wb: Workbench | undefined;

  before(async function () {
    this.timeout(900_000);
    stub = await startOpenAIStub();
    wb = await launchWorkbench({
      prefix: PREFIX, modelBaseUrl: stub.baseURL, ready: true,
      prepare: (workspace) => {
        const commands = path.join(workspace, '.torbit', 'commands');
        fs.mkdirSync(commands, { recursive: true });
        // Two of the contract fixtures (test/fixtures/skills/contracts) as the repository's skills.
        for (const s of ['good-count', 'err-runtime-unpinned']) {
          fs.cpSync(path.join(ROOT, 'test', 'fixtures', 'skills', 'contracts', s), path.join(workspace, '.agents', 'skills', s), { recursive: true });
        }
        fs.writeFileSync(path.join(commands, 'explain.md'), '---\ndescription: Explain a file to a newcomer\nargument-hint: <file>\n---\nExplain $ARGUMENTS to someone new to this codebase, in five sentences.\n');
      },
    });
  });

  afterEach(async function () { await shootIfFailed(this.currentTest, wb?.page, PREFIX); });

  after(async function () {
    this.timeout(60_000);
    await wb?.close();
    await stub?.close();
  });

  it('"/" completes the workspace\'s command; taking it and sending asks the model its prompt', async () => {
    const page = wb!.page;
    const chat = await chatFrame(page);
    await chat.locator('[data-testid="prompt-input"]').click();
    await page.keyboard.type('/ex');
    const item = chat.locator('[data-testid="slash-item"][data-name="explain"]');
    await until('the workspace command in the list', async () => (await item.count()) === 1, 30_000);
    assert.match(await chat.locator('[data-testid="slash-menu"]').innerText(), /\/explain\s+<file>\s+Explain a file to a newcomer/);
    await page.keyboard.press('Backspace');
    await page.keyboard.press('Backspace');
    await until('every command listed for /', async () => (await chat.locator('[data-testid="slash-item"]').count()) >= 6);
    const names = await chat.locator('[data-testid="slash-item"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-name')));
    assert.deepEqual(names, ['new', 'checkpoint', 'review', 'ship', 'skills', 'explain'], 'built-ins first, then the workspace\'s own');
    await page.screenshot({ path: path.join(ARTIFACTS, `${PREFIX}slash-menu.png`) });
    await page.keyboard.type('ex');
    await page.keyboard.press('Tab');
    await page.keyboard.type('src/greet.js');
    stub.enqueue({ kind: 'stream', chunks: textChunks('greet.js exports one function, greet(name).', 3) });
    await page.keyboard.press('Enter');
    await turnDone(chat, 1);
    assert.equal(stub.requests.at(-1)!.body.messages.at(-1).content, 'Explain src/greet.js to someone new to this codebase, in five sentences.');
    assert.equal(await chat.locator('[data-testid="message-user"]').innerText(), '/explain src/greet.js', 'the chat shows what the person typed');
    await page.screenshot({ path: path.join(ARTIFACTS, `${PREFIX}slash-sent.png`) });
  });

  it('/skills shows the Governance view\'s Agent Skills: the valid one with its contract and hash, the invalid one with its code', async () => {
    const page = wb!.page;
    const chat = await chatFrame(page);
    await chat.locator('[data-testid="prompt-input"]').click();
    await page.keyboard.type('/skills');
    await page.keyboard.press('Escape');
    await page.keyboard.press('Enter');
    const gov = await showGovernance(page);
    const section = gov.locator('[data-testid="section-skills"]');
    await until('the Agent Skills section to open', () => section.evaluate((el) => (el as unknown as { open: boolean }).open), 30_000);
    const good = gov.locator('[data-testid="skill"][data-name="good-count"]');
    const bad = gov.locator('[data-testid="skill"][data-name="err-runtime-unpinned"]');
    await until('both skills listed', async () => (await good.count()) === 1 && (await bad.count()) === 1, 30_000);
    assert.equal(await good.locator('[data-testid="skill-state"]').innerText(), 'valid');
    assert.match(await good.locator('[data-testid="skill-permissions"]').innerText(), /^contract 1: /);
    assert.match(await good.innerText(), /sha256 [0-9a-f]{64}/);
    assert.match(await bad.locator('[data-testid="skill-state"]').innerText(), /invalid: ERR_RUNTIME_UNPINNED/);
    assert.equal(await chat.locator('[data-testid="message-user"]').count(), 1, '/skills is not a turn');
    await section.scrollIntoViewIfNeeded();
    await page.screenshot({ path: path.join(ARTIFACTS, `${PREFIX}skills.png`) });
  });
});
