// Acting in the VS Code workbench as a person would: wait on what a person waits on (a status
// text, a view, a toast), never on fixed sleeps alone.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chromium, type Browser, type Frame, type Page } from 'playwright-core';
import { ROOT, type RunningCodeServer } from '../../scripts/lib/vscodeWeb';
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
