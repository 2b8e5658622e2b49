// A chat with room and a Governance view that reads, in real VS Code (code-server + Chromium):
// the chat has the side bar's height to itself, Governance sits in the panel beside it as
// collapsible sections with what waits first, and a session allowance is listed there and revoked.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { startOpenAIStub, textChunks, toolCallChunks, type OpenAIStub } from '../stubs/openaiStub';
import {
  ARTIFACTS, chatFrame, clearToasts, launchWorkbench, openSection, prompt, shootIfFailed, showGovernance, toast, turnDone, until, type Workbench,
} from './workbench';

const PREFIX = 'govern-';
const SECTIONS = ['pending', 'allowances', 'activity', 'checkpoints', 'skills', 'runs', 'policy', 'backend'];

describe('Governance beside the chat (code-server + Chromium)', function () {
  this.timeout(600_000);
  let wb: Workbench | undefined;
  let stub: OpenAIStub;
  let page: Page;
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${PREFIX}${name}.png`), animations: 'disabled' });
  const openSections = (gov: Frame) => gov.locator('details[data-section][open]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { section: string } }).dataset.section));
  const count = (gov: Frame, id: string) => gov.locator(`[data-testid="section-${id}"] > summary [data-testid="section-count"]`).innerText();

  before(async function () {
    this.timeout(900_000);
    stub = await startOpenAIStub();
    wb = await launchWorkbench({ prefix: PREFIX, modelBaseUrl: stub.baseURL, ready: true });
    page = wb.page;
  });
  afterEach(async function () { await shootIfFailed(this.currentTest, page, PREFIX); });
  after(async function () {
    this.timeout(60_000);
    await wb?.close();
    await stub?.close();
  });

  it('the chat\'s message area takes most of the side bar\'s height at 1400x900, with Governance open in the panel beside it', async () => {
    const chat = await chatFrame(page);
    await until('the chat to show the backend ready', async () => (await chat.locator('[data-testid="backend-state"]').getAttribute('data-state')) === 'ready');
    stub.enqueue({ kind: 'stream', chunks: textChunks('Hello! Governance now has the panel, so this conversation keeps the side bar to itself.', 6) });
    await prompt(page, chat, 'Hello');
    await turnDone(chat, 1);
    const gov = await showGovernance(page);
    assert.equal(await gov.locator('[data-testid="section-backend"] [data-testid="section-count"]').innerText(), 'ready');
    // Governance is in the panel, not in the Chat's side bar: both show at once.
    assert.equal(await page.locator('.part.sidebar .pane-header', { hasText: 'Governance' }).count(), 0);
    const panel = await page.locator('.part.panel').boundingBox();
    const sections = await gov.locator('[data-testid="section-pending"]').boundingBox();
    assert.ok(panel && sections && sections.y >= panel.y && sections.y + sections.height <= panel.y + panel.height && sections.x >= panel.x,
      `the Governance view (${JSON.stringify(sections)}) is inside the panel (${JSON.stringify(panel)})`);
    assert.ok(await chat.locator('[data-testid="prompt-input"]').isVisible(), 'and the chat is still there');
    const sidebar = await page.locator('.part.sidebar').boundingBox();
    const messages = await chat.locator('[data-testid="messages"]').boundingBox();
    assert.ok(sidebar && messages);
    assert.ok(messages.height > 0.6 * sidebar.height, `the message area is ${Math.round(messages.height)}px of the side bar's ${Math.round(sidebar.height)}px`);
    await shot('chat-height');
  });

  it('Governance shows its sections with Pending first and open while an edit waits; the others collapsed, each with its count', async () => {
    const chat = await chatFrame(page);
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_e', name: 'edit_file', args: { path: 'src/greet.js', oldText: 'Hello, ${name}!', newText: 'Hi there, ${name}!' } }], 3) },
      { kind: 'stream', chunks: textChunks('Changed the greeting.', 3) },
    );
    await prompt(page, chat, 'Make the greeting friendlier');
    const card = chat.locator('[data-testid="tool-card"][data-tool="edit_file"]').last();
    await until('the edit to wait for approval', async () => (await card.getAttribute('data-status')) === 'awaiting-approval');
    const gov = await showGovernance(page);
    assert.deepEqual(await gov.locator('[data-section]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { section: string } }).dataset.section)), SECTIONS);
    const item = gov.locator('[data-testid="approval-item"][data-kind="edit"]');
    await until('the edit in Pending', async () => (await item.count()) === 1);
    assert.ok(await item.isVisible(), 'Pending is open: the edit reads without a click');
    assert.match(await item.innerText(), /Torbit wants to edit src\/greet\.js/);
    assert.equal(await count(gov, 'pending'), '1');
    assert.deepEqual(await openSections(gov), ['pending']);
    assert.match(await count(gov, 'activity'), /^\d+$/);
    assert.ok(Number(await count(gov, 'activity')) >= 4, 'the activity counts the audit records (prompts, decisions, …)');
    await shot('sections');
    // Decided from there: Approve in Governance applies it.
    await item.locator('[data-testid="approval-approve"]').click();
    await until('the edit to apply', async () => (await card.getAttribute('data-status')) === 'ok');
    await until('Pending to empty', async () => (await count(gov, 'pending')) === '0');
    await turnDone(chat, 2);
    // The activity, by kind: the decisions of that edit.
    await openSection(gov, 'activity');
    await gov.locator('[data-testid="filter-kind"]').selectOption('decision');
    await until('only decisions in the activity', async () => {
      const kinds = await gov.locator('[data-testid="audit-entry"]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { kind: string } }).dataset.kind));
      return kinds.length > 0 && kinds.every((k) => k === 'decision');
    });
    assert.ok(await gov.locator('[data-testid="audit-entry"][data-outcome="approved"]').count() >= 1);
    await shot('activity-decisions');
    await gov.locator('[data-testid="filter-kind"]').selectOption('');
  });

  it('a session allowance is listed in Governance and revoked there; the next such command asks again', async () => {
    const chat = await chatFrame(page);
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_a1', name: 'run_command', args: { command: 'git', args: ['rev-list', '--count', 'HEAD'] } }], 3) },
      { kind: 'stream', chunks: textChunks('Counted.', 3) },
    );
    await clearToasts(page);
    await prompt(page, chat, 'How many commits?');
    await toast(page, /Torbit wants to run git rev-list --count HEAD/);
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'git rev-list' }).locator('.monaco-button', { hasText: /^Allow for This Session$/ }).click();
    await turnDone(chat, 3);

    const gov = await showGovernance(page);
    await until('the allowance counted in its header', async () => (await count(gov, 'allowances')) === '1');
    await openSection(gov, 'allowances');
    const allowance = gov.locator('[data-testid="allowance"]');
    assert.match((await allowance.innerText()).replace(/\s+/g, ' '), /Run git rev-list … In the chat “Hello” · allowed at .* · not used yet/);
    await shot('allowance');

    await allowance.locator('[data-testid="allowance-revoke"]').click();
    await until('the allowance gone', async () => (await allowance.count()) === 0 && (await count(gov, 'allowances')) === '0');
    await openSection(gov, 'activity');
    const revoked = gov.locator('[data-testid="audit-entry"][data-outcome="allowance-revoked"]');
    await until('the revocation in the activity', async () => (await revoked.count()) === 1);
    assert.match((await revoked.innerText()).replace(/\s+/g, ' '), /Decision user allowance-revoked git rev-list …: revoked after 0 use\(s\)/);
    await revoked.scrollIntoViewIfNeeded();
    await shot('revoked');

    // The same kind of command in the same chat: asked again.
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'call_a2', name: 'run_command', args: { command: 'git', args: ['rev-list', '--max-count=1', 'HEAD'] } }], 3) },
      { kind: 'stream', chunks: textChunks('That one.', 3) },
    );
    await clearToasts(page);
    await prompt(page, chat, 'And the newest?');
    await toast(page, /Torbit wants to run git rev-list --max-count=1 HEAD/);
    await until('the ask in Pending', async () => (await count(gov, 'pending')) === '1');
    await page.locator('.notifications-toasts .notification-toast', { hasText: 'git rev-list' }).locator('.monaco-button', { hasText: /^Approve$/ }).click();
    await turnDone(chat, 4);
  });
});
