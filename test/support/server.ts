// Spawns the bundled backend (dist/server.js) the way vscode-languageclient does, a Node module
// forked with --node-ipc, and speaks JSON-RPC to it over that channel.
import { fork, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { createMessageConnection, IPCMessageReader, IPCMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';

export const SERVER = path.join(__dirname, '../../dist/server.js');

export interface Spawned {
  child: ChildProcess;
  conn: MessageConnection;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Messages the server logged through window/logMessage. */
  logs: string[];
}

/** `execArgv` goes to Node before the server (e.g. `--require` a script that misbehaves inside it). */
export function spawnServer(env: NodeJS.ProcessEnv = {}, execArgv: string[] = []): Spawned {
  const child = fork(SERVER, ['--node-ipc'], { env: { ...process.env, ...env }, execArgv, stdio: ['ignore', 'ignore', 'pipe', 'ipc'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => { err += d.toString(); });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })));
  const conn = createMessageConnection(new IPCMessageReader(child), new IPCMessageWriter(child));
  const logs: string[] = [];
  conn.onNotification('window/logMessage', (p: { message: string }) => { logs.push(p.message); });
  conn.listen();
  return { child, conn, stderr: () => err, exited, logs };
}

export async function initialize(s: Spawned, initializationOptions: unknown): Promise<{ serverInfo?: { name: string; version?: string } }> {
  const r = await s.conn.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities: {}, initializationOptions });
  await s.conn.sendNotification('initialized', {});
  return r as { serverInfo?: { name: string; version?: string } };
}

export async function shutdown(s: Spawned): Promise<void> {
  if (s.child.exitCode === null && s.child.signalCode === null) {
    await s.conn.sendRequest('shutdown').catch(() => undefined);
    await s.conn.sendNotification('exit').catch(() => undefined);
    await Promise.race([s.exited, new Promise((r) => setTimeout(r, 3000))]);
    if (s.child.exitCode === null) s.child.kill('SIGKILL');
  }
  s.conn.dispose();
}
