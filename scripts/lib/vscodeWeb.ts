// Real VS Code without a download from Microsoft: code-server (VS Code's own workbench and Node
// extension host, from npm) on loopback. Used by the end-to-end suite and by `npm start`.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { parse as parseJsonc } from 'jsonc-parser';
import { endTree } from '../../server/killTree';

export const ROOT = path.resolve(__dirname, '../..');

export interface VsCodeWeb {
  node24: string;
  entry: string;
  chromium: string;
}

/** Runs scripts/setup-vscode-web.sh (`what` = 'chromium': Chromium only) and reads its KEY=VALUE lines. */
function provision(what: 'chromium' | 'all'): Record<string, string> {
  let out: string;
  try {
    out = execFileSync('bash', [path.join(ROOT, 'scripts/setup-vscode-web.sh'), what], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  } catch (err) {
    const status = (err as { status?: number | null }).status;
    throw new Error(`scripts/setup-vscode-web.sh ${what} failed (exit ${status ?? 'by a signal'}); its reason is printed above`, { cause: err });
  }
  return Object.fromEntries(out.trim().split('\n').map((l) => l.split('=', 2) as [string, string]));
}

function provided(kv: Record<string, string>, key: string): string {
  const v = kv[key] ?? '';
  if (!v || !fs.existsSync(v)) throw new Error(`setup-vscode-web.sh did not provide ${key} (${v || 'nothing'})`);
  return v;
}

/**
 * The Chromium the browser suites drive: TORBIT_CHROMIUM when set, else Debian's, installed when
 * missing (scripts/setup-vscode-web.sh). Throws a sentence saying why when there is none.
 */
export function setupChromium(): string {
  return provided(provision('chromium'), 'CHROMIUM');
}

/** Installs (or finds, cached under ~/.cache/torbit) code-server, Node 24 and Chromium. */
export function setupVsCodeWeb(): VsCodeWeb {
  const kv = provision('all');
  return { node24: provided(kv, 'NODE24'), entry: provided(kv, 'CODE_SERVER_ENTRY'), chromium: provided(kv, 'CHROMIUM') };
}

function codeServer(web: VsCodeWeb, args: string[]): string {
  return execFileSync(web.node24, [web.entry, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

export function installExtension(web: VsCodeWeb, vsix: string, extensionsDir: string): string[] {
  codeServer(web, ['--install-extension', vsix, '--force', '--extensions-dir', extensionsDir]);
  return codeServer(web, ['--list-extensions', '--show-versions', '--extensions-dir', extensionsDir]).trim().split('\n');
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningCodeServer {
  url: string;
  /** The URL that opens `folder` in the workbench. */
  folderUrl(folder: string): string;
  log(): string;
  stop(): Promise<void>;
  process: ChildProcess;
}

// The guard's whole program: it reads nothing, and its stdin ends when the process that started
// it ends, however that happens (SIGKILL included; a signal handler would not run then). It then
// ends the group; it also leaves once the group has gone by itself.
const GUARD = `
const pgid = -Number(process.argv[1]);
const alive = () => { try { process.kill(pgid, 0); return true; } catch (e) { return e.code === 'EPERM'; } };
const kill = (s) => { try { process.kill(pgid, s); } catch {} };
process.stdin.on('close', () => { kill('SIGTERM'); setTimeout(() => { kill('SIGKILL'); process.exit(0); }, 5000); });
process.stdin.resume();
setInterval(() => { if (!alive()) process.exit(0); }, 1000);
`;

/** Ends the process group `pid` leads when this process ends, even by SIGKILL. */
function guardGroup(pid: number): void {
  const guard = spawn(process.execPath, ['-e', GUARD, String(pid)], { stdio: ['pipe', 'ignore', 'ignore'], detached: true });
  guard.unref();
  // The pipe must not keep this process alive either; it closes when this process exits.
  (guard.stdin as unknown as { unref?: () => void }).unref?.();
}

export interface StartOptions {
  workspace: string;
  extensionsDir: string;
  userDataDir: string;
  port?: number;
  env?: NodeJS.ProcessEnv;
  /** Inherit stdio instead of capturing it (npm start). */
  inherit?: boolean;
  /** User settings merged over the profile's defaults. */
  settings?: Record<string, unknown>;
  /**
   * Keep VS Code's workspace trust on (off by default here: a test or `npm start` opens folders
   * it made itself). With it, an unknown folder opens with VS Code's "Do you trust the authors?"
   * prompt and, if not trusted, in restricted mode, as it does for a person.
   */
  workspaceTrust?: boolean;
  /** Aborting stops code-server (with everything it started) and rejects a start still waiting. */
  signal?: AbortSignal;
}

export async function startCodeServer(web: VsCodeWeb, o: StartOptions): Promise<RunningCodeServer> {
  const port = o.port ?? (await freePort());
  o.signal?.throwIfAborted();
  fs.mkdirSync(path.join(o.userDataDir, 'User'), { recursive: true });
  const settings = path.join(o.userDataDir, 'User', 'settings.json');
  if (!fs.existsSync(settings) || o.settings) {
    const existing = fs.existsSync(settings) ? (parseJsonc(fs.readFileSync(settings, 'utf8')) ?? {}) as Record<string, unknown> : {};
    fs.writeFileSync(settings, JSON.stringify({
      ...existing,
      'workbench.startupEditor': 'none',
      'workbench.tips.enabled': false,
      'telemetry.telemetryLevel': 'off',
      'extensions.autoCheckUpdates': false,
      'extensions.autoUpdate': false,
      'update.mode': 'none',
      'workbench.secondarySideBar.defaultVisibility': 'hidden',
      'chat.disableAIFeatures': true,
      ...o.settings,
    }, null, 2));
  }
  const child = spawn(web.node24, [web.entry,
    '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`,
    '--disable-telemetry', '--disable-update-check', ...(o.workspaceTrust ? [] : ['--disable-workspace-trust']), '--disable-getting-started-override',
    '--extensions-dir', o.extensionsDir, '--user-data-dir', o.userDataDir, o.workspace,
  ], {
    env: { ...process.env, ...o.env }, stdio: o.inherit ? 'inherit' : ['ignore', 'pipe', 'pipe'],
    // Its own process group: code-server, its extension hosts and the backends they fork are all
    // in it, so stop() reaches every one (a signal to code-server alone leaves them running).
    detached: process.platform !== 'win32',
  });
  let stopping: Promise<void> | undefined;
  const stop = () => (stopping ??= endTree(child.pid));
  if (child.pid && process.platform !== 'win32') guardGroup(child.pid);
  o.signal?.addEventListener('abort', () => void stop(), { once: true });
  let log = '';
  child.stdout?.on('data', (d: Buffer) => { log += d.toString(); });
  child.stderr?.on('data', (d: Buffer) => { log += d.toString(); });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (o.signal?.aborted) { await stop(); o.signal.throwIfAborted(); }
    if (child.exitCode !== null) { await stop(); throw new Error(`code-server exited with ${child.exitCode}:\n${log}`); }
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) break;
    if (Date.now() > deadline) { await stop(); throw new Error(`code-server did not answer on ${url} within 60 s:\n${log}`); }
    await new Promise((r) => setTimeout(r, 250));
  }
  return {
    url,
    folderUrl: (folder) => `${url}/?folder=${encodeURIComponent(folder)}`,
    log: () => log,
    process: child,
    stop,
  };
}

/** Builds the production .vsix with `npm run package`'s script; returns its path. */
export function packageVsix(): string {
  const out = execFileSync(process.execPath, [path.join(ROOT, 'scripts/package.mjs')], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const vsix = out.trim().split('\n').at(-1) ?? '';
  if (!vsix.endsWith('.vsix') || !fs.existsSync(vsix)) throw new Error(`npm run package did not produce a .vsix:\n${out}`);
  return vsix;
}

/** Copies the sample workspace into `dest` and makes it a git repository, as a real project is. */
export function sampleWorkspace(dest: string): string {
  fs.cpSync(path.join(ROOT, 'test/fixtures/sample-workspace'), dest, { recursive: true });
  if (!fs.existsSync(path.join(dest, '.git'))) {
    const git = (...a: string[]) => execFileSync('git', a, { cwd: dest, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('add', '-A');
    git('-c', 'user.name=Torbit Sample', '-c', 'user.email=sample@torbit.invalid', 'commit', '-q', '-m', 'Sample workspace');
  }
  return dest;
}
