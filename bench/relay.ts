// `npm run bench`: relay overhead of a streamed answer, from a model chunk leaving the provider
// (the OpenAI-compatible SSE stub writes it) to the chunk arriving (JSON-RPC, backend only) and
// being rendered (the Chat webview in a real VS Code). 10,000 chunks at 200 chunks/s by default.
// Targets (issue 3): p99 ≤ 5 ms per chunk, 0 chunks lost or reordered; the backend's RSS is shown.
// Options: --chunks N --rate N --only backend|webview
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { chromium, type Frame, type Page } from 'playwright-core';
import { ChatEventParams, rpc } from '../server/protocol';
import { installExtension, packageVsix, ROOT, sampleWorkspace, setupVsCodeWeb, startCodeServer } from '../scripts/lib/vscodeWeb';
import { startOpenAIStub, type StubChunk } from '../test/stubs/openaiStub';
import { initialize, shutdown, spawnServer } from '../test/support/server';
import { cleanupTmp, gitRepo, tmpDir } from '../test/support/tmp';
import { runFromPalette, until, webviewFrame } from '../test/e2e/workbench';
import { percentile, report, rssMiB, runBench, type Row } from './stats';

const { values } = parseArgs({ options: { chunks: { type: 'string' }, rate: { type: 'string' }, only: { type: 'string' } } });
const N = Number(values.chunks ?? 10_000);
const RATE = Number(values.rate ?? 200);
const TARGET_P99_MS = 5;
const now = () => performance.timeOrigin + performance.now();
// Chunk i carries the word c<i>; the receiver checks every word arrived, once, in order. The text
// is shaped like a real answer: paragraphs of 60 chunks (PARAGRAPH=0: one unbroken paragraph).
const PARAGRAPH = Number(process.env.TORBIT_BENCH_PARAGRAPH ?? 60);
const chunkText = (i: number) => `c${i}${PARAGRAPH && (i + 1) % PARAGRAPH === 0 ? '\n\n' : ' '}`;

function script(sent: number[]): { kind: 'stream'; chunks: StubChunk[]; delayMs: number; usage: { prompt_tokens: number; completion_tokens: number }; onChunk: (i: number, t: number) => void } {
  const chunks: StubChunk[] = Array.from({ length: N }, (_, i) => ({ text: chunkText(i) }));
  chunks.push({ finish: 'stop' });
  return { kind: 'stream', chunks, delayMs: 1000 / RATE, usage: { prompt_tokens: 50, completion_tokens: N }, onChunk: (i, t) => { if (i < N) sent[i] = t; } };
}

/** Losses and reorderings, judged from the text the receiver put together. */
function integrity(received: string[]): { lost: number; reordered: number } {
  let lost = 0;
  let reordered = 0;
  let expect = 0;
  const seen = new Set<number>();
  for (const piece of received.join('').split(/\s+/).filter(Boolean)) {
    const i = Number(piece.slice(1));
    if (i !== expect) reordered++;
    seen.add(i);
    expect = i + 1;
  }
  for (let i = 0; i < N; i++) if (!seen.has(i)) lost++;
  return { lost, reordered };
}

function latencyRows(label: string, lat: number[], target: boolean): Row[] {
  const s = [...lat].sort((a, b) => a - b);
  return [
    { metric: `${label} p50`, measured: percentile(s, 50), unit: 'ms' },
    { metric: `${label} p99`, measured: percentile(s, 99), unit: 'ms', ...(target ? { baseline: TARGET_P99_MS, baselineName: 'target', limit: 'max' } : {}) },
    { metric: `${label} max`, measured: s.at(-1) ?? NaN, unit: 'ms' },
  ];
}

/** Raw SDK in this process: the floor any relay is measured against. */
async function sdkFloor(): Promise<number[]> {
  const { createOpenAICompatible } = await import('@ai-sdk/openai-compatible');
  const { streamText } = await import('ai');
  const stub = await startOpenAIStub();
  const sent: number[] = [];
  const lat: number[] = [];
  try {
    stub.enqueue(script(sent));
    const model = createOpenAICompatible({ name: 'stub', baseURL: stub.baseURL, includeUsage: true }).chatModel('bench');
    let i = 0;
    for await (const part of streamText({ model, prompt: 'bench', onError: () => undefined }).fullStream) {
      if (part.type === 'text-delta') lat.push(now() - sent[i++]!);
    }
  } finally {
    await stub.close();
  }
  return lat;
}

async function backendRelay(): Promise<{ rows: Row[]; lat: number[] }> {
  const stub = await startOpenAIStub();
  const s = spawnServer({ TORBIT_DATA_DIR: '' });
  const sent: number[] = [];
  const recv: number[] = [];
  const texts: string[] = [];
  let peak = 0;
  const sampler = setInterval(() => void rssMiB(s.child.pid!).then((r) => { peak = Math.max(peak, r ?? 0); }), 250);
  try {
    let ended = false;
    s.conn.onNotification(rpc.chatEvent.method, (raw: unknown) => {
      const t = now();
      const p = ChatEventParams.parse(raw);
      if (p.event.type === 'text-delta') { recv.push(t); texts.push(p.event.text); }
      if (p.event.type === 'turn-end') ended = true;
    });
    await initialize(s, { workspaceFolders: [gitRepo()], trusted: true });
    const before = await rssMiB(s.child.pid!);
    stub.enqueue(script(sent));
    await s.conn.sendRequest(rpc.chatSend.method, { text: 'bench', model: 'openai-compatible:bench', baseUrl: stub.baseURL });
    while (!ended) await new Promise((r) => setTimeout(r, 50));
    const idle = await rssMiB(s.child.pid!);
    const lat = recv.slice(0, N).map((t, i) => t - sent[i]!);
    const { lost, reordered } = integrity(texts);
    return {
      lat,
      rows: [
        ...latencyRows('backend relay (JSON-RPC)', lat, false),
        { metric: 'backend relay: chunks lost', measured: lost, unit: '', baseline: 0, baselineName: 'target', limit: 'max' },
        { metric: 'backend relay: chunks reordered', measured: reordered, unit: '', baseline: 0, baselineName: 'target', limit: 'max' },
        { metric: 'backend RSS before the run', measured: before ?? NaN, unit: 'MiB' },
        { metric: 'backend RSS peak', measured: peak, unit: 'MiB' },
        { metric: 'backend RSS after the run', measured: idle ?? NaN, unit: 'MiB' },
      ],
    };
  } finally {
    clearInterval(sampler);
    await shutdown(s);
    await stub.close();
  }
}

/** The backend code-server started for the workspace: the process running dist/server.js. */
function findBackendPid(): number | undefined {
  for (const d of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    let cmd: string;
    try {
      cmd = fs.readFileSync(`/proc/${d}/cmdline`, 'utf8');
    } catch {
      continue; // the process is gone
    }
    if (cmd.includes('torbit') && cmd.includes(`dist${path.sep}server.js`)) return Number(d);
  }
  return undefined;
}

/** Packages bench/probe-extension as a .vsix with vsce (a copied folder is not picked up). */
function packageProbe(dir: string): string {
  const src = path.join(dir, 'probe-src');
  fs.cpSync(path.join(ROOT, 'bench', 'probe-extension'), src, { recursive: true });
  const out = path.join(dir, 'relay-probe.vsix');
  execFileSync(process.execPath, [path.join(ROOT, 'node_modules/@vscode/vsce/vsce'), 'package', '--allow-missing-repository', '--skip-license', '--no-dependencies', '--out', out], { cwd: src, stdio: 'ignore' });
  return out;
}

/** The clock of a webview frame against ours: the sample with the shortest round trip bounds the error. */
async function clockOffset(frame: Frame): Promise<{ offset: number; halfRtt: number }> {
  let offset = 0;
  let best = Infinity;
  for (let i = 0; i < 30; i++) {
    const t0 = now();
    const theirs = await frame.evaluate(() => performance.timeOrigin + performance.now());
    const t1 = now();
    if (t1 - t0 < best) { best = t1 - t0; offset = theirs - (t0 + t1) / 2; }
  }
  return { offset, halfRtt: best / 2 };
}

/** Latencies of VS Code's extension host → webview channel alone, at the same rate. */
async function channelFloor(page: Page): Promise<number[]> {
  await page.locator('.activitybar .action-item a[aria-label^="Relay Probe"]').click();
  const frame = await webviewFrame(page, '[data-testid="probe-out"]', 'the relay probe view');
  const { offset } = await clockOffset(frame);
  await runFromPalette(page, 'Relay Probe: Run');
  const count = () => frame.evaluate(() => (globalThis as unknown as { __probe: unknown[] }).__probe.length);
  const n = N; // set in the profile as relayProbe.count
  await until('the probe run', async () => (await count()) >= n, n / RATE * 1000 + 60_000);
  const rows = await frame.evaluate(() => (globalThis as unknown as { __probe: { sentAt: number; tIn: number }[] }).__probe);
  return rows.map((r) => r.tIn - offset - r.sentAt);
}

async function webviewRelay(): Promise<Row[]> {
  const stub = await startOpenAIStub();
  const web = setupVsCodeWeb();
  const vsix = packageVsix();
  const root = tmpDir('torbit-bench-');
  const extensionsDir = path.join(root, 'extensions');
  installExtension(web, vsix, extensionsDir);
  // The probe: VS Code's extension host → webview channel with no Torbit code, the floor under ours.
  installExtension(web, packageProbe(root), extensionsDir);
  const workspace = sampleWorkspace(path.join(root, 'sample'));
  const server = await startCodeServer(web, {
    workspace, extensionsDir, userDataDir: path.join(root, 'profile'), env: { TORBIT_DATA_DIR: '' },
    settings: {
      'torbit.model': 'openai-compatible:bench', 'torbit.openaiCompatible.baseUrl': stub.baseURL, 'torbit.diagnostics.recordRelayTimings': true,
      'relayProbe.count': N, 'relayProbe.rate': RATE,
    },
  });
  const browser = await chromium.launch({ executablePath: web.chromium, args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'] });
  let peak = 0;
  let sampler: NodeJS.Timeout | undefined;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.folderUrl(workspace));
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    await page.locator('.activitybar .action-item a[aria-label^="Torbit"]').click();
    const chat = await webviewFrame(page, '[data-testid="prompt-input"]', 'the Chat view');
    await until('the backend', async () => (await chat.locator('[data-testid="backend-state"]').getAttribute('data-state')) === 'ready', 90_000);
    const floor = await channelFloor(page);
    await page.locator('.activitybar .action-item a[aria-label^="Torbit"]').click();
    const pid = findBackendPid();
    if (pid) sampler = setInterval(() => void rssMiB(pid).then((r) => { peak = Math.max(peak, r ?? 0); }), 250);
    const { offset, halfRtt } = await clockOffset(chat);
    const sent: number[] = [];
    stub.enqueue(script(sent));
    await chat.locator('[data-testid="prompt-input"]').click();
    await page.keyboard.type('bench');
    await page.keyboard.press('Enter');
    const count = () => chat.evaluate(() => (globalThis as unknown as { __torbitTimings?: unknown[] }).__torbitTimings?.length ?? 0);
    await until(`${N} rendered chunks`, async () => (await count()) >= N, N / RATE * 1000 + 120_000);
    const out = await chat.evaluate(() => {
      const w = globalThis as unknown as { __torbitTimings: { seq: number; t: number; tIn: number; relayedAt?: number }[]; __torbitText: string; __torbitGaps: number };
      return { timings: w.__torbitTimings, text: w.__torbitText, gaps: w.__torbitGaps };
    });
    const timings = out.timings.slice(0, N);
    const lat = timings.map((x, i) => x.t - offset - sent[i]!);
    // Where the time goes. The extension host is a Node process on this machine: its clock is ours.
    const toHost = timings.map((x, i) => (x.relayedAt ?? NaN) - sent[i]!);
    const hostToView = timings.map((x) => x.tIn - offset - (x.relayedAt ?? NaN));
    const render = timings.map((x) => x.t - x.tIn);
    const seqs = out.timings.map((x) => x.seq);
    const reorderedSeq = seqs.filter((s, i) => i > 0 && s !== seqs[i - 1]! + 1).length;
    const { lost, reordered } = integrity([out.text]);
    const p = (xs: number[], q: number) => percentile(xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b), q);
    const floorP50 = p(floor, 50);
    const floorP99 = p(floor, 99);
    // Torbit's own time per chunk: everything but VS Code's extension host → webview channel.
    const own = timings.map((x, i) => toHost[i]! + render[i]!);
    return [
      ...latencyRows('provider → webview render', lat, true),
      { metric: "Torbit's own relay (provider → ext host + render) p50", measured: p(own, 50), unit: 'ms' },
      { metric: "Torbit's own relay (provider → ext host + render) p99", measured: p(own, 99), unit: 'ms', baseline: TARGET_P99_MS, baselineName: 'target', limit: 'max' },
      { metric: '  segment: provider → extension host p50', measured: p(toHost, 50), unit: 'ms' },
      { metric: '  segment: provider → extension host p99', measured: p(toHost, 99), unit: 'ms' },
      { metric: '  segment: extension host → webview p50', measured: p(hostToView, 50), unit: 'ms', baseline: floorP50, baselineName: 'VS Code channel p50' },
      { metric: '  segment: extension host → webview p99', measured: p(hostToView, 99), unit: 'ms', baseline: floorP99, baselineName: 'VS Code channel p99' },
      { metric: '  segment: webview render p50', measured: p(render, 50), unit: 'ms' },
      { metric: '  segment: webview render p99', measured: p(render, 99), unit: 'ms' },
      { metric: 'VS Code channel alone (probe, no Torbit) p50', measured: floorP50, unit: 'ms' },
      { metric: 'VS Code channel alone (probe, no Torbit) p99', measured: floorP99, unit: 'ms' },
      { metric: 'webview: chunks lost', measured: lost, unit: '', baseline: 0, baselineName: 'target', limit: 'max' },
      { metric: 'webview: chunks reordered', measured: reordered + reorderedSeq + out.gaps, unit: '', baseline: 0, baselineName: 'target', limit: 'max' },
      { metric: 'clock offset uncertainty (± half RTT)', measured: halfRtt, unit: 'ms' },
      { metric: 'backend RSS peak (in VS Code)', measured: pid ? peak : NaN, unit: 'MiB' },
    ];
  } finally {
    if (sampler) clearInterval(sampler);
    await browser.close();
    await server.stop();
    await stub.close();
  }
}

async function main(): Promise<void> {
  console.log(`relay benchmark: ${N} chunks at ${RATE} chunks/s (${(N / RATE).toFixed(0)} s per run)`);
  const rows: Row[] = [];
  const floor = await sdkFloor();
  const floorP99 = percentile([...floor].sort((a, b) => a - b), 99);
  rows.push(...latencyRows('raw AI SDK in-process (floor)', floor, false));
  if (values.only !== 'webview') {
    const b = await backendRelay();
    rows.push(...b.rows);
    const p99 = rows.find((r) => r.metric === 'backend relay (JSON-RPC) p99')!;
    p99.baseline = floorP99;
    p99.baselineName = 'raw SDK p99';
  }
  if (values.only !== 'backend') rows.push(...await webviewRelay());
  await report('Torbit relay overhead', 'relay', rows);
}

runBench(main, cleanupTmp);
