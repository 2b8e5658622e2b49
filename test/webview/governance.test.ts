// The Governance view in headless Chromium under the real view's CSP: its sections (pending
// first, each with a count, collapsed but for Pending, the person's choice kept), the activity
// filtered by the audit log's own record kinds in one scroll, checkpoints grouped by turn, and
// Revoke on a session allowance.
import * as assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import type { AllowanceView, ApprovalView, AuditEntryView, AuditTimeline, CheckpointView, PolicyView, SkillView, ToWebviewMessage } from '../../server/protocol';
import { clearPosted, deliver, pageGlobal, posted, startHarness, type Harness } from './harness';

const T = (s: string) => `[data-testid="${s}"]`;
const ORDER = ['pending', 'allowances', 'activity', 'checkpoints', 'skills', 'runs', 'policy', 'backend'];

function approval(id: string, over: Partial<ApprovalView> = {}): ApprovalView {
  return {
    id, kind: 'command', sessionId: 's1', turnId: 't1', toolCallId: `call-${id}`, tool: 'run_command', title: 'git rev-list --count HEAD',
    reason: 'commands ask', why: { kind: 'category', category: 'command', inside: true }, policyHash: 'a'.repeat(64),
    createdAt: '2025-01-02T10:00:00.000Z', expiresAt: '2025-01-02T10:10:00.000Z',
    command: { argv: ['git', 'rev-list', '--count', 'HEAD'], cwd: '.', cwdAbs: '/w' }, ...over,
  };
}

function allowance(id: string, uses = 0): AllowanceView {
  return {
    id, sessionId: 's1', approvalId: 'ap1', createdAt: '2025-01-02T10:00:00.000Z', uses,
    scope: { kind: 'command', tool: 'run_command', argvPrefix: ['git', 'rev-list'], exact: false, label: 'git rev-list …' },
  };
}

function entry(seq: number, kind: string, outcome: string | null, summary: string): AuditEntryView {
  return { seq, ts: '2025-01-02T10:00:00.000Z', kind, actor: kind === 'decision' ? 'policy' : 'model', sessionId: 's1', tool: null, outcome, summary };
}

function timeline(entries: AuditEntryView[], kinds: Record<string, number>, total = entries.length): AuditTimeline {
  return { entries, total, chain: { ok: true, head: 'b'.repeat(64), error: null }, sessions: ['s1'], tools: ['run_command'], kinds };
}

const POLICY: PolicyView = { source: 'default', path: '/w/.torbit/policy.json', hash: 'c'.repeat(64), pinned: null, error: null, acceptance: 'default', pending: null };

function governance(t: AuditTimeline): ToWebviewMessage {
  return { type: 'governance', policy: POLICY, timeline: t, bundles: [], error: null };
}

function checkpoint(id: number, kind: CheckpointView['kind'], turnId: string | null, turnTitle: string | null): CheckpointView {
  return { id, kind, label: null, sessionId: 's1', turnId, turnTitle, createdAt: '2025-01-02T10:00:00.000Z', files: 3, turns: 1 };
}

describe('Governance view (headless Chromium, real CSP)', function () {
  this.timeout(60_000);
  let harness: Harness;
  let page: Page;

  before(async function () {
    this.timeout(600_000); // run alone, the harness may first install Chromium
    harness = await startHarness('governance');
  });
  after(async () => { await harness?.close(); });
  beforeEach(async () => { page = await harness.newPage(); });
  afterEach(async function () {
    if (this.currentTest?.state === 'passed') {
      assert.deepEqual(await pageGlobal(page, '__cspViolations'), [], 'CSP violations');
      assert.deepEqual(await pageGlobal(page, '__pageErrors'), [], 'uncaught errors in the page');
    }
    await page.close();
  });

  const sectionIds = () => page.locator('[data-section]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { section: string } }).dataset.section));
  const openSections = () => page.locator('details[data-section][open]').evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { section: string } }).dataset.section));
  const count = (id: string) => page.locator(`${T(`section-${id}`)} > summary ${T('section-count')}`).innerText();
  const toggle = (id: string) => page.locator(`${T(`section-${id}`)} > summary`).click();

  it('shows its sections pending first, only Pending open, each with its count or state in the header', async () => {
    assert.deepEqual(await sectionIds(), ORDER);
    assert.deepEqual(await openSections(), ['pending']);
    await deliver(page,
      { type: 'backend', state: 'ready' },
      { type: 'approvals', approvals: [approval('a1'), approval('a2', { kind: 'edit', tool: 'write_file', title: 'src/a.js', edit: { path: 'src/a.js', absPath: '/w/src/a.js', created: false, hunks: [{ index: 0, line: 0, removed: 1, added: 1 }] } })] },
      { type: 'allowances', allowances: [allowance('al1')], sessions: { s1: 'Count commits' }, error: null },
      governance(timeline([entry(3, 'decision', 'ask', 'ask git'), entry(2, 'tool-call', 'ok', 'list_files'), entry(1, 'prompt', null, 'hi')], { prompt: 1, 'tool-call': 1, decision: 1 }, 3)),
      { type: 'checkpoints', checkpoints: [checkpoint(2, 'after-turn', 't1', 'Make it'), checkpoint(1, 'before-turn', 't1', 'Make it')], error: null },
      { type: 'runs', runs: [] },
      { type: 'skills', skills: [], error: null, open: false },
    );
    assert.deepEqual(
      await Promise.all(ORDER.map(count)),
      ['2', '1', '3', '2', '0', '0', 'built-in default', 'ready'],
    );
    assert.equal(await page.locator(`${T('section-pending')} ${T('section-count')}`).getAttribute('data-attention'), 'true', 'what waits stands out');
    assert.equal(await page.locator(`${T('section-allowances')} ${T('section-count')}`).getAttribute('data-attention'), 'false');
    // Pending is readable without opening anything; a closed section shows only its header.
    assert.ok(await page.locator(T('approval-item')).first().isVisible());
    assert.equal(await page.locator(T('allowance')).isVisible(), false);
    // The headers are buttons a keyboard reaches and opens.
    await page.locator(`${T('section-allowances')} > summary`).focus();
    await page.keyboard.press('Enter');
    assert.deepEqual(await openSections(), ['pending', 'allowances']);
  });

  it('keeps which sections the person opened or closed across a reload, and opens Pending again when something new waits', async () => {
    await toggle('activity');
    await toggle('pending');
    assert.deepEqual(await openSections(), ['activity']);
    await page.reload();
    await page.waitForFunction(() => (globalThis as unknown as { __posted: { type: string }[] }).__posted.some((m) => m.type === 'ready'));
    assert.deepEqual(await openSections(), ['activity'], 'the choice is kept in the view state');
    await deliver(page, { type: 'approvals', approvals: [] });
    assert.deepEqual(await openSections(), ['activity'], 'nothing waits: Pending stays closed');
    await deliver(page, { type: 'approvals', approvals: [approval('a1')] });
    assert.deepEqual(await openSections(), ['pending', 'activity']);
    assert.equal(await count('pending'), '1');
  });

  it('filters the activity by the audit log\'s own record kinds, with their counts, not by outcomes', async () => {
    await toggle('activity');
    await deliver(page, governance(timeline([entry(4, 'change', 'modify', 'modify src/a.js'), entry(3, 'decision', 'approved', 'approved'), entry(2, 'decision', 'ask', 'ask'), entry(1, 'prompt', null, 'hi')],
      { prompt: 1, decision: 2, change: 1, checkpoint: 0 })));
    const labels = await page.locator(`${T('filter-kind')} option`).allInnerTexts();
    // In the log's order of kinds; a kind with no record is not offered; no outcome (ok, error, create…) is.
    assert.deepEqual(labels, ['all kinds', 'Prompts (1)', 'Decisions (2)', 'Changes (1)']);
    assert.equal(await page.locator('[data-testid="filter-outcome"]').count(), 0);
    assert.deepEqual(await page.locator(`${T('audit-entry')} .kind`).allInnerTexts(), ['Change', 'Decision', 'Decision', 'Prompt']);
    await clearPosted(page);
    await page.locator(T('filter-kind')).selectOption('decision');
    assert.deepEqual(await posted(page), [{ type: 'auditQuery', kind: 'decision' }]);
    // The extension answers with the filtered timeline; the filter keeps its choice.
    await deliver(page, governance(timeline([entry(3, 'decision', 'approved', 'approved'), entry(2, 'decision', 'ask', 'ask')], { prompt: 1, decision: 2, change: 1 }, 4)));
    assert.equal(await page.locator(T('filter-kind')).inputValue(), 'decision');
    assert.equal(await page.locator(T('audit-entry')).count(), 2);
    assert.equal(await page.locator(T('audit-shown')).innerText(), '2 shown');
    assert.equal(await count('activity'), '4', 'the header counts the whole log');
  });

  it('scrolls the activity with the page: the timeline has no scroll box of its own, and the open header stays in view', async () => {
    const many = Array.from({ length: 60 }, (_, i) => entry(60 - i, 'tool-call', 'ok', `read_file src/file${i}.js → a line long enough to read`));
    await toggle('activity');
    await deliver(page, governance(timeline(many, { 'tool-call': 60 })));
    const box = await page.locator(T('audit-timeline')).evaluate((el) => {
      const e = el as unknown as { scrollHeight: number; clientHeight: number };
      const cs = (globalThis as unknown as { getComputedStyle(x: unknown): { overflowY: string; maxHeight: string } }).getComputedStyle(el);
      return { overflowY: cs.overflowY, maxHeight: cs.maxHeight, scrollHeight: e.scrollHeight, clientHeight: e.clientHeight };
    });
    assert.equal(box.overflowY, 'visible');
    assert.equal(box.maxHeight, 'none');
    assert.equal(box.scrollHeight, box.clientHeight, 'all of it is laid out on the page');
    const doc = await page.evaluate(() => {
      const d = (globalThis as unknown as { document: { scrollingElement: { scrollHeight: number; clientHeight: number; scrollTop: number } } }).document.scrollingElement;
      d.scrollTop = d.scrollHeight;
      return { scrollHeight: d.scrollHeight, clientHeight: d.clientHeight };
    });
    assert.ok(doc.scrollHeight > doc.clientHeight * 1.5, 'the page is what scrolls');
    const head = await page.locator(`${T('section-activity')} > summary`).boundingBox();
    assert.ok(head && head.y >= 0 && head.y < 5, `the Activity header is pinned at the top while its records scroll (y=${head?.y})`);
  });

  it('lists the session allowances in words, and Revoke posts the allowance\'s id', async () => {
    await toggle('allowances');
    await deliver(page, { type: 'allowances', allowances: [allowance('al1', 2), { ...allowance('al2'), sessionId: 's9', scope: { kind: 'file', tool: 'write_file', path: 'src/a.js', label: 'write_file on src/a.js' } }], sessions: { s1: 'Count commits' }, error: null });
    const items = page.locator(T('allowance'));
    assert.deepEqual((await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').replace(/\d{1,2}:\d{2}:\d{2}( [AP]M)?/, 'TIME').trim()), [
      'Run git rev-list … In the chat “Count commits” · allowed at TIME · used 2 times since Revoke',
      'write_file on src/a.js In chat session s9 · allowed at TIME · not used yet Revoke',
    ]);
    await clearPosted(page);
    await items.nth(1).locator(T('allowance-revoke')).click();
    assert.deepEqual(await posted(page), [{ type: 'revokeAllowance', allowanceId: 'al2' }]);
    // The extension's answer is the list without it.
    await deliver(page, { type: 'allowances', allowances: [allowance('al1', 2)], sessions: { s1: 'Count commits' }, error: null });
    assert.equal(await items.count(), 1);
    assert.equal(await count('allowances'), '1');
    await deliver(page, { type: 'allowances', allowances: [], sessions: {}, error: null });
    assert.match(await page.locator(T('session-allowances')).innerText(), /None: every action the policy asks about is asked\./);
    assert.equal(await count('allowances'), '0');
  });

  it('lists the Agent Skills with their source, validity and codes, contract and sha256; a workspace skill opens by index; /skills opens the section', async () => {
    const skill = (over: Partial<SkillView>): SkillView => ({
      name: 'count-lines', description: 'Counts lines', scope: 'workspace', source: '.agents/skills', folder: '/w', path: '.agents/skills/count-lines/SKILL.md',
      sha256: 'a'.repeat(64), valid: true, problems: [], contract: null, allowedTools: null, shadowedBy: null, ...over,
    });
    await deliver(page, { type: 'skills', error: null, open: false, skills: [
      skill({ contract: { version: 1, permissions: { categories: ['read', 'command'], commands: [['node', 'scripts/count.mjs']] }, sideEffects: [], limits: { maxSeconds: 10, maxMemoryMB: 1024 }, scripts: [] } }),
      skill({ name: 'broken', valid: false, sha256: 'b'.repeat(64), problems: [{ code: 'ERR_RUNTIME_UNPINNED', field: 'metadata.torbit.scripts[0].runtime', message: 'write runtime: node 22.11.0' }] }),
      skill({ name: 'mine', scope: 'user', source: '~/.agents/skills', folder: null, path: '~/.agents/skills/mine/SKILL.md' }),
    ] });
    assert.equal(await page.locator(`${T('section-skills')}`).evaluate((el) => (el as unknown as { open: boolean }).open), false, 'closed until asked');
    assert.equal(await count('skills'), '3');
    await toggle('skills');
    const items = page.locator(T('skill'));
    const texts = (await items.allInnerTexts()).map((t) => t.replace(/\s+/g, ' ').trim());
    assert.match(texts[0]!, /^count-lines valid · \.agents\/skills Counts lines contract 1: read, command · commands: node scripts\/count\.mjs · limits: 10 s, 1024 MB sha256 a{64}$/);
    assert.match(texts[1]!, /^broken invalid: ERR_RUNTIME_UNPINNED .* ERR_RUNTIME_UNPINNED: metadata\.torbit\.scripts\[0\]\.runtime: write runtime: node 22\.11\.0/);
    assert.equal(await items.nth(2).locator(T('skill-open')).count(), 0, 'the person\'s own skill is not a workspace file to open');
    await clearPosted(page);
    await items.nth(1).locator(T('skill-open')).click();
    assert.deepEqual(await posted(page), [{ type: 'openSkill', index: 1 }]);
    // /skills: the extension sends the list with open set.
    await toggle('skills');
    await deliver(page, { type: 'skills', error: null, open: true, skills: [] });
    assert.equal(await page.locator(`${T('section-skills')}`).evaluate((el) => (el as unknown as { open: boolean }).open), true);
    assert.match(await page.locator(T('skills')).innerText(), /No skills: a folder with a SKILL\.md/);
  });

  it('groups checkpoints by turn, under the turn\'s prompt, with Restore and Diff on each', async () => {
    await toggle('checkpoints');
    await deliver(page, { type: 'checkpoints', error: null, checkpoints: [
      checkpoint(5, 'after-turn', 't2', 'Fix the tests'), checkpoint(4, 'before-turn', 't2', 'Fix the tests'),
      { ...checkpoint(3, 'manual', null, null), label: 'before the demo' },
      checkpoint(2, 'after-turn', 't1', 'Make greet friendlier'), checkpoint(1, 'before-turn', 't1', 'Make greet friendlier'),
    ] });
    const groups = page.locator(T('checkpoint-group'));
    assert.deepEqual(await groups.locator('.cp-group-head').allInnerTexts(), ['Turn: Fix the tests', 'Taken by hand', 'Turn: Make greet friendlier']);
    assert.deepEqual(await groups.nth(0).locator(T('checkpoint')).evaluateAll((els) => els.map((e) => (e as unknown as { dataset: { kind: string } }).dataset.kind)), ['after-turn', 'before-turn']);
    assert.match(await groups.nth(1).innerText(), /#3 taken by hand[\s\S]*before the demo/);
    assert.equal(await count('checkpoints'), '5');
    await clearPosted(page);
    await groups.nth(2).locator(T('checkpoint')).last().locator(T('checkpoint-restore')).click();
    assert.deepEqual(await posted(page), [{ type: 'checkpoint', checkpointId: 1, action: 'restore' }]);
  });

  it('says in the Policy header when a repository\'s policy waits for acceptance, and shows the backend\'s state above everything when it is not ready', async () => {
    await deliver(page, { type: 'governance', timeline: null, bundles: [], error: null, policy: { ...POLICY, source: 'file', acceptance: 'pending', pending: { hash: 'd'.repeat(64), loosens: ['commands: allow'] } } });
    assert.equal(await count('policy'), 'waiting for you');
    assert.equal(await page.locator(`${T('section-policy')} ${T('section-count')}`).getAttribute('data-attention'), 'true');
    await deliver(page, { type: 'backend', state: 'error', detail: 'the backend gave up' });
    assert.equal(await count('backend'), 'error');
    assert.ok(await page.locator(`.gov-status ${T('backend-state')}`).isVisible(), 'the error shows without opening Backend');
    assert.match(await page.locator('.notice').first().innerText(), /the backend gave up/);
    await deliver(page, { type: 'backend', state: 'ready' });
    assert.equal(await page.locator(`.gov-status ${T('backend-state')}`).count(), 0);
  });
});
