// `torbit review bundle|finish`: the diff since the last reviewed commit, for the repository of
// the current directory, as one bundle or (above the cap; exit 6) as packets; and moving the
// baseline once a real review approved exactly that range.
import * as path from 'node:path';
import { ReviewError } from '../review/baseline';
import { finishReview } from '../review/finish';
import { gatePush, installGate, parsePushInput } from '../review/gate';
import { createBundle } from '../review/service';
import type { BundleResult } from '../protocol/review';
import { openWorkspaceBackend } from './backend';
import { readWorkspaceSettings, UsageError } from './settings';
import type { Command } from './commands';
import { EXIT } from './exitCodes';

export function describeBundle(r: BundleResult): string[] {
  const lines = r.files.map((f) => `  ${f.status} ${f.from ? `${f.from} -> ` : ''}${f.path}  ${f.kind === 'text' ? `+${f.added} -${f.deleted}` : f.kind === 'binary' ? 'binary, listed' : `REDACTED: ${f.reason} (${f.size ?? 0} bytes)`}${f.masked ? `  masked: ${Object.entries(f.masked).map(([w, n]) => `${w} (${n})`).join(', ')}` : ''}`);
  const where = r.mode === 'bundle'
    ? `bundle: ${r.main} (${r.bytes} bytes of diff, cap ${r.maxBytes})`
    : `above the cap (${r.bytes} bytes of diff, cap ${r.maxBytes}): ${r.packets.length} packet(s) in ${r.dir}; read ${r.main}; archive ${r.archive}`;
  return [`range ${r.range.from ?? '(first commit)'}..${r.range.to}${r.range.worktree ? ' + work tree' : ''}: ${r.files.length} file(s)`, ...lines, where];
}

export const reviewCommand: Command = {
  summary: 'Review bundles (the diff since the last reviewed commit, bounded), and moving the baseline after an approval',
  usage: 'torbit review bundle [--out DIR] [--max-bytes N] [--include-worktree] [--json] | finish [--json] | install-gate | gate <remote> [<url>]',
  positionals: true,
  options: { out: { type: 'string' }, 'max-bytes': { type: 'string' }, 'include-worktree': { type: 'boolean' }, json: { type: 'boolean' }, verbose: { type: 'boolean' } },
  optionHelp: [
    ['--out DIR', 'where to write it, inside the data directory (relative to it; default: <data dir>/reviews/<from>-<to>)'],
    ['--max-bytes N', 'the cap (default: torbit.review.maxBundleBytes, else 262144)'],
    ['--include-worktree', 'also the uncommitted changes to tracked files'],
    ['--json', 'machine-readable output'],
    ['--verbose', 'log what the backend does to stderr'],
  ],
  extraHelp: [
    'The baseline is .torbit/LAST_REVIEWED_SHA (none yet: from the first commit). Secrets (.env*, keys,',
    'files holding a private key or a token) are never included, only listed; binary files are listed.',
    'finish: moves .torbit/LAST_REVIEWED_SHA to HEAD and commits only that file, when the newest review of exactly',
    'the current range is APPROVED and not simulated; otherwise it says why and changes nothing.',
    'install-gate: a pre-push hook (where core.hooksPath says, an existing hook kept and run first) that refuses',
    'commits no approved, real review covers. gate: what the hook runs (git\'s pre-push lines on stdin).',
  ],
  exits: [
    ['ok', 'done; gate: the push is allowed'], ['failed', 'gate: the push is refused; finish: refused, nothing changed'],
    ['usage', 'no or an unknown action, a bad option'], ['packets', 'bundle: above the cap, written as packets (with a README, a manifest and a .tar.gz)'],
  ],
  async run(values, io, positionals = []) {
    const [action, ...args] = positionals;
    if (!['bundle', 'finish', 'install-gate', 'gate'].includes(action ?? '')) throw new UsageError('review needs bundle, finish, install-gate or gate');
    if (action === 'gate') {
      const [remote] = args;
      if (!remote || args.length > 2) throw new UsageError('review gate <remote> [<url>] (git runs it, with the pushed refs on stdin)');
      const input = await new Promise<string>((resolve, reject) => {
        let text = '';
        process.stdin.setEncoding('utf8');
        process.stdin.on('data', (d: string) => { text += d; });
        process.stdin.once('end', () => resolve(text));
        process.stdin.once('error', reject);
      });
      const backend = await openWorkspaceBackend({ cwd: io.cwd, env: io.env, verbose: values.verbose === true, mode: 'migrate' });
      try {
        const decision = await gatePush({ db: backend.requireDb(), audit: backend.audit() }, io.cwd, remote, parsePushInput(input));
        for (const l of decision.lines) process.stderr.write(`${l}\n`);
        return decision.allowed ? EXIT.ok : EXIT.failed;
      } finally {
        await backend.close();
      }
    }
    if (args.length) throw new UsageError(`unexpected argument ${args[0]}`);
    if (action === 'install-gate') {
      const backend = await openWorkspaceBackend({ cwd: io.cwd, env: io.env, verbose: values.verbose === true, mode: 'migrate' });
      try {
        const g = await installGate({ audit: backend.audit() }, io.cwd, { node: process.execPath, cli: path.resolve(process.argv[1] ?? __filename), dataDir: backend.dataDir.dir });
        io.out(values.json ? JSON.stringify(g, null, 2) : `push gate installed: ${g.hook}${g.chained ? ` (runs ${g.chained} first)` : ''}`);
        return EXIT.ok;
      } finally {
        await backend.close();
      }
    }
    if (action === 'finish') {
      const backend = await openWorkspaceBackend({ cwd: io.cwd, env: io.env, verbose: values.verbose === true, mode: 'migrate' });
      try {
        // A refusal (no review, blocked, simulated, another range) is exit 1 with the reason.
        const f = await finishReview({ db: backend.requireDb(), audit: backend.audit() }, io.cwd);
        io.out(values.json ? JSON.stringify(f, null, 2) : `baseline advanced to ${f.baseline.slice(0, 12)} (review ${f.reviewId}); committed as ${f.commit.slice(0, 12)}`);
        return EXIT.ok;
      } finally {
        await backend.close();
      }
    }
    const raw = values['max-bytes'] as string | undefined;
    const maxBytes = raw === undefined ? readWorkspaceSettings(io.cwd).reviewMaxBundleBytes : Number(raw);
    if (maxBytes !== undefined && (!Number.isInteger(maxBytes) || maxBytes < 1024)) throw new UsageError('--max-bytes is a whole number of bytes, at least 1024');
    const backend = await openWorkspaceBackend({ cwd: io.cwd, env: io.env, verbose: values.verbose === true, mode: 'readonly' });
    try {
      let r: BundleResult;
      try {
        r = await createBundle({ folder: io.cwd, dataDir: backend.dataDir.dir, out: values.out as string | undefined, maxBytes, includeWorktree: values['include-worktree'] === true, env: io.env });
      } catch (err) {
        if (err instanceof ReviewError) throw new UsageError(err.message);
        throw err;
      }
      io.out(values.json ? JSON.stringify(r, null, 2) : describeBundle(r).join('\n'));
      return r.mode === 'packets' ? EXIT.packets : EXIT.ok;
    } finally {
      await backend.close();
    }
  },
};
