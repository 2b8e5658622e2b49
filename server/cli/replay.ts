// `torbit replay <session>:<turn>`: re-runs a recorded turn from its checkpoint, in a scratch copy
// of the workspace, and reports what differs from the recording (exit 8 when something does).
import { replayTurn, resolveTurn } from '../replay/replay';
import type { ReplayReport } from '../protocol';
import { stderrLogger } from '../logger';
import { openWorkspaceBackend } from './backend';
import { readWorkspaceSettings, UsageError } from './settings';
import type { Command } from './commands';
import { EXIT } from './exitCodes';

/** The replay ran and something differs from the recording (EXIT.replayDiffers). */
export class ReplayDiffers extends Error {}

export function describeReplay(r: ReplayReport): string[] {
  const lines = [`Replay (${r.mode}) of turn ${r.turnId} from checkpoint ${r.checkpointId}:`];
  for (const c of r.toolCalls) {
    const show = (x: ReplayReport['toolCalls'][number]['recorded']) => (x ? `${x.status}: ${x.result}` : 'did not happen');
    lines.push(c.same ? `  same     ${c.tool} ${c.toolCallId}: ${show(c.recorded)}` : `  DIFFERS  ${c.tool} ${c.toolCallId}: recorded ${show(c.recorded)}; now ${show(c.replayed)}${c.recorded && c.replayed && c.recorded.output !== c.replayed.output ? ' (output differs)' : ''}`);
  }
  if (!r.filesCompared) lines.push('  files: not compared (the turn has no after-turn checkpoint)');
  else if (!r.files.length) lines.push('  files: the same as after the recorded turn');
  for (const f of r.files) lines.push(`  DIFFERS  file ${f.path}: ${f.recorded === null ? 'not there after the recorded turn' : f.replayed === null ? 'missing after the replay' : 'different content'}`);
  lines.push(r.text.same ? '  text: the same' : '  text: DIFFERS');
  lines.push(r.same ? 'The replay reproduces the turn.' : 'The replay differs from the recording.');
  return lines;
}

export const replayCommand: Command = {
  summary: 'Re-run a recorded turn from its checkpoint (in a scratch copy) and report what differs',
  usage: 'torbit replay <session>:<turn> [--live] [--approve] [--json]',
  positionals: true,
  options: { live: { type: 'boolean' }, approve: { type: 'boolean' }, json: { type: 'boolean' }, verbose: { type: 'boolean' } },
  optionHelp: [
    ['--live', 'ask the model again instead of feeding back its recorded answers'],
    ['--approve', 'approve every command the policy asks about (as torbit chat --approve); without it they are not run'],
    ['--json', 'print the report as JSON'],
    ['--verbose', 'log what the backend does to stderr'],
  ],
  extraHelp: [
    '<session> is a session id or its first characters; <turn> counts from 1 (or is a turn id).',
    'Deterministic replays feed back the recorded model output and re-run the tool calls.',
    'A command approved when the turn was recorded is judged again by the policy: what it asks about needs --approve.',
  ],
  exits: [['ok', 'the replay matches the recording'], ['failed', 'no such session or turn'], ['usage', 'a bad argument'], ['replayDiffers', 'something differs from the recording']],
  async run(values, io, positionals = []) {
    if (positionals.length !== 1) throw new UsageError('replay needs one <session>:<turn>');
    const backend = await openWorkspaceBackend({ cwd: io.cwd, env: io.env, verbose: values.verbose === true, mode: 'migrate' });
    try {
      const db = backend.requireDb();
      const turnId = await resolveTurn(db, positionals[0]!).catch((err: Error) => { throw new UsageError(err.message); });
      const checkpoints = await backend.checkpoints({ maxFileBytes: readWorkspaceSettings(io.cwd).checkpointMaxFileBytes, log: stderrLogger(values.verbose === true) });
      // Commands are judged by the workspace's policy, as in `torbit chat`: what it asks about runs
      // only with --approve (nobody can be asked here), and every decision is audited.
      const trust = backend.trust({ pinnedHash: readWorkspaceSettings(io.cwd).policyHash, broker: null, approveAsks: values.approve === true, log: stderrLogger(values.verbose === true), env: io.env });
      const r = await replayTurn({ db, checkpoints, env: io.env, trust }, turnId, values.live ? 'live' : 'deterministic');
      io.out(values.json ? JSON.stringify(r, null, 2) : describeReplay(r).join('\n'));
      if (!r.same) throw new ReplayDiffers(`the replay of turn ${turnId} differs from the recording`);
      return EXIT.ok;
    } finally {
      await backend.close();
    }
  },
};
