// `torbit chat "prompt"`: one turn, headless, through the same chat service the extension uses.
// Text streams to stdout; tool events go to stderr (or everything as JSON lines with --json).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { loadCustomCommands } from '../agent/commands/customCommands';
import { Workspace } from '../agent/workspace';
import { Backend } from '../backend';
import { stderrLogger } from '../logger';
import { PROVIDERS, type ChatEventParams, type TurnStatus } from '../protocol';
import { GENERIC_KEY_ENV, KEY_ENV } from '../secrets';
import { tellNotices, warnIgnored } from './backend';
import { PolicyAcceptances } from '../trust/acceptances';
import { acceptPolicy, PolicyAcceptError, pendingMessage } from '../trust/policyAcceptance';
import { readWorkspaceSettings, UsageError } from './settings';
import { personalInstructionFiles } from '../agent/instructions/personal';
import type { Command } from './commands';
import { EXIT } from './exitCodes';

export const CHAT_EXIT: Record<TurnStatus, number> = {
  done: EXIT.ok, 'step-limit': EXIT.ok, error: EXIT.failed, budget: EXIT.budget, canceled: EXIT.stopped, interrupted: EXIT.stopped, running: EXIT.failed,
};

function modelRef(values: Record<string, unknown>, fallback: string | undefined): string {
  const provider = values.provider as string | undefined;
  const model = values.model as string | undefined;
  if (provider && !(PROVIDERS as readonly string[]).includes(provider)) throw new UsageError(`--provider must be one of ${PROVIDERS.join(', ')}`);
  if (model && model.includes(':') && !provider && (PROVIDERS as readonly string[]).some((p) => model.startsWith(`${p}:`))) return model;
  if (provider && model) return `${provider}:${model}`;
  const base = fallback ?? 'openai:gpt-4.1-mini';
  if (provider) throw new UsageError(`--provider ${provider} needs --model too`);
  if (model) return `${base.slice(0, base.indexOf(':'))}:${model}`;
  return base;
}

export const chatCommand: Command = {
  summary: 'Run one chat turn headless: stream the answer and the tool events',
  usage: 'torbit chat "prompt" [--workspace DIR] [--provider openai|anthropic|google|openai-compatible] [--model M] [--base-url URL] [--session ID] [--approve] [--accept-policy SHA256] [--json] [--verbose]',
  options: {
    workspace: { type: 'string' },
    provider: { type: 'string' },
    model: { type: 'string' },
    'base-url': { type: 'string' },
    session: { type: 'string' },
    approve: { type: 'boolean' },
    'accept-policy': { type: 'string' },
    json: { type: 'boolean' },
    verbose: { type: 'boolean' },
  },
  positionals: true,
  optionHelp: [
    ['--workspace DIR', 'the workspace (default: the current directory)'],
    ['--provider P', 'openai, anthropic, google or openai-compatible'],
    ['--model M', 'the model id, or provider:model (default: torbit.model, else openai:gpt-4.1-mini)'],
    ['--base-url URL', 'for openai-compatible: the server, e.g. http://127.0.0.1:11434/v1 (the default); a workspace\'s torbit.openaiCompatible.baseUrl is ignored'],
    ['--session ID', 'continue a session instead of starting one'],
    ['--approve', 'approve up front whatever the policy asks about (dev mode only); without it, asks are rejected'],
    ['--accept-policy SHA256', 'accept the workspace\'s .torbit/policy.json with this sha256, although it loosens the built-in default (recorded in the audit log)'],
    ['--json', 'print every event as a JSON line on stdout'],
    ['--verbose', 'log what the backend does to stderr'],
  ],
  extraHelp: [
    `The key comes from the provider's variable (${Object.values(KEY_ENV).slice(0, 2).join(', ')},`,
    `${Object.values(KEY_ENV).slice(2).join(', ')}) or ${GENERIC_KEY_ENV}.`,
    'The policy (.torbit/policy.json, else the default) judges every tool call; nobody can be',
    'asked in a headless run, so what it asks about is rejected unless --approve is given.',
    'A policy file that loosens the built-in default applies only once accepted (--accept-policy);',
    'until then the built-in default is in force, and the run says so.',
    'A prompt "/name [arguments]" runs the workspace\'s custom command .torbit/commands/name.md:',
    'its prompt, with $ARGUMENTS replaced by the arguments, is what the model is asked.',
    'The turn follows the workspace\'s instruction files (AGENTS.md, nested ones as it works in their',
    'folders, .torbit/rules/*.md, CLAUDE.md, .github/copilot-instructions.md, .clinerules) and',
    '~/.agents/AGENTS.md, within torbit.instructions.maxTokens; stderr names them ("≡ instructions:").',
  ],
  async liveHelp(values, io) {
    const dir = path.resolve(io.cwd, (values.workspace as string | undefined) ?? '.');
    if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) return [];
    const { commands, problems } = await loadCustomCommands(await Workspace.open([dir]));
    const w = Math.max(0, ...commands.map((c) => `/${c.name}${c.argumentHint ? ` ${c.argumentHint}` : ''}`.length));
    return [
      commands.length ? `Custom commands in ${dir}:` : `No custom commands in ${dir} (add .torbit/commands/<name>.md).`,
      ...commands.map((c) => `  ${`/${c.name}${c.argumentHint ? ` ${c.argumentHint}` : ''}`.padEnd(w)}  ${c.description ?? c.path}`),
      ...problems.map((p) => `  (${p.path} is not used: ${p.error})`),
    ];
  },
  exits: [
    ['ok', 'the turn is done (or reached the step limit)'], ['failed', 'the turn failed'], ['usage', 'a bad option, prompt or setting'],
    ['storeRefused', 'the database is refused'], ['budget', 'stopped by the budget'], ['stopped', 'stopped (Ctrl+C)'],
  ],
  async run(values, io, positionals = []) {
    const prompt = positionals.join(' ').trim();
    if (!prompt) throw new UsageError('chat needs a prompt: torbit chat "what to do"');
    const workspace = path.resolve(io.cwd, (values.workspace as string | undefined) ?? '.');
    if (!fs.existsSync(workspace) || !fs.statSync(workspace).isDirectory()) throw new UsageError(`--workspace ${workspace} is not a directory`);
    const settings = readWorkspaceSettings(workspace);
    const model = modelRef(values, settings.model);
    const log = stderrLogger(values.verbose === true);
    warnIgnored(settings.ignored);
    const backend = await Backend.open({ workspace, dataDirSetting: settings.dataDir, environmentSetting: settings.environment, env: io.env, log, mode: 'migrate' });
    try {
      const approveAsks = values.approve === true;
      if (approveAsks && backend.environment !== 'dev') throw new UsageError(`--approve approves everything the policy asks about, and is refused in ${backend.environment} mode`);
      const accept = values['accept-policy'] as string | undefined;
      if (accept !== undefined) {
        const acceptances = PolicyAcceptances.forUser(io.env);
        const r = await acceptPolicy({
          root: workspace, pinnedHash: settings.policyHash, environment: backend.environment, acceptances,
          audit: backend.audit(), sha256: accept, via: 'torbit chat --accept-policy',
        }).catch((err: Error) => { throw err instanceof PolicyAcceptError ? new UsageError(`--accept-policy: ${err.message}`) : err; });
        process.stderr.write(`torbit: accepted .torbit/policy.json (sha256 ${r.hash}) for ${workspace}; recorded in the audit log and in ${acceptances.file}\n`);
      }
      const json = values.json === true;
      let atLineStart = true;
      const sink = (p: ChatEventParams) => {
        if (json) { io.out(JSON.stringify(p)); return; }
        const e = p.event;
        const err = (s: string) => process.stderr.write(`${atLineStart ? '' : '\n'}${s}\n`);
        switch (e.type) {
          case 'text-delta':
            process.stdout.write(e.text);
            atLineStart = e.text.endsWith('\n');
            break;
          case 'instructions': {
            const i = e.instructions;
            if (i.files.length) err(`≡ instructions: ${i.files.map((f) => f.path).join(', ')}`);
            for (const l of i.leftOut) err(`  left out ${l.path}: ${l.reason}`);
            if (i.restricted) err('  repository instructions not read: the workspace is untrusted');
            atLineStart = true;
            break;
          }
          case 'tool-start': err(`⚙ ${e.card.tool} ${e.card.summary}`); atLineStart = true; break;
          case 'tool-end': err(`  ${e.card.status === 'ok' ? '✓' : e.card.status === 'rejected' ? '⊘' : '✗'} ${e.card.result ?? e.card.status}`); atLineStart = true; break;
          case 'usage': break;
          case 'turn-end': {
            if (!atLineStart) process.stdout.write('\n');
            break;
          }
          default: break;
        }
      };
      const { chat, repo, trust } = await backend.openChat({
        trusted: true, settings: settings.agent, env: io.env, log, sink,
        instructions: { settings: settings.instructions, personal: personalInstructionFiles(undefined, io.env) },
        trust: { pinnedHash: settings.policyHash, broker: null, approveAsks },
      });
      tellNotices(backend);
      // A repository's loosening policy is not applied until accepted: say so before the turn runs.
      const pending = trust.policy().pending;
      if (pending) process.stderr.write(`torbit: ${pendingMessage(pending)}\n`);
      const { turnId, done, sessionId } = await chat.send({
        sessionId: values.session as string | undefined, text: prompt, model,
        baseUrl: values['base-url'] as string | undefined,
      });
      const onSigint = () => chat.stop(turnId);
      process.once('SIGINT', onSigint);
      const status = await done;
      process.removeListener('SIGINT', onSigint);
      if (!json) {
        const [turn] = (await repo.transcript(sessionId)).slice(-1);
        if (turn?.error) throw new ChatFailed(CHAT_EXIT[status], turn.error.message);
        const u = turn?.usage;
        process.stderr.write(`— ${status}; ${u ? `${u.inputTokens + u.outputTokens} tokens${u.costUsd !== null ? `, $${u.costUsd.toFixed(4)}` : ''}` : ''}; session ${sessionId}\n`);
      }
      return CHAT_EXIT[status];
    } finally {
      await backend.close();
    }
  },
};

/** A turn that ended in an error: its message becomes the CLI's one-line reason. */
export class ChatFailed extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}
