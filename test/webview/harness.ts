// Runs a Torbit webview outside VS Code: its bundle built in memory with the same esbuild options
// as scripts/build.mjs, served from 127.0.0.1 in an HTML shell with the real view's strict CSP
// (script nonce, no unsafe-inline), a stub acquireVsCodeApi() recording what the view posts, and
// messages delivered as the extension would (window.postMessage).
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { FromWebviewMessage, ToWebviewMessage } from '../../server/protocol';
import { webviewShell } from '../../extension/views/shell';
import { setupChromium } from '../../scripts/lib/vscodeWeb';

export const ROOT = path.resolve(__dirname, '../..');

/** What the page exposes to the tests (typed here: the test project has no DOM types). */
export interface PageGlobals {
  __posted: FromWebviewMessage[];
  __pageErrors: string[];
  __cspViolations: string[];
  /** Messages the page received, and how many the tests sent (see deliver). */
  __delivered: number;
  __expected: number;
  __torbitTimings?: { seq: number; t: number }[];
  __torbitText?: string;
  __torbitGaps?: number;
  __pwned?: unknown;
  location: { origin: string };
  postMessage(message: unknown, targetOrigin: string): void;
}

/** Bundles one webview entry exactly as scripts/build.mjs does (minus writing it to dist/). */
export async function bundleWebview(entry: 'chat' | 'governance', production = false): Promise<string> {
  const r = await esbuild.build({
    absWorkingDir: ROOT,
    entryPoints: [`webview/${entry}/main.ts`],
    bundle: true,
    minify: production,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    tsconfig: 'webview/tsconfig.json',
    write: false,
    logLevel: 'warning',
  });
  return r.outputFiles[0]!.text;
}

function shell(origin: string, nonce: string, entry: string): string {
  // The product's page, with the stub API and the error/CSP recorders as the only inline script.
  return webviewShell({
    source: origin, nonce, entry, title: entry === 'chat' ? 'Torbit Chat' : 'Torbit Governance',
    href: { codicons: '/codicons/codicon.css', css: '/media/webview.css', script: `/${entry}.js` },
    headExtra: `<script nonce="${nonce}">
    window.__posted = [];
    window.__pageErrors = [];
    window.__cspViolations = [];
    window.__delivered = 0;
    window.__expected = 0;
    window.addEventListener('message', () => { window.__delivered++; });
    window.addEventListener('error', (e) => window.__pageErrors.push(String(e.message)));
    window.addEventListener('unhandledrejection', (e) => window.__pageErrors.push(String(e.reason)));
    document.addEventListener('securitypolicyviolation', (e) => window.__cspViolations.push(e.violatedDirective + ' ' + e.blockedURI));
    let acquired = false;
    window.acquireVsCodeApi = () => {
      if (acquired) throw new Error('acquireVsCodeApi called twice');
      acquired = true;
      // The view's kept state survives a reload, as VS Code keeps it (here in the tab's sessionStorage).
      return {
        postMessage: (m) => window.__posted.push(JSON.parse(JSON.stringify(m))),
        getState: () => { const s = sessionStorage.getItem('torbit-view-state'); return s === null ? undefined : JSON.parse(s); },
        setState: (s) => { sessionStorage.setItem('torbit-view-state', JSON.stringify(s)); },
      };
    };
  </script>`,
  });
}

export interface Harness {
  url: string;
  browser: Browser;
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/**
 * Starts Chromium (found as the end-to-end suite finds it: TORBIT_CHROMIUM, else the setup's) and
 * the page server. Fails at once with the reason when Chromium cannot start, leaving nothing open,
 * so that a failed before-all hook cannot keep mocha alive.
 */
export async function startHarness(entry: 'chat' | 'governance' = 'chat'): Promise<Harness> {
  const executablePath = setupChromium();
  const browser = await chromium.launch({
    executablePath,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--no-proxy-server'],
  }).catch((err: Error) => { throw new Error(`the webview suite could not start Chromium (${executablePath}): ${err.message.split('\n')[0]}`, { cause: err }); });
  try {
    return await servePages(entry, browser);
  } catch (err) {
    await browser.close();
    throw err;
  }
}

async function servePages(entry: 'chat' | 'governance', browser: Browser): Promise<Harness> {
  const bundle = await bundleWebview(entry);
  const codicons = path.join(ROOT, 'node_modules/@vscode/codicons/dist');
  const files: Record<string, () => [string, Buffer | string]> = {
    [`/${entry}.js`]: () => ['text/javascript', bundle],
    '/media/webview.css': () => ['text/css', fs.readFileSync(path.join(ROOT, 'media/webview.css'))],
    '/codicons/codicon.css': () => ['text/css', fs.readFileSync(path.join(codicons, 'codicon.css'))],
    '/codicons/codicon.ttf': () => ['font/ttf', fs.readFileSync(path.join(codicons, 'codicon.ttf'))],
  };
  let nonceCount = 0;
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url.pathname === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end(shell(origin, Buffer.from(`torbit-nonce-${++nonceCount}-${Date.now()}`).toString('base64'), entry));
      return;
    }
    const file = files[url.pathname];
    if (!file) {
      res.writeHead(404).end();
      return;
    }
    const [type, body] = file();
    res.writeHead(200, { 'content-type': type });
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    url,
    browser,
    async newPage() {
      const page = await browser.newPage({ viewport: { width: 480, height: 800 } });
      await page.goto(url);
      await page.waitForFunction(() => (globalThis as unknown as PageGlobals).__posted.some((m) => m.type === 'ready'));
      return page;
    },
    async close() {
      await browser.close();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

/** Delivers messages to the view as the extension does, in order. */
export async function deliver(page: Page, ...messages: ToWebviewMessage[]): Promise<void> {
  const expected = await page.evaluate((ms) => {
    const w = globalThis as unknown as PageGlobals;
    for (const m of ms) w.postMessage(m, w.location.origin);
    return (w.__expected += ms.length);
  }, messages);
  // window.postMessage dispatches asynchronously: wait until the page has handled them all.
  await page.waitForFunction((n) => (globalThis as unknown as PageGlobals).__delivered >= n, expected);
}

export async function posted(page: Page): Promise<FromWebviewMessage[]> {
  return page.evaluate(() => (globalThis as unknown as PageGlobals).__posted);
}

export async function clearPosted(page: Page): Promise<void> {
  await page.evaluate(() => { (globalThis as unknown as PageGlobals).__posted.length = 0; });
}

export async function pageGlobal<K extends keyof PageGlobals>(page: Page, key: K): Promise<PageGlobals[K]> {
  return page.evaluate((k: string) => (globalThis as unknown as Record<string, unknown>)[k], key) as Promise<PageGlobals[K]>;
}
