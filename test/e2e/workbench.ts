// Acting in the VS Code workbench as a person would: wait on what a person waits on (a status
// text, a view, a toast), never on fixed sleeps alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import {
  installExtension, packageVsix, ROOT, sampleWorkspace, setupVsCodeWeb, startCodeServer, type RunningCodeServer,
} from '../../scripts/lib/vscodeWeb';
import { tmpDir } from '../support/tmp';
import { until as untilSupport } from '../support/until';

/** Where the end-to-end suites keep their screenshots and logs. */
export const ARTIFACTS = path.join(ROOT, 'artifacts', 'e2e');

/** Headless Chromium with one workbench-sized page (no GPU, sandbox, sync or background traffic). */
export async function openBrowser(executablePath: string): Promise<{ browser: Browser; page: Page }> {
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return { browser, page: await browser.newPage({ viewport: { width: 1400, height: 900 } }) };
}

/** In an afterEach: a screenshot of the page as a failed test left it, named `<prefix>failed-<title>.png`. */
export async function shootIfFailed(test: Mocha.Test | undefined, page: Page | undefined, prefix = ''): Promise<void> {
  if (test?.state !== 'failed' || !page) return;
  await page.screenshot({ path: path.join(ARTIFACTS, `${prefix}failed-${test.title.replace(/\W+/g, '-').slice(0, 60)}.png`) }).catch(() => undefined);
}

/** In an after: code-server's log and the extension's own ("Torbit" output channel) beside the screenshots. */
export function keepLogs(server: RunningCodeServer | undefined, userDataDir: string | undefined, prefix = ''): void {
  if (server) fs.writeFileSync(path.join(ARTIFACTS, `${prefix}code-server.log`), server.log());
  const logs = userDataDir ? fs.globSync('**/Torbit.log', { cwd: userDataDir }) : [];
  for (const l of logs) fs.copyFileSync(path.join(userDataDir!, l), path.join(ARTIFACTS, `${prefix}Torbit.log`));
}

/** test/support/until.ts at a person's pace: asked every 250 ms, for up to a minute by default. */
export function until<T>(what: string, fn: () => T | undefined | false | Promise<T | undefined | false>, ms = 60_000): Promise<T> {
  return untilSupport(what, fn, { ms, everyMs: 250 });
}

export async function statusBarText(page: Page): Promise<string> {
  return (await page.locator('.statusbar').innerText()).replace(/\n/g, ' | ');
}

/** The frame of a webview view that contains `selector` (webviews nest two iframes deep). */
export function webviewFrame(page: Page, selector: string, what: string): Promise<Frame> {
  return until(what, async () => {
    for (const f of page.frames()) if (await f.locator(selector).count().catch(() => 0)) return f;
    return undefined;
  });
}

/** Runs a command from the command palette by its title, as typed by a person. */
export async function runFromPalette(page: Page, title: string): Promise<void> {
  await page.locator('.monaco-workbench').click({ position: { x: 700, y: 300 } }).catch(() => undefined);
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first();
  await row.waitFor({ state: 'visible' });
  await input.press('Enter');
}

/** The text of the newest notification toast whose text matches. */
export function toast(page: Page, pattern: RegExp, ms = 30_000): Promise<string> {
  return until(`a notification matching ${pattern}`, async () => {
    const texts = await page.locator('.notifications-toasts .notification-toast').allInnerTexts();
    return texts.map((t) => t.replace(/\n/g, ' ')).reverse().find((t) => pattern.test(t));
  }, ms);
}

/** Dismisses every notification, as a keyboard user would (the toasts' own buttons appear only on hover). */
export async function clearToasts(page: Page): Promise<void> {
  if (!(await page.locator('.notifications-toasts .notification-toast').count())) return;
  await runFromPalette(page, 'Notifications: Clear All Notifications');
  await until('the notifications to clear', async () => (await page.locator('.notifications-toasts .notification-toast').count()) === 0, 10_000);
}

/** Opens Torbit's side bar (clicking its activity bar item only while it is not showing: a click on the active one closes it). */
export async function showTorbit(page: Page): Promise<void> {
  const item = page.locator('.activitybar .action-item', { has: page.locator('a[aria-label^="Torbit"]') });
  await until('the Torbit side bar', async () => {
    const shown = (await item.getAttribute('class'))?.includes('checked') && await page.locator('.part.sidebar').isVisible();
    if (shown) return true;
    await item.locator('a').click();
    await page.waitForTimeout(500);
    return false;
  }, 30_000);
}

/** Types a prompt into the Chat view and sends it. */
export async function prompt(page: Page, chat: Frame, text: string): Promise<void> {
  await chat.locator('[data-testid="prompt-input"]').click();
  await page.keyboard.type(text);
  await page.keyboard.press('Enter');
}

/** Turn n has ended: its message is there and Stop is gone (Send is always shown, disabled while a turn runs). */
export function turnDone(chat: Frame, n: number, ms = 60_000): Promise<true> {
  return until(`turn ${n} to end`, async () =>
    (await chat.locator('[data-testid="message-user"]').count()) === n && !(await chat.locator('[data-testid="stop"]').isVisible()), ms);
}

/** The Chat view's frame. */
export const chatFrame = (page: Page) => webviewFrame(page, '[data-testid="prompt-input"]', 'the Chat view');

/**
 * Shows the Governance view where it lives (the panel, beside the chat) as a person would, with
 * Torbit: Show Governance, and returns its frame. The panel may have shown something else since
 * (Output, Terminal), so the frame is looked up again each time.
 */
export async function showGovernance(page: Page): Promise<Frame> {
  const frame = async () => {
    for (const f of page.frames()) if (await f.locator('[data-testid="section-pending"]').isVisible().catch(() => false)) return f;
    return undefined;
  };
  const shown = await frame();
  if (shown) return shown;
  await runFromPalette(page, 'Torbit: Show Governance');
  return until('the Governance view in the panel', frame);
}

/** Opens one of the Governance view's sections (pending, allowances, activity, checkpoints, runs, policy, backend) unless it is open. */
export async function openSection(gov: Frame, id: string): Promise<void> {
  const section = gov.locator(`[data-testid="section-${id}"]`);
  if (!(await section.evaluate((el) => (el as unknown as { open: boolean }).open))) await section.locator(':scope > summary').click();
  await until(`the ${id} section to open`, () => section.evaluate((el) => (el as unknown as { open: boolean }).open));
}

export interface Workbench {
  page: Page;
  /** The sample workspace (scripts/lib/vscodeWeb.ts sampleWorkspace) this workbench has open. */
  workspace: string;
  userDataDir: string;
  server: RunningCodeServer;
  /** Closes the browser, stops code-server and keeps its logs as `<prefix>…`. */
  close(): Promise<void>;
}

/**
 * A code-server workbench with the packaged .vsix installed, the sample workspace open and the
 * model pointed at `modelBaseUrl` (an OpenAI-compatible stub), for a suite of its own. Artifacts
 * it leaves are named `<prefix>…`; the ones of an earlier run with that prefix are removed first.
 */
export async function launchWorkbench(o: {
  prefix: string; modelBaseUrl: string; settings?: Record<string, unknown>; env?: NodeJS.ProcessEnv;
  /** Before Torbit starts: files the suite puts in the workspace (its own commands, skills…). */
  prepare?: (workspace: string) => void;
  /** Open Torbit's side bar and wait for "Torbit: ready" before answering. */
  ready?: boolean;
}): Promise<Workbench> {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  for (const f of fs.readdirSync(ARTIFACTS)) if (f.startsWith(o.prefix)) fs.rmSync(path.join(ARTIFACTS, f));
  const web = setupVsCodeWeb();
  const vsix = packageVsix();
  const root = tmpDir(`torbit-e2e-${o.prefix}`);
  const extensionsDir = path.join(root, 'extensions');
  const userDataDir = path.join(root, 'profile');
  installExtension(web, vsix, extensionsDir);
  const workspace = sampleWorkspace(path.join(root, 'sample'));
  o.prepare?.(workspace);
  const server = await startCodeServer(web, {
    workspace, extensionsDir, userDataDir,
    env: {
      TORBIT_DATA_DIR: '', OPENAI_COMPATIBLE_API_KEY: '', XDG_CONFIG_HOME: path.join(root, 'config'), XDG_DATA_HOME: path.join(root, 'data'),
      GIT_AUTHOR_NAME: 'E2E', GIT_AUTHOR_EMAIL: 'e2e@torbit.invalid', GIT_COMMITTER_NAME: 'E2E', GIT_COMMITTER_EMAIL: 'e2e@torbit.invalid',
      ...o.env,
    },
    settings: { 'torbit.model': 'openai-compatible:stub-model', 'torbit.openaiCompatible.baseUrl': o.modelBaseUrl, ...o.settings },
  });
  const { browser, page } = await openBrowser(web.chromium);
  await page.goto(server.folderUrl(workspace));
  await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
  if (o.ready) {
    await showTorbit(page);
    await until('"Torbit: ready" in the status bar', async () => (await statusBarText(page)).includes('Torbit: ready'), 90_000);
  }
  return {
    page, workspace, userDataDir, server,
    async close() {
      await browser.close();
      await server.stop();
      keepLogs(server, userDataDir, o.prefix);
    },
  };
}
