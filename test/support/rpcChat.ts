// A spawned backend with a chat over JSON-RPC, as the extension drives it: prompts go in, events
// and approval requests come out. `approve: 'all'` answers every approval at once, as a person
// clicking Approve would; 'manual' leaves them to the test.
import { ApprovalView, ChatEventParams, rpc, type ApprovalOutcome, type ChatEvent, type DecideParams } from '../../server/protocol';
import { initialize, spawnServer, type Spawned } from './server';
import { gitRepo } from './tmp';
import { until } from './until';

export interface RpcChat {
  s: Spawned;
  ws: string;
  events: ChatEventParams[];
  /** Every approval requested so far, and how each ended. */
  approvals: ApprovalView[];
  resolved: { approval: ApprovalView; outcome: ApprovalOutcome }[];
  send(text: string, extra?: Record<string, unknown>): Promise<{ sessionId: string; turnId: string }>;
  turnEnd(turnId: string, ms?: number): Promise<Extract<ChatEvent, { type: 'turn-end' }>>;
  of<T extends ChatEvent['type']>(type: T, turnId?: string): Extract<ChatEvent, { type: T }>[];
  /** Waits for the nth approval request (0-based). */
  approval(n: number, ms?: number): Promise<ApprovalView>;
  decide(d: DecideParams): Promise<unknown>;
}

export interface RpcChatOptions {
  ws?: string;
  baseURL: string;
  agent?: Record<string, unknown>;
  env?: NodeJS.ProcessEnv;
  approve?: 'all' | 'manual';
  init?: Record<string, unknown>;
}

export async function openRpcChat(o: RpcChatOptions, live: Spawned[]): Promise<RpcChat> {
  const ws = o.ws ?? gitRepo();
  const s = spawnServer({ TORBIT_DATA_DIR: '', OPENAI_API_KEY: '', OPENAI_COMPATIBLE_API_KEY: 'stub-key-123456789', ...o.env });
  live.push(s);
  const events: ChatEventParams[] = [];
  const approvals: ApprovalView[] = [];
  const resolved: RpcChat['resolved'] = [];
  s.conn.onNotification(rpc.chatEvent.method, (p: unknown) => { events.push(ChatEventParams.parse(p)); });
  s.conn.onNotification(rpc.approvalResolved.method, (p: unknown) => { resolved.push(rpc.approvalResolved.params.parse(p)); });
  s.conn.onNotification(rpc.approvalRequested.method, (p: unknown) => {
    const a = ApprovalView.parse(p);
    approvals.push(a);
    if ((o.approve ?? 'all') === 'all') void s.conn.sendRequest(rpc.approvalDecide.method, { approvalId: a.id, approve: true });
  });
  await initialize(s, { workspaceFolders: [ws], trusted: true, agent: { maxRetries: 2, ...o.agent }, ...o.init });
  const describe = () => `events: ${events.map((x) => x.event.type).join(',')}`;
  return {
    s, ws, events, approvals, resolved,
    send: async (text, extra = {}) => s.conn.sendRequest(rpc.chatSend.method, { text, model: 'openai-compatible:stub-model', baseUrl: o.baseURL, ...extra }),
    turnEnd: (turnId, ms) => until(() => `turn-end; ${describe()}`,
      () => events.find((x) => x.turnId === turnId && x.event.type === 'turn-end')?.event as Extract<ChatEvent, { type: 'turn-end' }> | undefined, { ms }),
    of: (type, turnId) => events.filter((e) => (!turnId || e.turnId === turnId) && e.event.type === type).map((e) => e.event) as never,
    approval: (n, ms) => until(() => `approval ${n}; ${describe()}`, () => approvals[n], { ms }),
    decide: (d) => s.conn.sendRequest(rpc.approvalDecide.method, d),
  };
}
