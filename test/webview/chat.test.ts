// The Chat view in headless Chromium under the real view's CSP: what it renders from the
// extension's messages, what it posts back, streaming markdown, sanitizing, and the benchmark hooks.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { ChatEvent, ChatState, SessionSummary, ToWebviewMessage, Turn, Usage } from '../../server/protocol';
import { BlockSplitter } from '../../webview/chat/blocks';
import { markdownToHtml } from '../../webview/chat/marked';
import { clearPosted, deliver, pageGlobal, posted, startHarness, type Harness } from './harness';
import { CORPUS } from './markdownCorpus';

const MODELS = ['openai:gpt-4.1-mini', 'anthropic:claude-sonnet-4-5', 'openai-compatible:llama3.2:3b'];
const ZERO: Usage = { inputTokens: 0, outputTokens: 0, costUsd: 0 };
const T = (s: string) => `[data-testid="${s}"]`;

function chatState(over: Partial<ChatState> = {}): ToWebviewMessage {
  return { type: 'chatState', models: MODELS, model: MODELS[0]!, sessions: [], sessionId: 's1', transcript: [], runningTurnId: null, recordTimings: false, checkpoint: null, ...over };
}

function ev(turnId: string, seq: number, event: ChatEvent, sessionId = 's1'): ToWebviewMessage {
  return { type: 'chatEvent', sessionId, turnId, seq, event };
}

function turn(over: Partial<Turn> & { id: string }): Turn {
  return { userText: 'do it', model: MODELS[0]!, status: 'done', parts: [], usage: ZERO, startedAt: '2025-01-02T10:00:00.000Z', ...over };
}

function session(id: string, title: string, usage: Usage = ZERO): SessionSummary {
  return { id, title, model: MODELS[0]!, createdAt: '2025-01-02T10:00:00.000Z', updatedAt: '2025-01-03T11:00:00.000Z', turns: 2, usage };
}

/** Chunks of 1..max characters, from a fixed seed: the same "random" split on every run. */
function chunksOf(text: string, seed: number, max = 12): string[] {
  let x = seed;
  const out: string[] = [];
  for (let i = 0; i < text.length;) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const n = 1 + (x % max);
    out.push(text.slice(i, i + n));
    i += n;
  }
  return out;
}

/** Starts turn `turnId` (seq 0) and streams `chunks` as text-deltas (seq 1..n). Returns the next seq. */
async function streamText(page: Page, turnId: string, chunks: string[], opts: { start?: boolean; seq?: number } = {}): Promise<number> {
  let seq = opts.seq ?? 0;
  const msgs: ToWebviewMessage[] = [];
  if (opts.start !== false) msgs.push(ev(turnId, seq++, { type: 'turn-start', userText: 'write it', model: MODELS[0]! }));
  for (const c of chunks) msgs.push(ev(turnId, seq++, { type: 'text-delta', text: c }));
  await deliver(page, ...msgs);
  return seq;
}

const assistantHtml = (page: Page, nth = 0) => page.locator(T('message-assistant')).nth(nth).innerHTML();

describe('Chat view: block splitter (Node, against marked)', () => {
  for (const [name, src] of Object.entries(CORPUS)) {
    it(`renders every prefix of "${name}" block-wise exactly as whole`, () => {
      const s = new BlockSplitter();
      let html = '';
      let blocks = 0;
      for (let i = 0; i < src.length; i++) {
        for (const b of s.append(src[i]!)) {
          html += markdownToHtml(b);
          blocks++;
        }
        assert.equal(html + markdownToHtml(s.tail), markdownToHtml(src.slice(0, i + 1)), `prefix of ${i + 1} characters`);
      }
      assert.equal(s.text, src);
      if (name !== 'unclosed' && name !== 'inline') assert.ok(blocks > 0, 'the text was split into blocks');
    });
  }

  it('keeps the tail short for a long answer (only the unfinished block is re-rendered)', () => {
    const s = new BlockSplitter();
    for (let i = 0; i < 500; i++) s.append(`Paragraph ${i} with some words in it.\n\n`);
    s.append('The last one, still being wri');
    assert.ok(s.tail.length < 80, `tail of ${s.tail.length} characters`);
  });
});

describe('Chat view (headless Chromium, real CSP)', function () {
  this.timeout(60_000);
  let harness: Harness;
  let page: Page;
  let consoleErrors: string[];

  before(async function () {
    this.timeout(600_000); // run alone (not from test/run.mjs), the harness may first install Chromium
    harness = await startHarness('chat');
  });
  after(async () => {
    await harness?.close();
  });
  beforeEach(async () => {
    page = await harness.newPage();
    consoleErrors = [];
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
  });
  afterEach(async function () {
    // Every test also proves the view ran under the CSP without a violation or an uncaught error.
    if (this.currentTest?.state === 'passed') {
      assert.deepEqual(await pageGlobal(page, '__cspViolations'), [], 'CSP violations');
      assert.deepEqual(await pageGlobal(page, '__pageErrors'), [], 'uncaught errors in the page');
    }
    await page.close();
  });

  it('posts ready once when loaded, and shows the prompt box, Send and no Stop', async () => {
    assert.deepEqual(await posted(page), [{ type: 'ready' }]);
    assert.ok(await page.locator(T('prompt-input')).isVisible());
    assert.ok(await page.locator(T('send')).isVisible());
    assert.equal(await page.locator(T('stop')).isVisible(), false);
    assert.equal(await page.locator(T('messages')).getAttribute('role'), 'log');
  });

  it('renders chatState: the transcript (user, markdown, tool card with diff link), the meter and the pickers', async () => {
    await deliver(page, { type: 'backend', state: 'ready' }, chatState({
      sessions: [session('s1', 'Build the login page', { inputTokens: 1000, outputTokens: 234, costUsd: 0.0123 }), session('s0', 'Older work')],
      transcript: [turn({
        id: 't1',
        userText: 'Add a <b>login</b> page',
        parts: [
          { kind: 'text', text: 'I will **edit** `src/app.ts`:\n\n- step one\n- step two' },
          { kind: 'tool', card: { toolCallId: 'c1', tool: 'edit_file', summary: 'src/app.ts', status: 'ok', result: '+3 −1', changeId: 4, openPath: '/ws/src/app.ts' } },
          { kind: 'text', text: 'Done.' },
        ],
        usage: { inputTokens: 1000, outputTokens: 234, costUsd: 0.0123 },
      })],
    }));
    assert.equal(await page.locator(T('backend-state')).getAttribute('data-state'), 'ready');
    const user = page.locator(T('message-user'));
    assert.equal(await user.innerText(), 'Add a <b>login</b> page', 'user text is text, not HTML');
    assert.equal(await user.locator('b').count(), 0);
    const md = page.locator(T('message-assistant'));
    assert.equal(await md.count(), 2);
    assert.equal(await md.first().locator('strong').innerText(), 'edit');
    assert.equal(await md.first().locator('li').count(), 2);
    const card = page.locator(T('tool-card'));
    assert.equal(await card.getAttribute('data-tool'), 'edit_file');
    assert.equal(await card.getAttribute('data-status'), 'ok');
    assert.equal(await card.locator(T('tool-result')).innerText(), '+3 −1');
    // Parts keep their order: user, text, card, text.
    const order = await page.locator(`${T('turn')} > :not([hidden]):not(.turn-footer)`).evaluateAll((els) =>
      els.map((e) => (e as unknown as { dataset: { testid?: string } }).dataset.testid));
    assert.deepEqual(order, ['message-user', 'message-assistant', 'tool-card', 'message-assistant']);
    assert.equal(await page.locator(T('meter')).innerText(), '1,234 tokens · $0.0123');
    assert.equal(await page.locator(T('empty-state')).isVisible(), false);

    await clearPosted(page);
    await card.locator(T('open-diff')).click();
    await card.locator(T('open-file')).click();
    assert.deepEqual(await posted(page), [{ type: 'openChange', changeId: 4 }, { type: 'openFile', path: '/ws/src/app.ts' }]);

    const picker = page.locator(T('session-picker'));
    assert.equal(await picker.evaluate((el) => (el as unknown as { value: string }).value), 's1');
    assert.match(await picker.locator('vscode-option').first().innerText(), /^Build the login page · /);
    assert.equal(await page.locator(T('model-picker')).evaluate((el) => (el as unknown as { value: string }).value), MODELS[0]);
  });

  it('offers Restore on each finished turn (posting restoreTurn), none on a running one, and says which checkpoint a session resumes at', async () => {
    const checkpoint = { id: 7, kind: 'after-turn' as const, label: null, sessionId: 's1', turnId: 't2', turnTitle: 'second', createdAt: '2025-01-02T10:05:00.000Z', files: 12, turns: 2 };
    await deliver(page, chatState({ transcript: [turn({ id: 't1', userText: 'first' }), turn({ id: 't2', userText: 'second' })], checkpoint }));
    assert.equal(await page.locator(T('turn-restore')).count(), 2);
    assert.match(await page.locator(T('resume-checkpoint')).innerText(), /Checkpoint #7 \(after-turn, /);
    await clearPosted(page);
    await page.locator(`${T('turn')}[data-turn-id="t1"] ${T('turn-restore')}`).click();
    assert.deepEqual(await posted(page), [{ type: 'restoreTurn', turnId: 't1' }]);
    await page.locator(T('prompt-input')).click();
    await page.keyboard.type('next');
    await page.keyboard.press('Enter');
    assert.equal(await page.locator(T('resume-checkpoint')).count(), 0, 'a new turn moves past it');
    await deliver(page, chatState({ transcript: [turn({ id: 't3', status: 'running' })], runningTurnId: 't3', checkpoint: null }));
    assert.equal(await page.locator(T('turn-restore')).count(), 0, 'a running turn has nothing to restore yet');
    assert.equal(await page.locator(T('resume-checkpoint')).count(), 0);
  });

  it('an empty session shows the empty state and a meter of zero; cost — when unknown', async () => {
    await deliver(page, chatState({ sessionId: null, transcript: [] }));
    assert.ok(await page.locator(T('empty-state')).isVisible());
    assert.equal(await page.locator(T('meter')).innerText(), '0 tokens · $0.0000');
    await deliver(page, chatState({ sessionId: 'x', transcript: [turn({ id: 't', usage: { inputTokens: 10, outputTokens: 5, costUsd: null } })] }));
    assert.equal(await page.locator(T('meter')).innerText(), '15 tokens · —');
  });

  it('streams text-deltas into markdown incrementally, and the final DOM equals the whole text rendered', async () => {
    const text = 'First paragraph with **bold**.\n\nSecond paragraph.\n\n```js\nconsole.log(1);\n\nconsole.log(2);\n```\n\n- a\n- b\n\nThe end.';
    await deliver(page, chatState());
    const half = text.indexOf('Second');
    let seq = await streamText(page, 't1', chunksOf(text.slice(0, half + 3), 7));
    const first = page.locator(`${T('message-assistant')} > p`).first();
    assert.equal(await first.innerHTML(), 'First paragraph with <strong>bold</strong>.');
    // Mark the first block's element: if later chunks re-rendered it, the mark would be gone.
    await first.evaluate((el) => { (el as unknown as { torbitMark: number }).torbitMark = 1; });
    // A half-open code fence renders as code while it streams.
    const fenceAt = text.indexOf('console.log(2)');
    seq = await streamText(page, 't1', chunksOf(text.slice(half + 3, fenceAt), 3), { start: false, seq });
    assert.equal(await page.locator(`${T('message-assistant')} pre code`).innerText(), 'console.log(1);\n\n');
    seq = await streamText(page, 't1', chunksOf(text.slice(fenceAt), 5), { start: false, seq });
    assert.equal(await first.evaluate((el) => (el as unknown as { torbitMark?: number }).torbitMark), 1, 'the finished first block was rendered once');
    const streamed = await assistantHtml(page);
    await deliver(page, ev('t1', seq, { type: 'turn-end', status: 'done' }));
    assert.equal(await assistantHtml(page), streamed, 'turn-end keeps the DOM as it was');

    await deliver(page, chatState({ transcript: [turn({ id: 't1', parts: [{ kind: 'text', text }] })] }));
    assert.equal(await assistantHtml(page), streamed, 'streamed DOM equals the whole text rendered at once');
    assert.equal(await page.locator(`${T('message-assistant')} li`).count(), 2);
  });

  it('streams every sample of the markdown corpus to the same DOM as rendering it whole', async () => {
    for (const [name, text] of Object.entries(CORPUS)) {
      await deliver(page, chatState());
      const seq = await streamText(page, 't1', chunksOf(text, name.length, 16));
      const streamed = await assistantHtml(page);
      await deliver(page, ev('t1', seq, { type: 'turn-end', status: 'done' }));
      const ended = await assistantHtml(page);
      await deliver(page, chatState({ transcript: [turn({ id: 't1', parts: [{ kind: 'text', text }] })] }));
      const whole = await assistantHtml(page);
      assert.equal(streamed, whole, `${name}: while streaming`);
      assert.equal(ended, whole, `${name}: after turn-end`);
    }
  });

  it('after the turn, a text whose blocks render differently apart (a link defined later) is made exact', async () => {
    const text = 'See [the docs][d] first.\n\nThen more text.\n\n[d]: https://example.invalid/docs';
    await deliver(page, chatState());
    const seq = await streamText(page, 't1', chunksOf(text, 3));
    assert.equal(await page.locator(`${T('message-assistant')} a.md-link`).count(), 0, 'not resolvable while streaming');
    await deliver(page, ev('t1', seq, { type: 'turn-end', status: 'done' }));
    const link = page.locator(`${T('message-assistant')} a.md-link`);
    assert.equal(await link.innerText(), 'the docs');
    assert.equal(await link.getAttribute('title'), 'https://example.invalid/docs');
    assert.equal(await link.getAttribute('href'), null, 'links do not navigate');
  });

  it('gives code blocks a Copy button that posts the exact code (mouse and keyboard)', async () => {
    const code = "const s = 'a < b && c > \"d\"';\n\n  indented();\t// tab";
    await deliver(page, chatState());
    const seq = await streamText(page, 't1', ['Example:\n\n```ts\n', code, '\n```\n\nAnd `inline` code.']);
    await deliver(page, ev('t1', seq, { type: 'turn-end', status: 'done' }));
    const copy = page.locator(T('copy-code'));
    assert.equal(await copy.count(), 1, 'inline code gets no button');
    assert.equal(await page.locator('.code-lang').innerText(), 'ts');
    await clearPosted(page);
    await copy.click();
    await copy.focus();
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page), [{ type: 'copy', text: code }, { type: 'copy', text: code }]);
  });

  it('does not execute or keep raw HTML, scripts, javascript: links or remote images', async () => {
    const text = [
      'Hi <img src=x onerror="window.__pwned=1"> there.',
      '<script>window.__pwned=2</script>',
      '[x](javascript:alert(1)) and <a href="javascript:window.__pwned=3">raw</a> and [ok](https://example.invalid/)',
      '![remote](https://example.invalid/tracker.png) ![local](data:image/gif;base64,R0lGODlhAQABAAAAACw=)',
      '<iframe src="javascript:window.__pwned=4"></iframe>',
      '<svg onload="window.__pwned=5"><circle/></svg>',
      '<details open ontoggle="window.__pwned=6">x</details>',
    ].join('\n\n');
    await deliver(page, chatState());
    const seq = await streamText(page, 't1', chunksOf(text, 11));
    await deliver(page, ev('t1', seq, { type: 'turn-end', status: 'done' }));
    await deliver(page, chatState({ transcript: [turn({ id: 't2', userText: '<img src=x onerror="window.__pwned=7">', parts: [{ kind: 'text', text }] })] }));
    await page.waitForTimeout(300);
    assert.equal(await pageGlobal(page, '__pwned'), undefined, 'no injected script ran');
    const msgs = page.locator(T('messages'));
    for (const sel of ['script', 'iframe', 'svg', 'details', 'img:not([src^="data:image/"])', '[onerror]', '[onload]', '[ontoggle]', 'a[href]']) {
      assert.equal(await msgs.locator(sel).count(), 0, `no ${sel}`);
    }
    // Torbit's own buttons (web components) style their icons; what the messages render may not.
    assert.equal(await page.locator(`${T('message-assistant')} [style], ${T('message-user')} [style]`).count(), 0, 'no [style]');
    const md = page.locator(T('message-assistant'));
    assert.match(await md.innerText(), /Hi <img src=x onerror="window.__pwned=1"> there\./, 'raw HTML is shown as text');
    assert.equal(await md.locator('img[src^="data:image/"]').count(), 1, 'a data: image is kept');
    assert.match(await md.locator('.md-image-blocked').innerText(), /remote/);
    assert.deepEqual(await md.locator('a.md-link').evaluateAll((els) => els.map((e) => (e as unknown as { title: string }).title)), ['', 'https://example.invalid/']);
  });

  it('updates a tool card from tool-start, tool-output and tool-end, and caps its output', async () => {
    await deliver(page, chatState());
    let seq = await streamText(page, 't1', ['Running the tests.']);
    await deliver(page,
      ev('t1', seq++, { type: 'tool-start', card: { toolCallId: 'c1', tool: 'run_command', summary: 'npm test', status: 'running' } }),
      ev('t1', seq++, { type: 'tool-output', toolCallId: 'c1', chunk: 'line 1\n' }),
      ev('t1', seq++, { type: 'tool-output', toolCallId: 'c1', chunk: 'line 2\n' }));
    const card = page.locator(T('tool-card'));
    assert.equal(await card.getAttribute('data-tool'), 'run_command');
    assert.equal(await card.getAttribute('data-status'), 'running');
    assert.match(await card.locator('.tool-status-icon').getAttribute('class') ?? '', /codicon-loading codicon-modifier-spin/);
    assert.equal(await card.locator(T('tool-summary')).innerText(), 'npm test');
    assert.equal(await card.locator(T('tool-output')).textContent(), 'line 1\nline 2\n');
    assert.ok(await card.locator(T('tool-output')).isVisible(), 'running output is shown');
    assert.equal(await card.locator(T('open-diff')).count(), 0);

    await deliver(page,
      ev('t1', seq++, { type: 'tool-output', toolCallId: 'c1', chunk: 'a'.repeat(150_000) }),
      ev('t1', seq++, { type: 'tool-output', toolCallId: 'c1', chunk: 'b'.repeat(100_000) }));
    const out = await card.locator(T('tool-output')).textContent() ?? '';
    assert.ok(out.length <= 200_000, `kept ${out.length} characters`);
    assert.ok(out.endsWith('b'.repeat(100_000)), 'the newest output is kept');
    assert.ok(await card.locator('.tool-output-trimmed').isVisible(), 'says output was trimmed');

    await deliver(page, ev('t1', seq++, { type: 'tool-end', card: { toolCallId: 'c1', tool: 'run_command', summary: 'npm test', status: 'ok', result: 'exit 0 in 1.2 s', changeId: 9, openPath: '/ws/package.json' } }));
    assert.equal(await card.getAttribute('data-status'), 'ok');
    assert.match(await card.locator('.tool-status-icon').getAttribute('class') ?? '', /codicon-check/);
    assert.equal(await card.locator(T('tool-result')).innerText(), 'exit 0 in 1.2 s');
    await clearPosted(page);
    await card.locator(T('open-diff')).click();
    await card.locator(T('open-file')).focus();
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page), [{ type: 'openChange', changeId: 9 }, { type: 'openFile', path: '/ws/package.json' }]);

    // Folding the output works from the keyboard.
    await card.locator(T('tool-output-toggle')).focus();
    await page.keyboard.press('Enter');
    assert.equal(await card.locator(T('tool-output')).isVisible(), false);

    // Text after a card is a new part; a card left running when the turn is stopped shows canceled.
    seq = await streamText(page, 't1', ['Now a second step.'], { start: false, seq });
    await deliver(page,
      ev('t1', seq++, { type: 'tool-start', card: { toolCallId: 'c2', tool: 'read_file', summary: 'src/a.ts:1-40', status: 'running' } }),
      ev('t1', seq, { type: 'turn-end', status: 'canceled' }));
    assert.equal(await page.locator(T('message-assistant')).count(), 2);
    assert.equal(await page.locator(T('tool-card')).nth(1).getAttribute('data-status'), 'canceled');
    assert.equal(await page.locator(T('turn-status')).innerText(), 'Stopped');
    assert.equal(await pageGlobal(page, '__torbitGaps'), 0);
  });

  it('shows a card waiting for approval with the reason and Approve / Reject / Review, then running, or rejected', async () => {
    await deliver(page, chatState());
    let seq = await streamText(page, 't1', ['Editing.']);
    const approval = {
      id: 'ap-1', kind: 'edit' as const, reason: 'edit inside the workspace: ask', expiresAt: '2026-11-21T12:10:00.000Z', tool: 'edit_file', title: 'src/a.ts',
      why: { kind: 'category' as const, category: 'edit' as const, inside: true },
      edit: { path: 'src/a.ts', created: false, hunks: [{ index: 0, line: 0, removed: 1, added: 2 }, { index: 1, line: 9, removed: 1, added: 0 }] },
    };
    await deliver(page, ev('t1', seq++, { type: 'tool-start', card: { toolCallId: 'c1', tool: 'edit_file', summary: 'src/a.ts', status: 'awaiting-approval', approval } }));
    const card = page.locator(T('tool-card')).first();
    assert.equal(await card.getAttribute('data-status'), 'awaiting-approval');
    assert.match(await card.locator('.tool-status-icon').getAttribute('class') ?? '', /codicon-bell-dot/);
    assert.equal(await card.locator(T('approval-reason')).innerText(), 'Torbit wants to edit src/a.ts (2 changes). Your policy asks before edits.');
    assert.equal(await card.locator(T('approval-exact')).count(), 0);
    await clearPosted(page);
    await card.locator(T('approval-approve')).click();
    await card.locator(T('approval-reject')).focus();
    await page.keyboard.press('Enter');
    await card.locator(T('approval-review')).click();
    assert.deepEqual(await posted(page), [
      { type: 'approval', approvalId: 'ap-1', action: 'approve' },
      { type: 'approval', approvalId: 'ap-1', action: 'reject' },
      { type: 'approval', approvalId: 'ap-1', action: 'review' },
    ]);
    // Approved: the backend moves the card on to running; the buttons go.
    await deliver(page, ev('t1', seq++, { type: 'tool-update', card: { toolCallId: 'c1', tool: 'edit_file', summary: 'src/a.ts', status: 'running' } }));
    assert.equal(await card.getAttribute('data-status'), 'running');
    assert.equal(await card.locator(T('approval')).isVisible(), false);
    // A command has no Review; a rejected one says why.
    const { edit: _, ...rest } = approval;
    const commandApproval = { ...rest, id: 'ap-2', kind: 'command' as const, tool: 'run_command', title: 'rm -rf build', why: { kind: 'category' as const, category: 'command' as const, inside: true },
      command: { argv: ['rm', '-rf', 'build'], cwd: 'app' } };
    await deliver(page, ev('t1', seq++, { type: 'tool-start', card: { toolCallId: 'c2', tool: 'run_command', summary: 'rm -rf build', status: 'awaiting-approval', approval: commandApproval } }));
    const cmd = page.locator(T('tool-card')).nth(1);
    assert.equal(await cmd.locator(T('approval-reason')).innerText(), 'Torbit wants to run rm -rf build in app. Your policy asks before commands.');
    // The exact argv and folder stay visible.
    assert.equal(await cmd.locator(T('approval-exact')).innerText(), 'Exactly: ["rm","-rf","build"] in app');
    assert.equal(await cmd.locator(T('approval-review')).count(), 0);
    await deliver(page, ev('t1', seq, { type: 'tool-end', card: { toolCallId: 'c2', tool: 'run_command', summary: 'rm -rf build', status: 'rejected', result: 'the user rejected it: keep the build' } }));
    assert.equal(await cmd.getAttribute('data-status'), 'rejected');
    assert.equal(await cmd.locator(T('tool-result')).innerText(), 'the user rejected it: keep the build');
    assert.equal(await cmd.locator(T('approval')).isVisible(), false);
    assert.equal(await pageGlobal(page, '__torbitGaps'), 0);
  });

  it('offers "Allow … for this session" where the backend offers a scope, and "Always Allow…" on a command; each posts only the approval id', async () => {
    await deliver(page, chatState());
    let seq = await streamText(page, 't1', ['Running.']);
    const base = { kind: 'command' as const, reason: 'command inside the workspace: ask', expiresAt: '2026-11-21T12:10:00.000Z', tool: 'run_command', why: { kind: 'category' as const, category: 'command' as const, inside: true } };
    const scoped = { ...base, id: 'ap-s', title: 'npm run build --watch', command: { argv: ['npm', 'run', 'build', '--watch'], cwd: 'app' }, sessionScope: { kind: 'command' as const, label: 'npm run build …' } };
    await deliver(page, ev('t1', seq++, { type: 'tool-start', card: { toolCallId: 'c1', tool: 'run_command', summary: 'npm run build --watch', status: 'awaiting-approval', approval: scoped } }));
    const card = page.locator(T('tool-card')).first();
    const session = card.locator(T('approval-allowForSession'));
    assert.equal(await session.innerText(), 'Allow npm run build … for this session');
    assert.equal(await card.locator(T('approval-alwaysAllow')).innerText(), 'Always Allow…');
    assert.match(await card.locator(T('approval-alwaysAllow')).getAttribute('title') ?? '', /\.torbit\/policy\.json.*diff/);
    // In reading order: Approve, the session, Always, Reject.
    assert.deepEqual(await card.locator('.approval-actions button').allInnerTexts(), ['Approve', 'Allow npm run build … for this session', 'Always Allow…', 'Reject']);
    await clearPosted(page);
    await session.click();
    await card.locator(T('approval-alwaysAllow')).click();
    assert.deepEqual(await posted(page), [
      { type: 'approval', approvalId: 'ap-s', action: 'allowForSession' },
      { type: 'approval', approvalId: 'ap-s', action: 'alwaysAllow' },
    ]);
    // An edit's scope is for the session only (the policy has no rules for single files).
    const edit = { ...base, id: 'ap-e', kind: 'edit' as const, tool: 'write_file', title: 'notes.txt', why: { kind: 'category' as const, category: 'edit' as const, inside: true },
      edit: { path: 'notes.txt', created: true, hunks: [{ index: 0, line: 0, removed: 0, added: 1 }] }, sessionScope: { kind: 'file' as const, label: 'write_file on notes.txt' } };
    await deliver(page, ev('t1', seq++, { type: 'tool-start', card: { toolCallId: 'c2', tool: 'write_file', summary: 'notes.txt', status: 'awaiting-approval', approval: edit } }));
    const editCard = page.locator(T('tool-card')).nth(1);
    assert.equal(await editCard.locator(T('approval-allowForSession')).innerText(), 'Allow write_file on notes.txt for this session');
    assert.equal(await editCard.locator(T('approval-alwaysAllow')).count(), 0);
    // No scope offered (shell syntax, a protected file…): neither button.
    const bare = { ...base, id: 'ap-b', title: 'git log | head', command: { argv: ['git', 'log', '|', 'head'], cwd: 'app' }, why: { kind: 'shell-syntax' as const, syntax: ['|'] } };
    await deliver(page, ev('t1', seq++, { type: 'tool-start', card: { toolCallId: 'c3', tool: 'run_command', summary: 'git log | head', status: 'awaiting-approval', approval: bare } }));
    const bareCard = page.locator(T('tool-card')).nth(2);
    assert.equal(await bareCard.locator(T('approval-approve')).count(), 1);
    assert.equal(await bareCard.locator(T('approval-allowForSession')).count(), 0);
    assert.equal(await bareCard.locator(T('approval-alwaysAllow')).count(), 0);
    // Allowed: the card runs, the buttons go.
    await deliver(page, ev('t1', seq, { type: 'tool-update', card: { toolCallId: 'c1', tool: 'run_command', summary: 'npm run build --watch', status: 'running' } }));
    assert.equal(await card.locator(T('approval-allowForSession')).count(), 0);
    assert.equal(await pageGlobal(page, '__torbitGaps'), 0);
  });

  it('shows a turn error with a Set API Key button that runs the command; other endings as a notice line', async () => {
    await deliver(page, chatState());
    await deliver(page,
      ev('t1', 0, { type: 'turn-start', userText: 'hello', model: MODELS[0]! }),
      ev('t1', 1, { type: 'turn-end', status: 'error', error: { code: 'missing-key', message: 'No API key is set for openai.', action: 'setApiKey' } }));
    const err = page.locator(T('turn-error'));
    assert.match(await err.innerText(), /No API key is set for openai\./);
    await clearPosted(page);
    await err.locator(T('set-api-key')).click();
    assert.deepEqual(await posted(page), [{ type: 'runCommand', command: 'torbit.setApiKey' }]);

    const endings: [Turn['status'], string][] = [
      ['canceled', 'Stopped'],
      ['budget', 'Stopped: budget reached'],
      ['step-limit', 'Stopped at the step limit'],
      ['interrupted', 'Interrupted (the window was reloaded or the backend stopped)'],
    ];
    for (const [i, [status, line]] of endings.entries()) {
      await deliver(page, ev(`e${i}`, 0, { type: 'turn-start', userText: status, model: MODELS[0]! }), ev(`e${i}`, 1, { type: 'turn-end', status }));
      assert.equal(await page.locator(`[data-turn-id="e${i}"] ${T('turn-status')}`).innerText(), line);
    }
    await deliver(page, ev('ok', 0, { type: 'turn-start', userText: 'fine', model: MODELS[0]! }), ev('ok', 1, { type: 'turn-end', status: 'done' }));
    assert.equal(await page.locator(`[data-turn-id="ok"] ${T('turn-status')}, [data-turn-id="ok"] ${T('turn-error')}`).count(), 0);
  });

  it('Enter sends, Shift+Enter adds a line, Enter does not send while running, Stop posts stop', async () => {
    await deliver(page, chatState());
    await clearPosted(page);
    const input = page.locator(T('prompt-input'));
    await input.click();
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page), [{ type: 'prompt', text: 'first line\nsecond line' }]);
    assert.equal(await page.locator(T('message-user')).innerText(), 'first line\nsecond line');
    assert.equal(await input.evaluate((el) => (el as unknown as { value: string }).value), '');
    const stop = page.locator(T('stop'));
    assert.ok(await stop.isVisible(), 'Stop shows while the prompt waits for its turn');

    await page.keyboard.type('again');
    await page.keyboard.press('Enter');
    assert.equal((await posted(page)).filter((m) => m.type === 'prompt').length, 1, 'no second prompt while running');
    assert.equal(await input.evaluate((el) => (el as unknown as { value: string }).value), 'again', 'the text is kept');

    await stop.click();
    assert.deepEqual((await posted(page)).at(-1), { type: 'stop' });
    await deliver(page,
      ev('t1', 0, { type: 'turn-start', userText: 'first line\nsecond line', model: MODELS[0]! }),
      ev('t1', 1, { type: 'turn-end', status: 'canceled' }));
    assert.equal(await page.locator(T('message-user')).count(), 1, 'the sent prompt became the turn');
    assert.equal(await stop.isVisible(), false, 'Stop hides when the turn ends');

    await input.click();
    await page.keyboard.press('Enter');
    assert.deepEqual((await posted(page)).at(-1), { type: 'prompt', text: 'again' });
  });

  it('/ completes the commands (built-ins first), arrows and Tab take one; a built-in is run by the extension, a custom one sent as the prompt', async () => {
    await deliver(page, chatState(), { type: 'slashCommands', commands: [
      { name: 'new', description: 'Start a new chat session', builtin: true },
      { name: 'review', description: 'Review the changes since the last review', builtin: true },
      { name: 'fix', description: 'Fix an issue by number', argumentHint: '<issue>', builtin: false },
      { name: 'explain', builtin: false },
    ] });
    await clearPosted(page);
    const input = page.locator(T('prompt-input'));
    const menu = page.locator(T('slash-menu'));
    const items = () => page.locator(`${T('slash-item')}`).evaluateAll((els) => els.map((e) => `${e.getAttribute('data-name')}${e.classList.contains('active') ? '*' : ''}`));
    await input.click();
    assert.equal(await menu.isVisible(), false, 'no list before /');
    await page.keyboard.type('/');
    assert.deepEqual(await items(), ['new*', 'review', 'fix', 'explain']);
    assert.match(await menu.innerText(), /\/fix\s+<issue>\s+Fix an issue by number/);
    await page.keyboard.type('f');
    assert.deepEqual(await items(), ['fix*']);
    await page.keyboard.press('Tab');
    assert.equal(await input.evaluate((el) => (el as unknown as { value: string }).value), '/fix ');
    assert.equal(await menu.isVisible(), false, 'the list closes once a command is taken');
    assert.deepEqual(await posted(page), [], 'taking a command only fills the input');
    await page.keyboard.type('42');
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page), [{ type: 'prompt', text: '/fix 42' }]);
    await deliver(page, ev('t9', 0, { type: 'turn-start', userText: '/fix 42', model: MODELS[0]! }), ev('t9', 1, { type: 'turn-end', status: 'done' }));

    // Arrow keys move (wrapping), Enter takes; Enter again runs the built-in in the extension.
    await clearPosted(page);
    await page.keyboard.type('/');
    await page.keyboard.press('ArrowUp');
    assert.deepEqual(await items(), ['new', 'review', 'fix', 'explain*']);
    await page.keyboard.press('ArrowDown');
    assert.deepEqual(await items(), ['new*', 'review', 'fix', 'explain']);
    await page.keyboard.press('Enter');
    assert.equal(await input.evaluate((el) => (el as unknown as { value: string }).value), '/new ');
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page), [{ type: 'builtinCommand', name: 'new' }]);
    assert.equal(await page.locator(T('message-user')).count(), 1, 'a built-in is not a turn');

    // Escape closes the list; a click takes a command; a prompt that only starts with / is a prompt.
    await page.keyboard.type('/re');
    await page.keyboard.press('Escape');
    assert.equal(await menu.isVisible(), false);
    await input.evaluate((el) => { (el as unknown as { value: string }).value = ''; });
    await page.keyboard.type('/');
    await page.locator(`${T('slash-item')}[data-name="explain"]`).click();
    assert.equal(await input.evaluate((el) => (el as unknown as { value: string }).value), '/explain ');
    await input.evaluate((el) => { (el as unknown as { value: string }).value = ''; });
    await clearPosted(page);
    await page.keyboard.type('/tmp is full, why?');
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page), [{ type: 'prompt', text: '/tmp is full, why?' }]);
  });

  it('a prompt the extension refuses with a notice stops waiting; notices show with their action', async () => {
    await deliver(page, chatState({ sessionId: null }));
    await page.locator(T('prompt-input')).click();
    await page.keyboard.type('hello');
    await page.locator(T('send')).click();
    assert.ok(await page.locator(T('stop')).isVisible());
    await deliver(page, { type: 'notice', level: 'warning', text: 'No model is connected.' });
    assert.equal(await page.locator(T('stop')).isVisible(), false);
    assert.equal(await page.locator(T('message-user')).innerText(), 'hello');
    assert.equal(await page.locator(T('message-warning')).innerText(), 'No model is connected.');

    await deliver(page,
      { type: 'notice', level: 'info', text: 'Just so you know.' },
      { type: 'notice', level: 'error', text: 'The openai key was rejected.', action: 'setApiKey' });
    assert.equal(await page.locator(T('message-info')).innerText(), 'Just so you know.');
    await clearPosted(page);
    await page.locator(`${T('message-error')} ${T('notice-set-api-key')}`).click();
    assert.deepEqual(await posted(page), [{ type: 'runCommand', command: 'torbit.setApiKey' }]);
  });

  it('shows Stop for a running turn restored by chatState, and continues it from the next event', async () => {
    await deliver(page, chatState({
      runningTurnId: 't9',
      transcript: [turn({ id: 't9', status: 'running', parts: [{ kind: 'text', text: 'Partial answer' }] })],
    }));
    assert.ok(await page.locator(T('stop')).isVisible());
    await clearPosted(page);
    await page.locator(T('stop')).click();
    assert.deepEqual(await posted(page), [{ type: 'stop' }]);
    await deliver(page, ev('t9', 17, { type: 'text-delta', text: ' continued.' }), ev('t9', 18, { type: 'turn-end', status: 'done' }));
    assert.equal(await page.locator(T('message-assistant')).innerText(), 'Partial answer continued.');
    assert.equal(await page.locator(T('stop')).isVisible(), false);
    assert.equal(await pageGlobal(page, '__torbitGaps'), 0, 'the first event after a restore sets the baseline');
  });

  it('posts selectModel, openSession and newSession from the header (keyboard and mouse)', async () => {
    await deliver(page, chatState({ sessions: [session('s1', 'Build the login page'), session('s2', 'Fix the tests')] }));
    await clearPosted(page);
    const model = page.locator(T('model-picker'));
    await model.focus();
    await page.keyboard.press('Enter');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    assert.deepEqual(await posted(page), [{ type: 'selectModel', model: MODELS[1] }]);

    await clearPosted(page);
    await page.locator(T('session-picker')).click();
    await page.locator(`${T('session-picker')} li.option`, { hasText: 'Fix the tests' }).click();
    assert.deepEqual(await posted(page), [{ type: 'openSession', sessionId: 's2' }]);

    await clearPosted(page);
    await page.locator(T('new-session')).click();
    assert.deepEqual(await posted(page), [{ type: 'newSession' }]);

    await deliver(page, { type: 'sessions', sessions: [session('s3', 'A third one'), session('s1', 'Build the login page')] });
    assert.deepEqual(await page.locator(`${T('session-picker')} vscode-option`).evaluateAll((els) => els.map((e) => (e as unknown as { value: string }).value)), ['s3', 's1']);
  });

  it('updates the meter from usage events', async () => {
    await deliver(page, chatState());
    await deliver(page,
      ev('t1', 0, { type: 'turn-start', userText: 'x', model: MODELS[0]! }),
      ev('t1', 1, { type: 'usage', step: ZERO, turn: ZERO, session: { inputTokens: 1000, outputTokens: 234, costUsd: 0.0123 } }));
    assert.equal(await page.locator(T('meter')).innerText(), '1,234 tokens · $0.0123');
    await deliver(page, ev('t1', 2, { type: 'usage', step: ZERO, turn: ZERO, session: { inputTokens: 2_000_000, outputTokens: 1, costUsd: null } }));
    assert.equal(await page.locator(T('meter')).innerText(), '2,000,001 tokens · —');
  });

  it('with recordTimings, records one timing per rendered text-delta and the turn text', async () => {
    await deliver(page, chatState({ recordTimings: true }));
    const chunks = chunksOf('Timing **test**.\n\n'.repeat(20), 5);
    const before = Date.now();
    const seq = await streamText(page, 't1', chunks);
    const timings = await pageGlobal(page, '__torbitTimings') ?? [];
    assert.equal(timings.length, chunks.length);
    assert.deepEqual(timings.map((t) => t.seq), chunks.map((_, i) => i + 1));
    for (let i = 1; i < timings.length; i++) assert.ok(timings[i]!.t >= timings[i - 1]!.t);
    assert.ok(Math.abs(timings[0]!.t - before) < 10_000, 'timestamps are epoch milliseconds');
    assert.equal(await pageGlobal(page, '__torbitText'), chunks.join(''));
    await deliver(page, ev('t1', seq, { type: 'turn-end', status: 'done' }), ev('t2', 0, { type: 'turn-start', userText: 'next', model: MODELS[0]! }));
    assert.equal(await pageGlobal(page, '__torbitText'), '', 'a new turn starts a new text');
  });

  it('without recordTimings, records nothing', async () => {
    await deliver(page, chatState());
    await streamText(page, 't1', ['a', 'b']);
    assert.equal(await pageGlobal(page, '__torbitTimings'), undefined);
    assert.equal(await pageGlobal(page, '__torbitText'), undefined);
  });

  it('counts an event out of sequence in window.__torbitGaps and reports it', async () => {
    await deliver(page, chatState());
    assert.equal(await pageGlobal(page, '__torbitGaps'), 0);
    await deliver(page,
      ev('t1', 0, { type: 'turn-start', userText: 'x', model: MODELS[0]! }),
      ev('t1', 1, { type: 'text-delta', text: 'one ' }),
      ev('t1', 3, { type: 'text-delta', text: 'three ' }));
    assert.equal(await pageGlobal(page, '__torbitGaps'), 1);
    assert.ok(consoleErrors.some((e) => /out of sequence.*expected seq 2, got 3/.test(e)), consoleErrors.join('\n'));
    await deliver(page, ev('t1', 3, { type: 'text-delta', text: 'again ' }));
    assert.equal(await pageGlobal(page, '__torbitGaps'), 2, 'a repeat is counted');
    assert.equal(await page.locator(T('message-assistant')).innerText(), 'one three', 'and not rendered twice');
  });
});
