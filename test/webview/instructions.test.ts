// The Chat view's instructions line, in headless Chromium under the real CSP: the files that shaped
// a turn, each a link that posts openFile, what was left out and why, restricted mode, the line
// replaced as the turn touches folders, and kept in a restored transcript.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ChatEvent, ToWebviewMessage, TurnInstructions, Usage } from '../../server/protocol';
import { clearPosted, deliver, pageGlobal, posted, startHarness, type Harness } from './harness';

const MODEL = 'openai:gpt-4.1-mini';
const ZERO: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
const T = (s: string) => `[data-testid="${s}"]`;
const SHA = 'ab'.repeat(32);

const state = (over: Record<string, unknown> = {}): ToWebviewMessage => ({
  type: 'chatState', models: [MODEL], model: MODEL, sessions: [], sessionId: 's1', transcript: [], runningTurnId: null, recordTimings: false, checkpoint: null, ...over,
});
const ev = (seq: number, event: ChatEvent): ToWebviewMessage => ({ type: 'chatEvent', sessionId: 's1', turnId: 't1', seq, event });

const instructions = (over: Partial<TurnInstructions> = {}): TurnInstructions => ({
  files: [
    { source: 'agents', path: 'AGENTS.md', abs: '/ws/AGENTS.md', sha256: SHA, tokens: 812, step: 0 },
    { source: 'rule', path: '.torbit/rules/style.md', abs: '/ws/.torbit/rules/style.md', sha256: SHA, tokens: 40, step: 0 },
  ],
  leftOut: [],
  restricted: false,
  budget: { maxTokens: 8000, used: 852 },
  ...over,
});

describe('Chat view: the instructions line (headless Chromium, real CSP)', function () {
  this.timeout(60_000);
  let harness: Harness;
  let page: Page;

  before(async function () {
    this.timeout(600_000);
    harness = await startHarness('chat');
  });
  after(async () => { await harness?.close(); });
  beforeEach(async () => {
    page = await harness.newPage();
    await deliver(page, { type: 'backend', state: 'ready' }, state());
  });
  afterEach(async function () {
    if (this.currentTest?.state === 'passed') {
      assert.deepEqual(await pageGlobal(page, '__cspViolations'), []);
      assert.deepEqual(await pageGlobal(page, '__pageErrors'), []);
    }
    await page.close();
  });

  const files = () => page.locator(`${T('turn-instructions')} ${T('instructions-file')}`).allInnerTexts();

  it('shows the files under the person\'s message, in order, each opening its file', async () => {
    await deliver(page, ev(0, { type: 'turn-start', userText: 'tidy up', model: MODEL }), ev(1, { type: 'instructions', instructions: instructions() }));
    assert.deepEqual(await files(), ['AGENTS.md', '.torbit/rules/style.md']);
    // Right under the person's message, before anything the assistant says.
    assert.equal(await page.locator(`${T('message-user')} + ${T('turn-instructions')}`).count(), 1);
    assert.match(await page.locator(T('turn-instructions')).innerText(), /Instructions:[\s\S]*852 \/ 8000 tokens/);
    assert.match((await page.locator(T('instructions-file')).first().getAttribute('title'))!, /the folder's AGENTS\.md: ~812 tokens, sha256 abababababab/);
    await clearPosted(page);
    await page.locator(T('instructions-file')).nth(1).click();
    assert.deepEqual(await posted(page), [{ type: 'openFile', path: '/ws/.torbit/rules/style.md' }]);
  });

  it('replaces the line when the turn brings in a nested AGENTS.md, and names what was left out and why', async () => {
    await deliver(page, ev(0, { type: 'turn-start', userText: 'tidy up', model: MODEL }), ev(1, { type: 'instructions', instructions: instructions() }));
    const grown = instructions({
      files: [...instructions().files, { source: 'nested', path: 'src/AGENTS.md', abs: '/ws/src/AGENTS.md', sha256: SHA, tokens: 10, step: 1, because: 'src/app.ts' }],
      leftOut: [
        { path: 'CLAUDE.md', abs: '/ws/CLAUDE.md', tokens: 9000, reason: 'over the instructions budget: ~9000 tokens, with 7148 of torbit.instructions.maxTokens (8000) left', kind: 'over-budget', step: 0 },
        { path: '.torbit/rules/bad.md', abs: '/ws/.torbit/rules/bad.md', reason: 'front matter: line 2: expected "key: value"', kind: 'problem', step: 1 },
      ],
    });
    await deliver(page, ev(2, { type: 'instructions', instructions: grown }));
    assert.equal(await page.locator(T('turn-instructions')).count(), 1, 'one line, replaced');
    assert.deepEqual(await files(), ['AGENTS.md', '.torbit/rules/style.md', 'src/AGENTS.md']);
    assert.match((await page.locator(T('instructions-file')).nth(2).getAttribute('title'))!, /for src\/app\.ts/);
    const left = await page.locator(T('instructions-left-out')).allInnerTexts();
    assert.equal(left.length, 2);
    assert.match(left[0]!, /Left out: CLAUDE\.md \(over the instructions budget: ~9000 tokens/);
    assert.match(left[1]!, /Left out: \.torbit\/rules\/bad\.md \(front matter: line 2/);
    await clearPosted(page);
    await page.locator(T('instructions-left-out-file')).first().click();
    assert.deepEqual(await posted(page), [{ type: 'openFile', path: '/ws/CLAUDE.md' }]);
  });

  it('says in restricted mode that the repository\'s files were not read', async () => {
    await deliver(page, ev(0, { type: 'turn-start', userText: 'hi', model: MODEL }),
      ev(1, { type: 'instructions', instructions: instructions({ files: [], restricted: true, budget: { maxTokens: 8000, used: 0 } }) }));
    assert.match(await page.locator(T('instructions-restricted')).innerText(), /not read: this workspace is untrusted/);
    assert.equal(await page.locator(T('instructions-file')).count(), 0);
  });

  it('keeps the line in a restored transcript, and shows none for a turn without instructions', async () => {
    const turn = (id: string, extra: Record<string, unknown> = {}) => ({ id, userText: id, model: MODEL, status: 'done', parts: [], usage: ZERO, startedAt: '2025-01-02T10:00:00.000Z', ...extra });
    await deliver(page, state({ transcript: [turn('with', { instructions: instructions() }), turn('without')] }));
    assert.equal(await page.locator(T('turn-instructions')).count(), 1);
    assert.deepEqual(await files(), ['AGENTS.md', '.torbit/rules/style.md']);
  });
});
