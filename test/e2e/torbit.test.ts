// End to end, in a real VS Code (code-server's workbench and extension host) driven through
// headless Chromium: install the packaged .vsix, open a workspace, use Torbit as a person would.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import {
  installExtension, packageVsix, ROOT, sampleWorkspace, setupVsCodeWeb, startCodeServer, type RunningCodeServer,
} from '../../scripts/lib/vscodeWeb';
import { tmpDir } from '../support/tmp';
import { LATEST_SCHEMA_VERSION } from '../../server/store/migrations';
import { clearToasts, runFromPalette, statusBarText, toast, until, webviewFrame } from './workbench';

const ARTIFACTS = path.join(ROOT, 'artifacts', 'e2e');

describe('Torbit in real VS Code (code-server + Chromium)', function () {
  let server: RunningCodeServer | undefined;
  let browser: Browser | undefined;
  let page: Page;
  let workspace: string;
  let userDataDir: string;
  let installed: string[];
  const consoleErrors: string[] = [];

  before(async function () {
    this.timeout(900_000);
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    const web = setupVsCodeWeb();
    const vsix = packageVsix();
    const root = tmpDir('torbit-e2e-');
    const extensionsDir = path.join(root, 'extensions');
    userDataDir = path.join(root, 'profile');
    installed = installExtension(web, vsix, extensionsDir);
    workspace = sampleWorkspace(path.join(root, 'sample'));
    server = await startCodeServer(web, { workspace, extensionsDir, userDataDir, env: { TORBIT_DATA_DIR: '' } });
    browser = await chromium.launch({
      executablePath: web.chromium,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    page.on('console', (m) => { if (m.type() === 'error') consoleErrors.push(m.text()); });
    await page.goto(server.folderUrl(workspace));
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  });

  afterEach(async function () {
    if (this.currentTest?.state === 'failed' && page) {
      await page.screenshot({ path: path.join(ARTIFACTS, `failed-${this.currentTest.title.replace(/\W+/g, '-').slice(0, 60)}.png`) }).catch(() => undefined);
    }
  });

  after(async function () {
    this.timeout(60_000);
    await browser?.close();
    await server?.stop();
    if (server) fs.writeFileSync(path.join(ARTIFACTS, 'code-server.log'), server.log());
    // Keep the extension's own log ("Torbit" output channel) beside the screenshot.
    const logs = userDataDir ? fs.globSync('**/Torbit.log', { cwd: userDataDir }) : [];
    for (const l of logs) fs.copyFileSync(path.join(userDataDir, l), path.join(ARTIFACTS, 'Torbit.log'));
  });

  it('installs the packaged .vsix into code-server', () => {
    assert.ok(installed.some((l) => /^torbit\.torbit@\d+\.\d+\.\d+$/.test(l)), `installed: ${installed.join(', ')}`);
  });

  it('opens the Torbit view container, and the status bar shows the backend ready', async () => {
    await page.locator('.activitybar .action-item a[aria-label^="Torbit"]').click();
    const text = await until('"Torbit: ready" in the status bar', async () => {
      const t = await statusBarText(page);
      return t.includes('Torbit: ready') && t;
    }, 90_000);
    assert.doesNotMatch(text, /Torbit: error/);
  });

  it('renders the Chat view with its prompt box, and Enter sends what was typed', async () => {
    const chat = await webviewFrame(page, '[data-testid="prompt-input"]', 'the Chat view');
    await until('the chat to show the backend ready', async () =>
      (await chat.locator('[data-testid="backend-state"]').getAttribute('data-state')) === 'ready');
    const input = chat.locator('[data-testid="prompt-input"]');
    assert.ok(await input.isVisible(), 'the prompt box is visible');
    assert.ok(await chat.locator('[data-testid="send"]').isVisible(), 'the Send button is visible');
    await input.click();
    await page.keyboard.type('first line');
    await page.keyboard.press('Shift+Enter');
    await page.keyboard.type('second line');
    await page.keyboard.press('Enter');
    const sent = await until('the user message', async () => (await chat.locator('[data-testid="message-user"]').allInnerTexts())[0]);
    assert.equal(sent, 'first line\nsecond line');
    const notice = await until('the reply notice', async () => (await chat.locator('[data-testid="message-warning"]').allInnerTexts())[0]);
    assert.match(notice, /No model is connected/);
    assert.equal(await input.evaluate((el) => (el as unknown as { value: string }).value), '', 'the prompt box was cleared');
  });

  it('shows the backend facts in the Governance view', async () => {
    const gov = await webviewFrame(page, '[data-testid="backend-facts"]', 'the Governance view');
    const version = await until('the version fact', async () => gov.locator('[data-testid="fact-version"]').innerText().catch(() => ''));
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    assert.equal(version, pkg.version);
    assert.match(await gov.locator('[data-testid="fact-data-directory"]').innerText(), /\.torbit-data \(workspace\)/);
  });

  let firstPid = 0;
  it('runs "Torbit: Show Backend Status" from the command palette and shows its answer', async () => {
    await clearToasts(page);
    await runFromPalette(page, 'Torbit: Show Backend Status');
    const text = await toast(page, new RegExp(`Torbit backend .* ready: schema ${LATEST_SCHEMA_VERSION}, pid \\d+`));
    firstPid = Number(/pid (\d+)/.exec(text)?.[1]);
    assert.ok(firstPid > 0);
    assert.ok(text.includes(path.join(workspace, '.torbit-data')), text);
    assert.ok(fs.existsSync(path.join(workspace, '.torbit-data', 'torbit.db')), 'the backend created its database in the workspace');
    assert.match(fs.readFileSync(path.join(workspace, '.git/info/exclude'), 'utf8'), /^\/\.torbit-data\/$/m);
    await page.screenshot({ path: path.join(ARTIFACTS, 'workbench.png') });
  });

  it('restarts the backend after it crashes, and the status bar comes back to ready', async () => {
    assert.ok(firstPid > 0, 'needs the pid from the previous test');
    const gov = await webviewFrame(page, '[data-testid="backend-facts"]', 'the Governance view');
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

  it('left no Content-Security-Policy violations in the console', () => {
    const csp = consoleErrors.filter((e) => /Content Security Policy|Refused to/i.test(e));
    assert.deepEqual(csp, []);
  });
});
