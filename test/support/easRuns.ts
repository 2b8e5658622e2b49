// A spawned backend serving an Expo app whose eas-cli is the fake one (test/fixtures/fake-eas),
// as the extension drives it: ship actions are started over JSON-RPC, approvals answered, and
// every run change, output chunk and eas call recorded.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ApprovalView, RunView, rpc, type RunSpec } from '../../server/protocol';
import { expoApp } from './expo';
import { initialize, spawnServer, type Spawned } from './server';
import { tmpDir } from './tmp';
import { until } from './until';

export const FAKE_EAS_DIR = path.join(__dirname, '../fixtures/fake-eas');
export const TOKEN = 'expo_token_0123456789abcdef';

export const EAS_JSON = {
  cli: { appVersionSource: 'remote' },
  build: { development: { developmentClient: true, distribution: 'internal' }, preview: { distribution: 'internal' }, production: { autoIncrement: true } },
  submit: { production: { android: { track: 'beta', serviceAccountKeyPath: './play.json' }, ios: { ascAppId: '1234567891' } } },
};

export interface EasCall { argv: string[]; cwd: string; pid: number; env: Record<string, boolean> }

/** An Expo app (the real template) with an eas.json, and the fake eas's state folder. */
export function easApp(o: { easJson?: unknown } = {}): { app: string; state: string } {
  const app = expoApp();
  fs.writeFileSync(path.join(app, 'eas.json'), `${JSON.stringify(o.easJson ?? EAS_JSON, null, 2)}\n`);
  return { app, state: tmpDir('torbit-fake-eas-') };
}

export function calls(state: string): EasCall[] {
  const f = path.join(state, 'calls.jsonl');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as EasCall) : [];
}

export interface EasBackend {
  s: Spawned;
  runs: Map<string, RunView[]>;
  output: Map<string, string>;
  approvals: ApprovalView[];
  start(spec: Partial<RunSpec> & Pick<RunSpec, 'kind' | 'platform'>): Promise<RunView>;
  /** Waits until the run's latest change satisfies `ok`. */
  until(runId: string, ok: (r: RunView) => boolean, ms?: number): Promise<RunView>;
}

export async function openEasBackend(o: {
  app: string; state: string; scenario?: string; env?: NodeJS.ProcessEnv; approve?: boolean;
  eas?: { pollSeconds?: number; staleAfterSeconds?: number; maxAttempts?: number; backoffSeconds?: number };
  trusted?: boolean;
}, live: Spawned[]): Promise<EasBackend> {
  const s = spawnServer({
    TORBIT_DATA_DIR: '', OPENAI_COMPATIBLE_API_KEY: 'model-key-must-not-reach-eas', EXPO_TOKEN: TOKEN,
    PATH: `${FAKE_EAS_DIR}${path.delimiter}${process.env.PATH ?? ''}`, FAKE_EAS_STATE: o.state, FAKE_EAS_SCENARIO: o.scenario ?? 'success',
    ...o.env,
  });
  live.push(s);
  const runs = new Map<string, RunView[]>();
  const output = new Map<string, string>();
  const approvals: ApprovalView[] = [];
  s.conn.onNotification(rpc.runChanged.method, (p: unknown) => {
    const r = RunView.parse(p);
    runs.set(r.id, [...(runs.get(r.id) ?? []), r]);
  });
  s.conn.onNotification(rpc.runOutput.method, (p: unknown) => {
    const { runId, chunk } = rpc.runOutput.params.parse(p);
    output.set(runId, (output.get(runId) ?? '') + chunk);
  });
  s.conn.onNotification(rpc.approvalRequested.method, (p: unknown) => {
    const a = ApprovalView.parse(p);
    approvals.push(a);
    void s.conn.sendRequest(rpc.approvalDecide.method, { approvalId: a.id, approve: o.approve ?? true, ...(o.approve === false ? { reason: 'not today' } : {}) });
  });
  await initialize(s, {
    workspaceFolders: [o.app], trusted: o.trusted ?? true,
    eas: { pollSeconds: 0.1, staleAfterSeconds: 30, maxAttempts: 1, backoffSeconds: 0.1, ...o.eas },
  });
  return {
    s, runs, output, approvals,
    start: async (spec) => RunView.parse((await s.conn.sendRequest<{ run: unknown }>(rpc.easStart.method, { spec })).run),
    until: (runId, ok, ms) => until(() => `run ${runId}: ${JSON.stringify(runs.get(runId)?.map((r) => `${r.state}/${r.detail}`))}`, () => {
      const last = runs.get(runId)?.at(-1);
      return last && ok(last) ? last : undefined;
    }, { ms, everyMs: 20 }),
  };
}
