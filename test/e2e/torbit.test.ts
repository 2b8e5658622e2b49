// End to end, in a real VS Code (code-server's workbench and extension host) driven through
// headless Chromium: install the packaged .vsix, open a workspace, use Torbit as a person would.
// The model is the OpenAI-compatible SSE stub, running in this process on 127.0.0.1.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Browser, Frame, Page } from 'playwright-core';
import {
  installExtension, packageVsix, ROOT, sampleWorkspace, setupVsCodeWeb, startCodeServer, type RunningCodeServer,
} from '../../scripts/lib/vscodeWeb';
import { LATEST_SCHEMA_VERSION } from '../../server/store/migrations';
import { startOpenAIStub, textChunks, toolCallChunks, type OpenAIStub } from '../stubs/openaiStub';
import { tmpDir } from '../support/tmp';
import { expoApp } from '../support/expo';
import {
  ARTIFACTS, chatFrame as chatFrameOf, clearToasts, keepLogs, openBrowser, openSection, prompt as promptIn, runFromPalette, shootIfFailed, showGovernance, showTorbit, statusBarText, toast, until,
} from './workbench';


describe('Torbit in real VS Code (code-server + Chromium)', function () {
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  let stub: OpenAIStub;
  let page: Page;
  let workspace: string;
  let userDataDir: string;
  let installed: string[];
  /** The fake eas-cli's builds and calls (test/fixtures/fake-eas). */
  let easState: string;
  let easApp: string | undefined;
  const consoleErrors: string[] = [];

  const chatFrame = () => chatFrameOf(page);
  async function openTorbit(): Promise<void> {
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await showTorbit(page);
    await until('"Torbit: ready" in the status bar', async () => (await statusBarText(page)).includes('Torbit: ready'), 90_000);
  }
  const prompt = (chat: Frame, text: string) => promptIn(page, chat, text);
  const lastTurnDone = (chat: Frame, n: number) => until(`turn ${n} to end`, async () =>
    (await chat.locator('[data-testid="send"]').isVisible()) && (await chat.locator('[data-testid="message-user"]').count()) === n, 30_000);

  before(async function () {
    this.timeout(900_000);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    // Screenshots of failures belong to this run only.
    for (const f of fs.readdirSync(ARTIFACTS)) if (f.startsWith('failed-')) fs.rmSync(path.join(ARTIFACTS, f));
    stub = await startOpenAIStub();
    const web = setupVsCodeWeb();
    const vsix = packageVsix();
    const root = tmpDir('torbit-e2e-');
    const extensionsDir = path.join(root, 'extensions');
    userDataDir = path.join(root, 'profile');
    installed = installExtension(web, vsix, extensionsDir);
    workspace = sampleWorkspace(path.join(root, 'sample'));
    easState = path.join(root, 'fake-eas-state');
    server = await startCodeServer(web, {
      workspace, extensionsDir, userDataDir,
      // Ship commits (a heal, a finish): an identity even on a machine without one. The fake
      // eas-cli keeps its builds in FAKE_EAS_STATE; each status lasts two polls, for the eye.
      env: {
        TORBIT_DATA_DIR: '', OPENAI_COMPATIBLE_API_KEY: '', GIT_AUTHOR_NAME: 'E2E', GIT_AUTHOR_EMAIL: 'e2e@torbit.invalid', GIT_COMMITTER_NAME: 'E2E', GIT_COMMITTER_EMAIL: 'e2e@torbit.invalid',
        FAKE_EAS_STATE: easState, FAKE_EAS_VIEWS_PER_STEP: '2',
      },
      settings: { 'torbit.model': 'openai-compatible:stub-model', 'torbit.openaiCompatible.baseUrl': stub.baseURL, 'torbit.eas.pollSeconds': 1 },
    });
    ({ browser, page } = await openBrowser(web.chromium));
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    await page.goto(server.folderUrl(workspace));
  });

  afterEach(async function () { await shootIfFailed(this.currentTest, page); });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await server?.stop();
    await stub?.close();
    keepLogs(server, userDataDir);
  });

  it('installs the packaged .vsix into code-server', () => {
    assert.ok(installed.some((l) => /^torbit\.torbit@\d+\.\d+\.\d+$/.test(l)), `installed: ${installed.join(', ')}`);
  });

  it('opens the Torbit view container, and the status bar shows the backend ready', async () => {
    await openTorbit();
    assert.doesNotMatch(await statusBarText(page), /Torbit: error/);
  });

  it('opens the first-run walkthrough, whose steps are not done yet', async () => {
    const walk = page.locator('.gettingStartedContainer', { hasText: 'Get started with Torbit' });
    await until('the walkthrough to open on first run', async () => (await walk.count()) > 0, 30_000);
    for (const step of ['Pick a model or set a key', 'Send a first prompt', 'Approve a change', 'Look at the audit log']) assert.match(await walk.innerText(), new RegExp(step));
    // (Looking at the audit log is done whenever the Governance view shows, so it is not asserted here.)
    for (const step of ['Pick a model or set a key', 'Send a first prompt', 'Approve a change']) {
      assert.equal(await page.locator('button.getting-started-step[aria-checked="true"]', { hasText: step }).count(), 0, `${step}: not done before the person does it`);
    }
    await page.screenshot({ path: path.join(ARTIFACTS, 'walkthrough.png') });
  });

  it('chat: a typed prompt streams an answer and a tool card, and the file lands on disk', async () => {
    const chat = await chatFrame();
    await until('the chat to show the backend ready', async () =>
      (await chat.locator('[data-testid="backend-state"]').getAttribute('data-state')) === 'ready');
    assert.equal(await chat.locator('[data-testid="model-picker"]').evaluate((el) => (el as unknown as { value: string }).value), 'openai-compatible:stub-model');
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_1', name: 'write_file', args: { path: 'hello.md', content: '# Hello from Torbit\n' } }], 8), usage: { prompt_tokens: 500, completion_tokens: 30 }, delayMs: 20 },
      { kind: 'stream', chunks: textChunks('I created **hello.md** with a heading.', 10), usage: { prompt_tokens: 600, completion_tokens: 12 }, delayMs: 30 },
    );
    await chat.locator('[data-testid="prompt-input"]').click();
    await page.keyboard.type('Create hello.md');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('with a heading');
    await page.keyboard.press('Enter');
    const card = chat.locator('[data-testid="tool-card"][data-tool="write_file"]');
    // The default policy asks before an edit: the card waits, and the person approves it there.
    await until('the write_file card to ask', async () => (await card.getAttribute('data-status')) === 'awaiting-approval');
    assert.equal(await card.locator('[data-testid="approval-reason"]').innerText(), 'Torbit wants to create hello.md (1 line). Your policy asks before edits.');
    assert.equal(fs.existsSync(path.join(workspace, 'hello.md')), false, 'nothing is written before the approval');
    // A new file is reviewed in a diff view, with the lenses on the proposed side.
    await card.locator('[data-testid="approval-review"]').click();
    const approveLens = page.locator('.monaco-diff-editor .codelens-decoration a', { hasText: /^Approve$/ });
    await until('the Approve lens in the diff view', async () => (await approveLens.count()) === 1, 30_000);
    await approveLens.click();
    await until('the write_file card to succeed', async () => (await card.getAttribute('data-status')) === 'ok');
    const answer = await until('the streamed answer', async () => {
      const t = (await chat.locator('[data-testid="message-assistant"]').allInnerTexts()).join(' ');
      return t.includes('with a heading.') && t;
    });
    assert.match(answer, /I created hello\.md with a heading\./);
    assert.equal(await chat.locator('[data-testid="message-assistant"] strong').first().innerText(), 'hello.md', 'markdown is rendered');
    assert.equal(fs.readFileSync(path.join(workspace, 'hello.md'), 'utf8'), '# Hello from Torbit\n');
    assert.equal(stub.requests[0]!.body.messages.at(-1).content, 'Create hello.md\nwith a heading', 'Shift+Enter made a new line');
    await lastTurnDone(chat, 1);
    assert.match(await chat.locator('[data-testid="meter"]').innerText(), /1,142 tokens/);
    // The card's Diff link opens VS Code's diff editor on the change.
    await card.locator('[data-testid="open-diff"]').click();
    await until('the diff editor', async () => (await page.locator('.tabs-container .tab', { hasText: 'hello.md' }).count()) > 0 && (await page.locator('.monaco-diff-editor').count()) > 0);
    // Governance in the panel, beside the chat (the README's screenshot shows both).
    const gov = await showGovernance(page);
    await openSection(gov, 'activity');
    await until('the change in Governance\'s activity', async () => (await gov.locator('[data-testid="audit-entry"][data-kind="change"]').count()) > 0);
    await page.screenshot({ path: path.join(ARTIFACTS, 'chat.png') });
    // The walkthrough's steps done by doing them: a prompt was sent and a change approved; the
    // model came from the settings file, not picked, and Governance (steps' own view) is already open.
    // (The walkthrough opened as a preview editor, which the diff took the place of: open it again as a person would.)
    await runFromPalette(page, 'Welcome: Open Walkthrough...');
    const walkthroughs = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Get started with Torbit' }).first();
    await walkthroughs.waitFor({ state: 'visible', timeout: 15_000 });
    await walkthroughs.click();
    const done = (title: string) => page.locator('button.getting-started-step[aria-checked="true"]', { hasText: title });
    await until('the prompt and approve steps to be done', async () => (await done('Send a first prompt').count()) === 1 && (await done('Approve a change').count()) === 1, 15_000);
    assert.equal(await done('Pick a model or set a key').count(), 0, 'no model was picked and no key stored');
    await page.screenshot({ path: path.join(ARTIFACTS, 'walkthrough-done.png') });
  });

  it('a proposed edit shows code lenses in the file; Approve applies exactly that hunk, Reject tells the model why; Governance shows both', async () => {
    const chat = await chatFrame();
    const gov = await showGovernance(page);
    const file = path.join(workspace, 'src', 'greet.js');
    const original = fs.readFileSync(file, 'utf8');
    const proposed = original.replace('// A function for the AI builder to read, change and test.', '// Greets someone, warmly.').replace('Hello, ${name}!', 'Hi there, ${name}!');
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_g', name: 'write_file', args: { path: 'src/greet.js', content: proposed } }], 4) },
      { kind: 'stream', chunks: textChunks('Updated the comment; left the greeting.', 4) },
    );
    await clearToasts(page);
    await prompt(chat, 'Make greet friendlier');
    const card = chat.locator('[data-testid="tool-card"][data-tool="write_file"]').last();
    await until('the edit to wait for approval', async () => (await card.getAttribute('data-status')) === 'awaiting-approval');
    // Pending approvals are listed in the Governance view too.
    const item = gov.locator('[data-testid="approval-item"][data-kind="edit"]');
    await until('the pending approval in Governance', async () => (await item.count()) === 1);
    assert.match(await item.innerText(), /Torbit wants to edit src\/greet\.js \(2 changes\)\.[\s\S]*Your policy asks before edits\./);
    assert.match(await statusBarText(page), /1 approval/);

    // Review opens the file; code lenses sit above each hunk.
    await card.locator('[data-testid="approval-review"]').click();
    const lens = (title: string) => page.locator('.monaco-editor .codelens-decoration a', { hasText: new RegExp(`^${title}$`) });
    await until('two Approve lenses in greet.js', async () => (await lens('Approve').count()) === 2, 30_000);
    assert.equal(await lens('Approve all in file').count(), 1);
    assert.equal(await lens('Diff').count(), 2);
    const lensText = (await page.locator('.monaco-editor .codelens-decoration').allInnerTexts()).join(' ');
    assert.match(lensText, /Torbit: \+1 −1 at line 1 \(change 1 of 2\)/);
    assert.match(lensText, /Torbit: \+1 −1 in greet\(\) \(change 2 of 2\)/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'approval-lenses.png') });
    await lens('Approve').first().click();
    await until('the first hunk to show approved', async () =>
      (await page.locator('.monaco-editor .codelens-decoration').allInnerTexts()).join(' ').includes('approved, waiting for the other changes'));
    assert.equal(fs.readFileSync(file, 'utf8'), original, 'nothing is applied before every hunk is decided');
    await lens('Reject').first().click();
    const why = page.locator('.quick-input-widget input');
    await why.waitFor({ state: 'visible' });
    await page.keyboard.type('keep the Hello greeting');
    await page.keyboard.press('Enter');

    await until('the card to finish', async () => (await card.getAttribute('data-status')) === 'ok');
    assert.equal(fs.readFileSync(file, 'utf8'), original.replace('// A function for the AI builder to read, change and test.', '// Greets someone, warmly.'), 'exactly the approved hunk');
    assert.match(await card.locator('[data-testid="tool-result"]').innerText(), /only hunk\(s\) 1 of 2 were approved and applied; hunk\(s\) 2 were rejected \(keep the Hello greeting\)/);
    // The card ends before the next model request goes out: wait for the request that tells the model why.
    await until('the model to be told why', () => stub.requests.some((r) => JSON.stringify(r.body.messages).includes('keep the Hello greeting')));
    await until('the lenses to go', async () => (await lens('Approve').count()) === 0, 10_000);
    await lastTurnDone(chat, 2);
    // The Governance timeline shows who decided what.
    await until('the decision in the timeline', async () => (await gov.locator('[data-testid="audit-entry"][data-outcome="approved-partly"]').count()) === 1);
    assert.equal(await item.count(), 0, 'nothing pending any more');
    assert.doesNotMatch(await statusBarText(page), /approval/);
  });

  it('a command the policy asks about is asked in a notification with its exact argv, and runs once approved', async () => {
    const chat = await chatFrame();
    stub.enqueue(
      // (Read-only git such as rev-parse is allowed by the default; rev-list is not in its table, so it asks.)
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_c', name: 'run_command', args: { command: 'git', args: ['rev-list', '--count', 'HEAD'] } }], 3) },
      { kind: 'stream', chunks: textChunks('The branch has that many commits.', 3) },
    );
    await clearToasts(page);
    await prompt(chat, 'Is this a git repository?');
    const ask = await toast(page, /Torbit wants to run git rev-list --count HEAD in the workspace\./);
    assert.match(ask, /Torbit wants to run git rev-list --count HEAD in the workspace\. Your policy asks before commands\. Exactly: \["git","rev-list","--count","HEAD"\] in \//);
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'git rev-list' }).locator('.monaco-button', { hasText: /^Approve$/ }).click();
    const card = chat.locator('[data-testid="tool-card"][data-tool="run_command"]').last();
    await until('the command to run', async () => (await card.getAttribute('data-status')) === 'ok');
    assert.match(await card.locator('[data-testid="tool-output"]').textContent() ?? '', /^\s*\d+\s*$/);
    await lastTurnDone(chat, 3);
  });

  it('"Allow for this session" on a command: the notification names the scope, and the next such command in the session runs without asking', async () => {
    const chat = await chatFrame();
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_s1', name: 'run_command', args: { command: 'git', args: ['rev-list', '--max-count=1', 'HEAD'] } }], 3) },
      { kind: 'stream', chunks: textChunks('That is the newest commit.', 3) },
    );
    await clearToasts(page);
    await prompt(chat, 'Which commit is newest?');
    await toast(page, /Torbit wants to run git rev-list --max-count=1 HEAD in the workspace\..* \(Allow for this session or always: git rev-list …\)/);
    const button = page.locator('.notifications-toasts .notification-toast', { hasText: 'git rev-list' }).locator('.monaco-button', { hasText: /^Allow for This Session$/ });
    await button.waitFor();
    await page.screenshot({ path: path.join(ARTIFACTS, 'session-allowance-notification.png') });
    await button.click();
    const first = chat.locator('[data-testid="tool-card"][data-tool="run_command"]').last();
    await until('the allowed command to run', async () => (await first.getAttribute('data-status')) === 'ok');
    await lastTurnDone(chat, 4);
    // The same kind of command again, in the same session: it runs, and nothing is asked.
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_s2', name: 'run_command', args: { command: 'git', args: ['rev-list', '--count', 'HEAD'] } }], 3) },
      { kind: 'stream', chunks: textChunks('Counted.', 3) },
    );
    const cards = chat.locator('[data-testid="tool-card"][data-tool="run_command"]');
    const before = await cards.count();
    await prompt(chat, 'How many commits?');
    await until('the second command\'s card', async () => (await cards.count()) === before + 1);
    const second = cards.last();
    await until('the second command to run, unasked', async () => (await second.getAttribute('data-status')) === 'ok');
    await lastTurnDone(chat, 5);
    assert.match(await second.locator('[data-testid="tool-output"]').textContent() ?? '', /^\s*\d+\s*$/);
    assert.equal(await page.locator('.notifications-toasts .notification-toast', { hasText: 'git rev-list --count' }).count(), 0, 'nothing was asked');
  });

  it('Torbit: Set API Key stores the key in SecretStorage and the backend sends it', async () => {
    await runFromPalette(page, 'Torbit: Set API Key');
    const input = page.locator('.quick-input-widget input');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'OpenAI-compatible' }).first().waitFor();
    await input.fill('OpenAI-compatible');
    await input.press('Enter');
    await until('the key input', async () => (await input.getAttribute('type')) === 'password');
    await input.fill('e2e-secret-key-42424242');
    await input.press('Enter');
    await toast(page, /the OpenAI-compatible server .* key is stored/);
    await until('"Torbit: ready" after the restart', async () => (await statusBarText(page)).includes('Torbit: ready'));
    const chat = await chatFrame();
    stub.enqueue({ kind: 'stream', chunks: textChunks('Key received.', 2) });
    const before = stub.requests.length;
    await prompt(chat, 'ping');
    await until('the request with the key', () => stub.requests.length > before);
    assert.equal(stub.requests.at(-1)!.headers.authorization, 'Bearer e2e-secret-key-42424242');
    await lastTurnDone(chat, 6);
    const logText = fs.globSync('**/Torbit.log', { cwd: userDataDir }).map((l) => fs.readFileSync(path.join(userDataDir, l), 'utf8')).join('');
    assert.ok(!logText.includes('e2e-secret-key-42424242'), 'the key is not in the log');
  });

  it('Stop during a long answer stops it', async () => {
    const chat = await chatFrame();
    stub.enqueue({ kind: 'stream', chunks: textChunks('word '.repeat(400), 400), delayMs: 40, stall: true });
    await prompt(chat, 'Write a very long essay');
    const stop = chat.locator('[data-testid="stop"]');
    await until('Stop to show and text to stream', async () =>
      (await stop.isVisible()) && (await chat.locator('[data-testid="message-assistant"]').last().innerText()).length > 20);
    await stop.click();
    const status = await until('the turn to say it stopped', async () => (await chat.locator('[data-testid="turn-status"]').allInnerTexts()).at(-1));
    assert.match(status, /Stopped/);
    const streamed = (await chat.locator('[data-testid="message-assistant"]').last().innerText()).length;
    assert.ok(streamed < 'word '.repeat(400).length, 'the answer did not run to its end');
    await until('Send to come back', async () => chat.locator('[data-testid="send"]').isVisible());
  });

  it('Governance shows the policy hash and the audit timeline; a bundle exported there verifies, in the view and with the CLI', async () => {
    const gov = await showGovernance(page);
    await openSection(gov, 'policy');
    await openSection(gov, 'activity');
    assert.match(await until('the policy hash', async () => gov.locator('[data-testid="policy-hash"]').innerText().catch(() => '')), /^[0-9a-f]{64}$/);
    await until('the chat in the audit timeline', async () => (await gov.locator('[data-testid="audit-entry"][data-kind="change"]').count()) > 0);
    assert.ok(await gov.locator('[data-testid="audit-entry"][data-kind="prompt"]').count() >= 3, 'every prompt is audited');
    assert.match(await gov.locator('[data-testid="audit-chain"]').innerText(), /chain intact/);
    await clearToasts(page);
    await gov.locator('[data-testid="export-bundle"]').click();
    await toast(page, /exported \d+ audit record\(s\), signed by ed25519/);
    const bundle = gov.locator('[data-testid="bundle"]').first();
    await bundle.waitFor();
    const file = await bundle.getAttribute('data-file');
    await bundle.locator('[data-testid="verify-bundle"]').click();
    assert.match(await until('the verification', async () => {
      const t = await bundle.locator('[data-testid="verify-result"]').innerText();
      return t.startsWith('valid') || t.startsWith('NOT') ? t : undefined;
    }), /^valid: \d+ record\(s\)/);
    // Anyone can check it offline with the workspace's public key.
    const cli = path.join(ROOT, 'dist', 'cli.js');
    const run = (args: string[], cwd: string) => execFileSync(process.execPath, [cli, ...args], { cwd, encoding: 'utf8', env: { ...process.env, TORBIT_DATA_DIR: '' } });
    const pem = path.join(tmpDir(), 'torbit.pem');
    run(['audit', 'pubkey', '--out', pem], workspace);
    assert.match(run(['verify', file!, '--pub', pem], tmpDir()), /is valid \(dsse\)/);
  });

  it('reloading the window restores the session as it was', async () => {
    const chat0 = await chatFrame();
    const before = await chat0.locator('[data-testid="messages"]').innerText();
    await page.reload();
    await openTorbit();
    const chat = await chatFrame();
    await until('the restored transcript', async () => (await chat.locator('[data-testid="message-user"]').count()) === 7);
    assert.deepEqual(await chat.locator('[data-testid="message-user"]').allInnerTexts(),
      ['Create hello.md\nwith a heading', 'Make greet friendlier', 'Is this a git repository?', 'Which commit is newest?', 'How many commits?', 'ping', 'Write a very long essay']);
    assert.deepEqual(await chat.locator('[data-testid="tool-card"]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { status: string } }).dataset.status)), ['ok', 'ok', 'ok', 'ok', 'ok']);
    assert.match(await chat.locator('[data-testid="turn-status"]').last().innerText(), /Stopped/);
    // It resumes at the session's last checkpoint, and says which.
    const resumed = chat.locator('[data-testid="resume-checkpoint"]');
    assert.match(await resumed.innerText(), /Checkpoint #\d+ \(after-turn, /);
    const after = (await chat.locator('[data-testid="messages"]').innerText()).replace(await resumed.innerText(), '');
    assert.ok(after.includes('I created hello.md with a heading.'), 'the streamed answer is back');
    assert.equal(after.replace(/\s+/g, ' ').trim(), before.replace(/\s+/g, ' ').trim(), 'the transcript reads as it did before the reload');
    await page.screenshot({ path: path.join(ARTIFACTS, 'workbench.png') });
  });

  it('Restore on a turn brings its file back and takes it out of the chat; the timeline shows the turn\'s two checkpoints', async () => {
    const chat = await chatFrame();
    const gov = await showGovernance(page);
    const greetTurn = chat.locator('[data-testid="turn"]').nth(1);
    assert.equal(await greetTurn.locator('[data-testid="message-user"]').innerText(), 'Make greet friendlier');
    const turnId = await greetTurn.getAttribute('data-turn-id');
    const kinds = () => gov.locator(`[data-testid="checkpoint"][data-turn-id="${turnId}"]`).evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { kind: string } }).dataset.kind));
    assert.deepEqual(await until('the turn\'s checkpoints in the timeline', async () => { const k = await kinds(); return k.length === 2 && k; }), ['after-turn', 'before-turn']);
    const file = path.join(workspace, 'src', 'greet.js');
    const original = execFileSync('git', ['show', 'HEAD:src/greet.js'], { cwd: workspace, encoding: 'utf8' });
    assert.notEqual(fs.readFileSync(file, 'utf8'), original, 'the turn changed it');
    await clearToasts(page);
    await greetTurn.locator('[data-testid="turn-restore"]').click();
    // What to restore (files and conversation, the first choice), then what will change.
    const pick = page.locator('.quick-input-widget .quick-input-list .monaco-list-row', { hasText: 'Files and conversation' });
    await pick.waitFor({ state: 'visible' });
    await pick.click();
    const dialog = page.locator('.monaco-dialog-box');
    await dialog.waitFor({ state: 'visible' });
    assert.match(await dialog.innerText(), /modify src\/greet\.js/);
    assert.doesNotMatch(await dialog.innerText(), /your change/, 'only Torbit\'s own changes since then');
    await page.screenshot({ path: path.join(ARTIFACTS, 'restore-preview.png') });
    await dialog.locator('.monaco-button', { hasText: /^Restore$/ }).click();
    await until('greet.js back as it was before the turn', () => fs.readFileSync(file, 'utf8') === original);
    await toast(page, /restored checkpoint \d+: \d+ file\(s\) written/);
    await until('the chat without the turn and those after it', async () => (await chat.locator('[data-testid="message-user"]').count()) === 1);
    await until('the restore in the timeline', async () => (await gov.locator('[data-testid="checkpoint"][data-kind="after-rollback"]').count()) === 1);
    assert.equal(fs.readFileSync(path.join(workspace, 'hello.md'), 'utf8'), '# Hello from Torbit\n', 'the earlier turn\'s file stays');
  });

  it('Review Changes sends the changes since the last review to the model; the verdict shows, and its blockers are in the Problems panel on their lines', async () => {
    // A commit since the sample's first one, made as a person would in a terminal.
    fs.mkdirSync(path.join(workspace, 'src'), { recursive: true });
    fs.writeFileSync(path.join(workspace, 'src/calc.js'), 'export function half(n) {\n  return n / 0;\n}\n');
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=E2E', '-c', 'user.email=e2e@torbit.invalid', ...a], { cwd: workspace });
    git('add', 'src/calc.js');
    git('commit', '-q', '-m', 'half');
    stub.enqueue({ kind: 'stream', chunks: textChunks(JSON.stringify({
      verdict: 'BLOCKED', summary: 'half() divides by zero.',
      blockers: [{ file: 'src/calc.js', line: 2, severity: 'error', message: 'Division by zero: this returns Infinity for every n' }],
    }), 4) });
    const before = stub.requests.length;
    await clearToasts(page);
    await runFromPalette(page, 'Torbit: Review Changes');
    // No baseline in the sample yet: the range starts at its first commit.
    await toast(page, /Torbit review \d+ of first commit\.\.[0-9a-f]{7}: BLOCKED, 1 blocker\(s\)\. half\(\) divides by zero\./, 60_000);
    assert.match(JSON.stringify(stub.requests.slice(before).map((r) => r.body)), /# Torbit review bundle/, 'the model got the bundle');
    await runFromPalette(page, 'View: Toggle Problems');
    const problems = page.locator('.markers-panel');
    await until('the blocker in the Problems panel', async () => (await problems.innerText()).includes('Division by zero: this returns Infinity for every n'));
    const text = (await problems.innerText()).replace(/\n/g, ' ');
    assert.match(text, /calc\.js/);
    assert.match(text, /Torbit review/);
    assert.match(text, /\[Ln 2, Col 1\]/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'review-problems.png') });
  });

  it('Ship tests, gets a blocked review, heals it with an edit approved in the editor, reviews again and pushes to the remote', async () => {
    // A remote at the sample's first commit, and everything since committed, as a person would before shipping.
    const git = (...a: string[]) => execFileSync('git', ['-c', 'user.name=E2E', '-c', 'user.email=e2e@torbit.invalid', ...a], { cwd: workspace, encoding: 'utf8' }).trim();
    const remote = path.join(tmpDir('torbit-e2e-remote-'), 'origin.git');
    execFileSync('git', ['init', '-q', '--bare', remote]);
    git('remote', 'add', 'origin', remote);
    git('push', '-q', 'origin', `${git('rev-list', '--max-parents=0', 'HEAD')}:refs/heads/main`);
    git('add', '-A');
    git('commit', '-q', '--allow-empty', '-m', 'work since the review');
    stub.enqueue(
      { kind: 'stream', chunks: textChunks(JSON.stringify({
        verdict: 'BLOCKED', summary: 'half() divides by zero.',
        blockers: [{ file: 'src/calc.js', line: 2, severity: 'error', message: 'Division by zero: half must divide by 2' }],
      }), 3) },
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_heal', name: 'edit_file', args: { path: 'src/calc.js', oldText: 'n / 0', newText: 'n / 2' } }], 3) },
      { kind: 'stream', chunks: textChunks('half() now divides by 2.', 2) },
      { kind: 'stream', chunks: textChunks(JSON.stringify({ verdict: 'APPROVED', summary: 'Fixed.', blockers: [] }), 2) },
    );
    await clearToasts(page);
    await runFromPalette(page, 'Torbit: Ship (Test, Review, Push)');
    // The progress notification follows the steps; the heal's edit waits for a person, in the editor.
    await toast(page, /Torbit Ship.*Healing \(attempt 1 of 2\): the agent is fixing 1 blocker\(s\); approve its changes as usual/, 60_000);
    await until('the heal\'s approval in the status bar', async () => /1 approval/.test(await statusBarText(page)), 30_000);
    await runFromPalette(page, 'Torbit: Review Pending Approvals');
    const approve = page.locator('.monaco-editor .codelens-decoration a', { hasText: /^Approve$/ });
    await until('the Approve lens in calc.js', async () => (await approve.count()) === 1, 30_000);
    await page.screenshot({ path: path.join(ARTIFACTS, 'ship-heal-approval.png') });
    await approve.click();
    const done = await toast(page, /Torbit Ship: shipped: [0-9a-f]{12} is on origin refs\/heads\/main\./, 90_000);
    await page.screenshot({ path: path.join(ARTIFACTS, 'ship-pushed.png') });
    const head = git('rev-parse', 'HEAD');
    assert.ok(done.includes(head.slice(0, 12)), done);
    assert.equal(execFileSync('git', ['rev-parse', 'refs/heads/main'], { cwd: remote, encoding: 'utf8' }).trim(), head, 'the remote has HEAD');
    assert.equal(fs.readFileSync(path.join(workspace, 'src/calc.js'), 'utf8'), 'export function half(n) {\n  return n / 2;\n}\n');
    assert.match(git('log', '--format=%s', '-3'), /^Torbit: reviewed up to [0-9a-f]{12} \(review \d+\)\nTorbit Ship: fix review blockers \(heal round 1\)\nwork since the review$/);
    // The run is in the Torbit Ship output, step by step (the editor renders spaces as U+00A0).
    await runFromPalette(page, 'Output: Show Output Channels...');
    await page.keyboard.type('Torbit Ship');
    await page.keyboard.press('Enter');
    const panel = async () => (await page.locator('.part.panel').first().innerText()).replace(/\u00a0/g, ' ');
    await until('the end of the run in the Torbit Ship output', async () => /✓ Pushing \(attempt 2 of 2\): pushed [0-9a-f]{12} to origin refs\/heads\/main\n✓ shipped: /.test(await panel()), 30_000);
    assert.match(await panel(), /✓ Reviewing \(attempt 2 of 2\): review \d+ of .*: APPROVED/);
    // All of it, from the channel's file (the editor shows only the lines in view).
    // (One file per extension host: the window was reloaded earlier.)
    const logs = fs.globSync('**/*Torbit Ship.log', { cwd: userDataDir }).map((f) => fs.readFileSync(path.join(userDataDir, f), 'utf8')).filter((t) => t.includes('Torbit Ship with'));
    assert.equal(logs.length, 1, `the Torbit Ship output's file under ${userDataDir}`);
    const log = logs[0]!;
    for (const re of [/✓ Testing \(attempt 1 of 2\): npm test passed/, /✓ Reviewing \(attempt 1 of 2\): review \d+ of .*: BLOCKED, 1 blocker\(s\)/, /✓ Healing \(attempt 1 of 2\): 1 file\(s\) fixed and committed as [0-9a-f]{12}: src\/calc\.js/, /✓ Testing \(attempt 2 of 2\)/]) assert.match(log, re);
  });

  it('shows the backend facts in the Governance view', async () => {
    const gov = await showGovernance(page);
    await openSection(gov, 'backend');
    const version = await until('the version fact', async () => gov.locator('[data-testid="fact-version"]').innerText().catch(() => ''));
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(version, pkg.version);
    assert.match(await gov.locator('[data-testid="fact-data-directory"]').innerText(), /\/torbit\/workspaces\/\S+-[0-9a-f]{16} \(workspace\)/);
  });

  let firstPid = 0;
  it('runs "Torbit: Show Backend Status" from the command palette and shows its answer', async () => {
    await clearToasts(page);
    await runFromPalette(page, 'Torbit: Show Backend Status');
    const text = await toast(page, new RegExp(`Torbit backend .* ready: schema ${LATEST_SCHEMA_VERSION}, pid \\d+`));
    firstPid = Number(/pid (\d+)/.exec(text)?.[1]);
    assert.ok(firstPid > 0);
    // The data directory is the person's own, keyed by the workspace: nothing of it inside the workspace.
    const dataDir = /data in (\/\S*\/torbit\/workspaces\/\S+-[0-9a-f]{16})/.exec(text)?.[1];
    assert.ok(dataDir, text);
    assert.ok(fs.existsSync(path.join(dataDir, 'torbit.db')), 'the backend created its database in the data directory');
    assert.ok(!fs.existsSync(path.join(workspace, '.torbit-data')), 'and nothing in the workspace');
  });

  it('restarts the backend after it crashes, and the status bar comes back to ready', async () => {
    assert.ok(firstPid > 0, 'needs the pid from the previous test');
    const gov = await showGovernance(page);
    await openSection(gov, 'backend');
    assert.match(await gov.locator('[data-testid="fact-process"]').innerText(), new RegExp(`^pid ${firstPid},`));
    process.kill(firstPid, 'SIGKILL');
    // The client restarts it within a moment; the Governance view follows the backend it talks to.
    await until('the Governance view to show a new backend process', async () => {
      const t = await gov.locator('[data-testid="fact-process"]').innerText({ timeout: 1000 }).catch(() => '');
      return /^pid \d+,/.test(t) && !t.startsWith(`pid ${firstPid},`);
    }, 60_000);
    await until('"Torbit: ready" in the status bar', async () => (await statusBarText(page)).includes('Torbit: ready'), 30_000);
    await clearToasts(page);
    await runFromPalette(page, 'Torbit: Show Backend Status');
    const text = await toast(page, new RegExp(`Torbit backend .* ready: schema ${LATEST_SCHEMA_VERSION}, pid \\d+`));
    const pid = Number(/pid (\d+)/.exec(text)?.[1]);
    assert.ok(pid > 0 && pid !== firstPid, `a new backend process (was ${firstPid}, now ${pid})`);
  });

  it('in an Expo workspace, the status bar shows the EAS pipeline\'s state with every check in its tooltip; Pipeline Diagnostics offers to create eas.json', async () => {
    const app = (easApp = expoApp());
    await page.goto(server!.folderUrl(app));
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    const item = page.locator('.statusbar-item', { hasText: 'EAS' });
    await until('the EAS item in the status bar', async () => /EAS ✗/.test(await statusBarText(page)), 90_000);
    await item.hover();
    const hover = page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'EAS pipeline' });
    await until('the pipeline tooltip', async () => (await hover.count()) > 0, 15_000);
    const tip = (await hover.first().innerText()).replace(/\n+/g, ' ');
    for (const re of [/EAS pipeline ✗/, /✓ Expo project: app\.json, expo ~58\./, /✗ eas\.json: missing/, /✗ eas-cli: not found/, /✗ EXPO_TOKEN: not set/, /⚠ iOS submit credentials: none set/, /⚠ Android service account: none found/]) assert.match(tip, re);
    await page.screenshot({ path: path.join(ARTIFACTS, 'eas-status.png') });
    await page.keyboard.press('Escape');
    await runFromPalette(page, 'Torbit: Pipeline Diagnostics');
    // The action comes first, under "Fix" (the eas.json check's own row names it too).
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: 'Create eas.json' }).first();
    await row.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match(await row.getAttribute('aria-label') ?? '', /Create eas\.json, Fix$/);
    assert.match((await page.locator('.quick-input-list').innerText()).replace(/\n+/g, ' '), /Set Expo Token.*✗ EXPO_TOKEN/);
    // Every finding and fix shows whole: no row of the list is cut off with "…".
    const cut = await page.locator('.quick-input-list .monaco-list-row .monaco-icon-label-container').evaluateAll((els) =>
      els.filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.textContent ?? ''));
    assert.deepEqual(cut, [], 'rows cut off');
    assert.match((await page.locator('.quick-input-list').innerText()).replace(/\s+/g, ' '), /Fix: Run "Torbit: Set Expo Token"/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'eas-diagnostics.png') });
    await row.click();
    // The diff, then the modal to approve it.
    const approve = page.locator('.monaco-dialog-box .monaco-button', { hasText: 'Approve and Write' });
    await approve.waitFor({ state: 'visible', timeout: 30_000 });
    await page.screenshot({ path: path.join(ARTIFACTS, 'eas-json-diff.png') });
    assert.ok(await page.locator('.tab', { hasText: /eas\.json: new ↔ with Torbit's defaults/ }).count() > 0, 'the diff is open while the person decides');
    await approve.click();
    await until('eas.json on disk', () => fs.existsSync(path.join(app, 'eas.json')), 15_000);
    await until('the diff closed once decided', async () => (await page.locator('.tab', { hasText: /eas\.json: new ↔ with Torbit's defaults/ }).count()) === 0, 15_000);
    assert.deepEqual(Object.keys(JSON.parse(fs.readFileSync(path.join(app, 'eas.json'), 'utf8')).build), ['development', 'preview', 'production']);
    await item.hover();
    await until('the tooltip to show eas.json passing', async () => /✓ eas\.json: build profiles development, preview, production/.test((await page.locator('.monaco-hover, .workbench-hover').filter({ hasText: 'EAS pipeline' }).first().innerText().catch(() => '')).replace(/\n+/g, ' ')), 20_000);
  });

  it('"Build iOS" against the fake eas-cli: asked under the ship policy, then progress in a notification and the status bar, then the final state', async () => {
    assert.ok(easApp, 'the test before opened the Expo app and created its eas.json');
    const app = easApp;
    // eas-cli as the project's devDependency, as Expo recommends: here the fake one.
    fs.mkdirSync(path.join(app, 'node_modules', '.bin'), { recursive: true });
    fs.symlinkSync(path.join(ROOT, 'test', 'fixtures', 'fake-eas', 'eas'), path.join(app, 'node_modules', '.bin', 'eas'));
    await clearToasts(page);
    await runFromPalette(page, 'Torbit: Set Expo Token');
    const input = page.locator('.quick-input-widget input');
    await until('the token input', async () => (await input.getAttribute('type')) === 'password');
    await input.fill('e2e-expo-token-4242424242');
    await input.press('Enter');
    await toast(page, /the Expo token is stored/);
    await until('"Torbit: ready" after the restart', async () => (await statusBarText(page)).includes('Torbit: ready'), 60_000);
    await until('EAS ⚠ (only the store credentials left)', async () => /EAS ⚠/.test(await statusBarText(page)), 30_000);

    await runFromPalette(page, 'Torbit: EAS: Build iOS');
    const dialog = page.locator('.monaco-dialog-box');
    await until('the ship approval', async () => /Torbit wants to start an iOS build \(production\) with EAS\./.test(await dialog.innerText().catch(() => '')), 30_000);
    assert.match(await dialog.innerText(), /Your policy asks before shipping\. This runs eas-cli with your Expo and store credentials/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'eas-build-approval.png') });
    await dialog.locator('.monaco-button', { hasText: 'Approve' }).click();

    // Progress: the notification (with Cancel) and the status bar follow the build at EAS.
    const progress = await toast(page, /Torbit EAS: iOS build \(production\).*iOS build (NEW|IN_QUEUE|IN_PROGRESS)/, 30_000);
    assert.match(progress, /iOS build (NEW|IN_QUEUE|IN_PROGRESS)/);
    await until('the running build in the status bar', async () => /EAS ⚠ · iOS build (IN_QUEUE|IN_PROGRESS)/.test(await statusBarText(page)), 30_000);
    assert.ok(await page.locator('.notifications-toasts .notification-toast', { hasText: 'Torbit EAS: iOS build' }).locator('.monaco-button', { hasText: 'Cancel' }).count() > 0, 'the progress offers Cancel');
    await page.screenshot({ path: path.join(ARTIFACTS, 'eas-build-progress.png') });

    const done = await toast(page, /Torbit EAS: iOS build \(production\) succeeded: build finished: https:\/\/expo\.dev\/artifacts\/eas\/[0-9a-f]{8}\.ipa/, 60_000);
    assert.match(done, /Open Build/);
    await until('the status bar without a running build', async () => { const t = await statusBarText(page); return /EAS ⚠/.test(t) && !/iOS build/.test(t); }, 15_000);
    await page.screenshot({ path: path.join(ARTIFACTS, 'eas-build-done.png') });

    // What ran: exactly the real flags, and the polls; the output channel has eas's own words.
    const calls = fs.readFileSync(path.join(easState, 'calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[]; env: Record<string, boolean> });
    assert.deepEqual(calls[0]!.argv, ['build', '--platform', 'ios', '--profile', 'production', '--non-interactive', '--json', '--no-wait']);
    assert.ok(calls.filter((c) => c.argv[0] === 'build:view').length >= 6, 'polled through NEW, IN_QUEUE, IN_PROGRESS to FINISHED');
    assert.ok(calls.every((c) => c.env.EXPO_TOKEN), 'the token from SecretStorage reached eas');
    const channel = fs.globSync('**/*Torbit EAS.log', { cwd: userDataDir }).map((l) => fs.readFileSync(path.join(userDataDir, l), 'utf8')).join('');
    assert.match(channel, /\$ eas build --platform ios --profile production --non-interactive --json --no-wait/);
    assert.match(channel, /✔ Uploaded to EAS/);
    assert.match(channel, /succeeded: build finished/);
    assert.ok(!channel.includes('e2e-expo-token-4242424242'), 'the token is not in the output');

    // The Governance view lists the run.
    await openTorbit();
    const gov = await showGovernance(page);
    await openSection(gov, 'runs');
    await until('the run in Governance', async () => (await gov.locator('[data-testid="run"][data-state="succeeded"]').count()) === 1, 20_000);
    assert.match(await gov.locator('[data-testid="run"]').first().innerText(), /iOS build \(production\)\s*succeeded/);
  });

  it('"Submit to Google Play": picks a finished build and the beta track, approves the eas.json change to the profile\'s own track, then the submission runs to FINISHED', async () => {
    const app = easApp;
    assert.ok(app, 'the Expo app from the tests before');
    // EAS has a finished Android build (as an earlier "Build Android" would leave it).
    const buildId = '7d4c2b1a-9e8f-4a6b-8c5d-3e2f1a0b9c8d';
    const at = new Date(Date.now() - 3600_000).toISOString();
    fs.mkdirSync(path.join(easState, 'builds'), { recursive: true });
    fs.writeFileSync(path.join(easState, 'builds', `${buildId}.json`), JSON.stringify({
      id: buildId, n: 6, scenario: 'success', status: 'FINISHED', platform: 'ANDROID', buildProfile: 'production', createdAt: at, updatedAt: at, completedAt: at,
      artifacts: { buildUrl: 'https://expo.dev/artifacts/eas/7d4c2b1a.aab', applicationArchiveUrl: 'https://expo.dev/artifacts/eas/7d4c2b1a.aab' },
    }));
    // The submit profile names its own track, which the person will move.
    const easJsonFile = path.join(app, 'eas.json');
    const eas = JSON.parse(fs.readFileSync(easJsonFile, 'utf8')) as { submit: { production: Record<string, unknown> } };
    eas.submit.production.android = { track: 'internal' };
    fs.writeFileSync(easJsonFile, `${JSON.stringify(eas, null, 2)}\n`);
    await clearToasts(page);

    await runFromPalette(page, 'Torbit: EAS: Submit to Google Play');
    const build = page.locator('.quick-input-list .monaco-list-row', { hasText: buildId.slice(0, 8) }).first();
    await build.waitFor({ state: 'visible', timeout: 30_000 });
    assert.match((await build.innerText()).replace(/\n+/g, ' '), /1\.0\.0 \(7\).*production · 7d4c2b1a/);
    assert.equal(await page.locator('.quick-input-list .monaco-list-row').count(), 1, 'only the finished Android build is offered (the iOS one is not)');
    await build.click();
    const beta = page.locator('.quick-input-list .monaco-list-row', { hasText: 'beta' }).first();
    await beta.waitFor({ state: 'visible', timeout: 15_000 });
    assert.match(await page.locator('.quick-input-widget').innerText(), /Google Play track/);
    await beta.click();

    // The track lives in eas.json: its change, as a diff, then a modal that says what it replaces.
    const dialog = page.locator('.monaco-dialog-box');
    await until('the eas.json approval', async () => /update eas\.json, changing submit\.production\.android\.track: "internal" → "beta"\?/.test(await dialog.innerText().catch(() => '')), 30_000);
    assert.match(await dialog.innerText(), /Only what is named changes/);
    assert.ok(await page.locator('.tab', { hasText: /eas\.json: as it is ↔ submitting to Google Play's beta track/ }).count() > 0, 'the diff is open, titled for the track');
    await page.screenshot({ path: path.join(ARTIFACTS, 'eas-track-diff.png') });
    await dialog.locator('.monaco-button', { hasText: 'Approve and Write' }).click();
    await until('the diff closed once decided', async () => (await page.locator('.tab', { hasText: /submitting to Google Play's beta track/ }).count()) === 0, 15_000);
    await until('the track in eas.json', () => (JSON.parse(fs.readFileSync(easJsonFile, 'utf8')) as { submit: { production: { android?: { track?: string } } } }).submit.production.android?.track === 'beta', 15_000);

    // Then the ship policy asks for the submission itself.
    await until('the ship approval', async () => /Torbit wants to start an Android submission to Google Play \(beta\) of build 7d4c2b1a with EAS\./.test(await dialog.innerText().catch(() => '')), 30_000);
    await dialog.locator('.monaco-button', { hasText: 'Approve' }).click();
    const done = await toast(page, /Torbit EAS: Android submission to Google Play \(beta\) of build 7d4c2b1a succeeded: submitted to Google Play \(beta\)/, 60_000);
    assert.match(done, /Show Log/);
    await page.screenshot({ path: path.join(ARTIFACTS, 'eas-submit-done.png') });

    const calls = fs.readFileSync(path.join(easState, 'calls.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { argv: string[] });
    assert.ok(calls.some((c) => c.argv.join(' ') === 'build:list --platform android --status finished --limit 10 --json --non-interactive'));
    const submit = calls.filter((c) => c.argv[0] === 'submit');
    assert.deepEqual(submit.map((c) => c.argv), [['submit', '--platform', 'android', '--id', buildId, '--profile', 'production', '--non-interactive', '--no-wait']]);
    const subs = fs.readdirSync(path.join(easState, 'submissions')).map((f) => JSON.parse(fs.readFileSync(path.join(easState, 'submissions', f), 'utf8')) as { buildId: string; status: string; androidConfig: { track: string } });
    assert.deepEqual(subs.map((x) => [x.buildId, x.status, x.androidConfig.track]), [[buildId, 'FINISHED', 'beta']]);
  });

  it('"Build & Submit" iOS → TestFlight: one approval, the build, then its submission in the status bar, to "submitted to App Store Connect (TestFlight)"', async () => {
    await clearToasts(page);
    const before = fs.readFileSync(path.join(easState, 'calls.jsonl'), 'utf8').trim().split('\n').length;
    await runFromPalette(page, 'Torbit: EAS: Build & Submit');
    const ios = page.locator('.quick-input-list .monaco-list-row', { hasText: 'iOS → TestFlight' }).first();
    await ios.waitFor({ state: 'visible', timeout: 15_000 });
    await ios.click();
    const dialog = page.locator('.monaco-dialog-box');
    await until('the ship approval', async () => /Torbit wants to start an iOS build \(production\) and submission to TestFlight with EAS\./.test(await dialog.innerText().catch(() => '')), 30_000);
    await dialog.locator('.monaco-button', { hasText: 'Approve' }).click();
    await until('the build in the status bar', async () => /EAS ⚠ · iOS build (NEW|IN_QUEUE|IN_PROGRESS)/.test(await statusBarText(page)), 30_000);
    await until('then its submission in the status bar', async () => /EAS ⚠ · iOS submission (IN_QUEUE|IN_PROGRESS)/.test(await statusBarText(page)), 60_000);
    await page.screenshot({ path: path.join(ARTIFACTS, 'eas-build-submit-progress.png') });
    await toast(page, /Torbit EAS: iOS build \(production\) and submission to TestFlight succeeded: submitted to App Store Connect \(TestFlight\)/, 60_000);
    assert.equal(await dialog.count(), 0, 'one approval for both steps');

    const calls = fs.readFileSync(path.join(easState, 'calls.jsonl'), 'utf8').trim().split('\n').slice(before).map((l) => JSON.parse(l) as { argv: string[] });
    const build = calls.find((c) => c.argv[0] === 'build')!;
    assert.deepEqual(build.argv, ['build', '--platform', 'ios', '--profile', 'production', '--non-interactive', '--json', '--no-wait']);
    const submit = calls.filter((c) => c.argv[0] === 'submit');
    assert.equal(submit.length, 1);
    const builtId = submit[0]!.argv[4]!;
    assert.deepEqual(submit[0]!.argv, ['submit', '--platform', 'ios', '--id', builtId, '--profile', 'production', '--non-interactive', '--no-wait']);
    assert.equal((JSON.parse(fs.readFileSync(path.join(easState, 'builds', `${builtId}.json`), 'utf8')) as { status: string; platform: string }).status, 'FINISHED', 'the build it submitted is the one it built, finished');
    assert.ok(calls.findIndex((c) => c.argv[0] === 'submit') > calls.findLastIndex((c) => c.argv[0] === 'build:view'), 'submitted after the last build poll');
  });

  it('left no Content-Security-Policy violations in the console', () => {
    const csp = consoleErrors.filter((e) => /Content Security Policy|Refused to|unsafe-eval/i.test(e));
    assert.deepEqual(csp, []);
  });
});
