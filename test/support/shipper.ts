// A repository ready to ship over JSON-RPC: reviewed at its base, with commits to ship, a bare
// origin at the baseline, and a spawned backend over it whose Ship progress and output are heard.
import * as path from 'node:path';
import type { CancellationTokenSource } from 'vscode-jsonrpc/node';
import { ShipProgress, ShipResult, rpc, type ShipParams } from '../../server/protocol';
import type { OpenAIStub } from '../stubs/openaiStub';
import { openRpcChat, type RpcChat } from './rpcChat';
import { git, reviewRepo, type ReviewRepo } from './reviewRepo';
import type { Spawned } from './server';
import { tmpDir } from './tmp';

export interface Shipper {
  repo: ReviewRepo;
  remote: string;
  chat: RpcChat;
  progress: ShipProgress[];
  output: string[];
  ship(p: Partial<ShipParams>, token?: CancellationTokenSource): Promise<ShipResult>;
}

/** A reviewed-at-base repository with commits to ship, a bare origin at the baseline, and a backend over it. */
export async function shipper(stub: OpenAIStub, live: Spawned[], opts: { remote?: boolean; commits?: number } = {}): Promise<Shipper> {
  const repo = reviewRepo({ commits: opts.commits ?? 2 });
  const remote = path.join(tmpDir('torbit-remote-'), 'origin.git');
  if (opts.remote !== false) {
    git(repo.root, 'init', '-q', '--bare', remote);
    git(repo.root, 'remote', 'add', 'origin', remote);
    git(repo.root, 'push', '-q', 'origin', `${repo.base}:refs/heads/main`);
  }
  // Ship commits (a heal, a finish): an identity even on a machine without one.
  const id = { GIT_AUTHOR_NAME: 'Ship', GIT_AUTHOR_EMAIL: 'ship@torbit.invalid', GIT_COMMITTER_NAME: 'Ship', GIT_COMMITTER_EMAIL: 'ship@torbit.invalid' };
  const chat = await openRpcChat({ ws: repo.root, baseURL: stub.baseURL, env: id }, live);
  const progress: ShipProgress[] = [];
  const output: string[] = [];
  chat.s.conn.onNotification(rpc.reviewShipProgress.method, (p: unknown) => { progress.push(ShipProgress.parse(p)); });
  chat.s.conn.onNotification(rpc.reviewShipOutput.method, (p: unknown) => { output.push(rpc.reviewShipOutput.params.parse(p).chunk); });
  return {
    repo, remote, chat, progress, output,
    ship: async (p, token) => {
      const params = { shipId: `ship-${progress.length}`, model: 'openai-compatible:qwen2.5-coder', baseUrl: stub.baseURL, ...p };
      return ShipResult.parse(await (token ? chat.s.conn.sendRequest(rpc.reviewShip.method, params, token.token) : chat.s.conn.sendRequest(rpc.reviewShip.method, params)));
    },
  };
}
