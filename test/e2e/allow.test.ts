// End to end, in real VS Code (code-server + headless Chromium): less asking, still governed.
// "Allow … for this session" clicked on the chat's tool card, then the same command runs without
// asking; "Always Allow…" on a command's notification shows the rule for .torbit/policy.json as a
// diff, writes it once approved, shows the new sha256, and, as torbit.policyHash pins the old one,
// offers to update the pin.
import * as assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { parse as parseJsonc } from 'jsonc-parser';
import { defaultLoaded } from '../../server/trust/policy';
import { startOpenAIStub, textChunks, toolCallChunks, type OpenAIStub } from '../stubs/openaiStub';
import {
  ARTIFACTS, chatFrame, clearToasts, launchWorkbench, prompt, runFromPalette, shootIfFailed, statusBarText, toast, turnDone, until, type Workbench,
} from './workbench';

const PREFIX = 'allow-';
const DEFAULT_HASH = defaultLoaded().hash;

describe('Allow for this session and Always allow (code-server + Chromium)', function () {
  this.timeout(600_000);
  let stub: OpenAIStub;
  let wb: Workbench | undefined;
  let page: Page;
  /** User turns sent so far in the session on screen. */
  let turns = 0;

  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${PREFIX}${name}.png`) });
  const commandCards = (chat: Frame) => chat.locator('[data-testid="tool-card"][data-tool="run_command"]');
  const dialog = () => page.locator('.monaco-dialog-box');
  const policyFile = () => path.join(wb!.workspace, '.torbit', 'policy.json');
  /** One turn in which the model runs `command args…` once, then answers. */
  const runOnce = async (chat: Frame, id: string, command: string, args: string[], text: string) => {
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id, name: 'run_command', args: { command, args } }], 3) },
      { kind: 'stream', chunks: textChunks('Done.', 2) },
    );
    const before = await commandCards(chat).count();
    await prompt(page, chat, text);
    turns++;
    await until(`the card of ${command}`, async () => (await commandCards(chat).count()) === before + 1);
    return commandCards(chat).last();
  };
  // torbit.policyHash is machine-overridable: in code-server the user settings live with the
  // browser, so the pin goes in the workspace's settings (which the extension host reads).
  const settingsFile = () => path.join(wb!.workspace, '.vscode', 'settings.json');
  const workspaceSettings = () => (fs.existsSync(settingsFile()) ? parseJsonc(fs.readFileSync(settingsFile(), 'utf8')) ?? {} : {}) as Record<string, unknown>;
  /** The extension's own log ("Torbit" output channel) so far. */
  const torbitLog = () => fs.globSync('**/Torbit.log', { cwd: wb!.userDataDir }).map((f) => fs.readFileSync(path.join(wb!.userDataDir, f), 'utf8')).join('\n');
  /** How often a changed setting restarted the backend, and whether it is ready after the last time. */
  const restarts = () => torbitLog().split('a backend setting changed; restarting the backend').length - 1;
  const restarted = async (n: number) => restarts() >= n
    && /backend ready/.test(torbitLog().split('a backend setting changed; restarting the backend').at(-1)!)
    && (await statusBarText(page)).includes('Torbit: ready');
  const toastsAbout = (text: string) => page.locator('.notifications-toasts .notification-toast', { hasText: text });

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

  it('"Allow ls -la for this session" clicked on the chat card: the second run of the command does not ask', async () => {
    const chat = await chatFrame(page);
    await until('the chat to show the backend ready', async () => (await chat.locator('[data-testid="backend-state"]').getAttribute('data-state')) === 'ready');
    await clearToasts(page);
    const first = await runOnce(chat, 'call_ls1', 'ls', ['-la'], 'List the files.');
    await until('the card to wait for approval', async () => (await first.getAttribute('data-status')) === 'awaiting-approval');
    const allow = first.locator('[data-testid="approval-allowForSession"]');
    assert.equal((await allow.innerText()).trim(), 'Allow ls -la for this session');
    assert.equal((await first.locator('[data-testid="approval-alwaysAllow"]').innerText()).trim(), 'Always Allow…');
    // The whole card in sight, its head included, as a person would scroll to it.
    await first.evaluate((el) => { el.scrollIntoView({ block: 'start' }); });
    await shot('card-session');
    await allow.click();
    await until('the allowed command to run', async () => (await first.getAttribute('data-status')) === 'ok');
    assert.match(await first.locator('[data-testid="tool-output"]').textContent() ?? '', /package\.json|README/);
    await turnDone(chat, turns);

    // The same command again, in the same session: straight to running, nothing asked.
    await clearToasts(page);
    const second = await runOnce(chat, 'call_ls2', 'ls', ['-la'], 'List them again.');
    await until('the second command to run, unasked', async () => (await second.getAttribute('data-status')) === 'ok');
    await turnDone(chat, turns);
    assert.equal(await second.locator('[data-testid="approval"]').isVisible(), false);
    assert.equal(await toastsAbout('ls -la').count(), 0, 'nothing was asked');
  });

  it('"Always Allow…" on a command\'s notification: the policy diff, Approve writes the rule, the new sha256 is shown, and the old pin is updated', async () => {
    assert.equal(fs.existsSync(policyFile()), false, 'the sample workspace has no policy file: the default is in force');
    // The person pins the policy in force (the built-in default's sha256): the backend restarts with it.
    const before = restarts();
    fs.mkdirSync(path.dirname(settingsFile()), { recursive: true });
    fs.writeFileSync(settingsFile(), JSON.stringify({ 'torbit.policyHash': DEFAULT_HASH }, null, 2));
    await until('the backend to restart with the pin', () => restarted(before + 1), 90_000);
    const chat = await chatFrame(page);
    await clearToasts(page);
    const card = await runOnce(chat, 'call_g1', 'git', ['rev-list', '--count', 'HEAD'], 'How many commits?');
    const ask = await toast(page, /Torbit wants to run git rev-list --count HEAD in the workspace\./);
    assert.match(ask, /\(Allow for this session or always: git rev-list …\)/);
    const buttons = toastsAbout('git rev-list').locator('.monaco-button');
    assert.deepEqual(await buttons.allInnerTexts(), ['Approve', 'Allow for This Session', 'Always Allow…', 'Reject']);
    // Four buttons in a 450 px toast: each must still read whole.
    for (const b of await buttons.all()) assert.ok(await b.evaluate((el) => el.scrollWidth <= el.clientWidth), `${await b.innerText()} is cut off`);
    await shot('notification');
    await buttons.filter({ hasText: 'Always Allow…' }).click();

    // The rule, as a diff of the file, and a modal that names the new sha256.
    await until('the rule\'s approval', async () => /Add this rule to \.torbit\/policy\.json, and approve this command\?/.test(await dialog().innerText().catch(() => '')), 30_000);
    const asked = await dialog().innerText();
    assert.match(asked, /allow commands starting with \["git","rev-list"\] \(git rev-list …\)/);
    assert.match(asked, /your rules that deny or ask still win/);
    const shown = /New sha256: ([0-9a-f]{64})/.exec(asked)?.[1];
    assert.ok(shown, asked);
    await until('the diff to open', async () => (await page.locator('.tab', { hasText: /policy\.json: built-in default \(no file yet\) ↔ always allowing git rev-list …/ }).count()) > 0, 15_000);
    // Against the built-in default written out: the rule is the one line added.
    await until('the diff to show the rule', async () => (await page.locator('.monaco-diff-editor .view-lines').allInnerTexts()).some((t) => /"argv": \["git", "rev-list"\], "decision": "allow"/.test(t.replace(/\s+/g, ' '))), 15_000);
    await shot('policy-diff');
    assert.equal(fs.existsSync(policyFile()), false, 'nothing is written before the person approves');

    await dialog().locator('.monaco-button', { hasText: 'Add Rule and Approve' }).click();
    await until('the diff closed once decided', async () => (await page.locator('.tab', { hasText: /always allowing git rev-list/ }).count()) === 0, 15_000);
    await until('the policy file', () => fs.existsSync(policyFile()), 15_000);
    const text = fs.readFileSync(policyFile(), 'utf8');
    assert.equal(createHash('sha256').update(text).digest('hex'), shown, 'the file written is the one whose sha256 was shown');
    const written = JSON.parse(text) as { commands: { match: string; argv: string[]; decision: string; note?: string }[] };
    const rule = written.commands.at(-1)!;
    assert.deepEqual({ match: rule.match, argv: rule.argv, decision: rule.decision }, { match: 'prefix', argv: ['git', 'rev-list'], decision: 'allow' });
    assert.match(rule.note ?? '', /^added by .+ from an approval on \d{4}-\d{2}-\d{2}$/);
    assert.deepEqual(written.commands.find((r) => r.argv.join(' ') === 'git push')?.decision, 'ask', 'the default\'s own rules stay, before it');
    // What was done, with the new sha256, and (torbit.policyHash pins the default's) that the new file would be refused.
    const done = await toast(page, /git rev-list … is now allowed by \.torbit\/policy\.json, and this command was approved\. New sha256: [0-9a-f]{64}\. But torbit\.policyHash still pins the old sha256 \([0-9a-f]{12}…\), so the new policy is refused and every action asks until you update the pin\./);
    assert.ok(done.includes(shown) && done.includes(DEFAULT_HASH.slice(0, 12)), done);
    await until('the approved command to run', async () => (await card.getAttribute('data-status')) === 'ok');
    await turnDone(chat, turns);
    await shot('policy-written');
    const pinnedRestarts = restarts();
    await toastsAbout('still pins').locator('.monaco-button', { hasText: 'Update torbit.policyHash' }).click();
    await until('the pin updated where it is set (the workspace settings)', () => workspaceSettings()['torbit.policyHash'] === shown, 15_000);
    await toast(page, /torbit\.policyHash now pins [0-9a-f]{12}…; the backend restarts with it/);
    await until('the backend restarted with the new pin', () => restarted(pinnedRestarts + 1), 90_000);

    // A new session (no session allowance): the policy itself now allows it.
    await runFromPalette(page, 'Torbit: New Chat Session');
    turns = 0;
    await until('an empty chat', async () => (await chat.locator('[data-testid="message-user"]').count()) === 0);
    await clearToasts(page);
    const next = await runOnce(chat, 'call_g2', 'git', ['rev-list', '--max-count=1', 'HEAD'], 'Newest commit?');
    await until('the next one to run, unasked', async () => (await next.getAttribute('data-status')) === 'ok');
    await turnDone(chat, turns);
    assert.equal(await toastsAbout('git rev-list').count(), 0, 'nothing was asked');
  });
});
