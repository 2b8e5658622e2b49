// A real backend (SQLite in a temp data dir, a real git workspace) whose chat runs on a given model.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { LanguageModel } from 'ai';
import { Backend } from '../../server/backend';
import { silentLogger } from '../../server/logger';
import { AgentSettings, type ChatEventParams, type ChatEvent } from '../../server/protocol';
import type { ModelFactory } from '../../server/agent/models';
import type { ChatDeps } from '../../server/agent/chat';
import type { ApprovalBroker } from '../../server/trust/approvals';
import { gitRepo } from './tmp';
import { until } from './until';

export interface HarnessOptions {
  model?: LanguageModel;
  modelFactory?: ModelFactory;
  settings?: Partial<AgentSettings>;
  trusted?: boolean;
  env?: NodeJS.ProcessEnv;
  files?: Record<string, string>;
  /** Who is asked when the policy asks; without one, every ask is approved up front (as --approve). */
  broker?: ApprovalBroker;
  /** Written to .torbit/policy.json; omitted: the default policy. */
  policy?: unknown;
  /** Instruction settings and the person's own AGENTS.md; omitted: the defaults, and none of the person's. */
  instructions?: ChatDeps['instructions'];
}

export async function chatHarness(o: HarnessOptions = {}) {
  const ws = gitRepo();
  for (const [f, content] of Object.entries(o.files ?? {})) {
    fs.mkdirSync(path.dirname(path.join(ws, f)), { recursive: true });
    fs.writeFileSync(path.join(ws, f), content);
  }
  if (o.policy !== undefined) {
    fs.mkdirSync(path.join(ws, '.torbit'), { recursive: true });
    fs.writeFileSync(path.join(ws, '.torbit', 'policy.json'), JSON.stringify(o.policy, null, 2));
  }
  const env = { ...(o.env ?? {}), TORBIT_DATA_DIR: '' };
  const backend = await Backend.open({ workspace: ws, dataDirSetting: '', env, log: silentLogger, mode: 'migrate' });
  const events: ChatEventParams[] = [];
  const { chat, repo } = await backend.openChat({
    trusted: o.trusted ?? true,
    settings: AgentSettings.parse(o.settings ?? {}),
    env,
    log: silentLogger,
    sink: (e) => events.push(e),
    trust: { pinnedHash: '', broker: o.broker ?? null, approveAsks: !o.broker },
    ...(o.instructions ? { instructions: o.instructions } : {}),
    modelFactory: o.modelFactory ?? (() => {
      if (!o.model) throw new Error('no model given');
      return o.model;
    }),
  });
  const kinds = (turnId?: string) => events.filter((e) => !turnId || e.turnId === turnId).map((e) => e.event.type);
  const of = <T extends ChatEvent['type']>(type: T) => events.map((e) => e.event).filter((e): e is Extract<ChatEvent, { type: T }> => e.type === type);
  const waitFor = (pred: () => boolean, ms = 10_000) => until(() => `events so far: ${kinds().join(', ')}`, pred, { ms, everyMs: 5 });
  return { ws, backend, chat, repo, events, kinds, of, until: waitFor, close: () => backend.close() };
}
