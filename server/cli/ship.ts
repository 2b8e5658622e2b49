// `torbit ship diagnose`: whether the Expo app in the current directory can be built and
// submitted with EAS, check by check, each failing one saying what to set and where.
// `torbit ship runs` and `torbit ship log RUN`: the background runs (builds, submissions) the
// extension started, read from the database without changing it.
import { CHECK_MARK, describeSpec, type Diagnostics, type RunView } from '../protocol';
import { diagnose } from '../eas/diagnose';
import { RunRepo, type StoredRun } from '../runs/repo';
import { readRunLog } from '../runs/runLog';
import { openWorkspaceBackend } from './backend';
import { ASC, EXPO_TOKEN_ENV } from '../secrets';
import { UsageError } from './settings';
import { StoreRefused, type Command, type CommandIo } from './commands';
import { EXIT } from './exitCodes';

const STATE_MARK: Record<RunView['state'], string> = { queued: '…', running: '▶', succeeded: '✓', failed: '✗', canceled: '■' };

function view(r: StoredRun): RunView {
  const { seen: _seen, ...v } = r;
  return v;
}

export function describeRun(r: RunView): string {
  const when = (r.finishedAt ?? r.updatedAt).replace('T', ' ').slice(0, 19);
  return `${STATE_MARK[r.state]} ${r.id.slice(0, 8)}  ${when}  ${describeSpec(r.spec)}: ${r.state}, attempt ${r.attempt}/${r.maxAttempts}: ${r.error ?? r.detail}`;
}

/** The workspace's run records, read only; a database not yet made, or from before runs existed, has none. */
async function withRuns<T>(io: CommandIo, values: Record<string, unknown>, fn: (repo: RunRepo, dataDir: string) => Promise<T>, none: T): Promise<T> {
  const b = await openWorkspaceBackend({ cwd: io.cwd, env: io.env, verbose: values.verbose === true, mode: 'readonly' });
  try {
    if (b.store.state === 'absent') return none;
    if (b.store.state === 'error') throw new StoreRefused(b.store.message);
    const db = b.requireDb();
    if (!(await db.get("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'background_runs'"))) return none;
    return await fn(new RunRepo(db), b.dataDir.dir);
  } finally {
    await b.close();
  }
}

async function runs(values: Record<string, unknown>, io: CommandIo): Promise<number> {
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit is a whole number from 1 to 1000');
  const list = await withRuns(io, values, async (repo) => (await repo.list(limit)).map(view), []);
  if (values.json) io.out(JSON.stringify(list, null, 2));
  else io.out(list.length ? list.map(describeRun).join('\n') : 'no EAS runs yet (start one from VS Code: "Torbit: EAS: Build iOS" and the like)');
  return EXIT.ok;
}

async function log(values: Record<string, unknown>, io: CommandIo, id: string): Promise<number> {
  const found = await withRuns(io, values, async (repo, dataDir) => {
    const run = await repo.find(id);
    return run ? { run: view(run), ...(await readRunLog(repo, dataDir, run.id)) } : undefined;
  }, undefined);
  if (!found) throw new Error(`there is no background run ${id} (torbit ship runs lists them)`);
  if (values.json) {
    io.out(JSON.stringify(found, null, 2));
  } else {
    io.out([describeRun(found.run), found.text.trimEnd() || '(nothing logged yet)', `events: ${found.events.map((e) => e.name.replace('background_run.', '')).join(' → ') || 'none'}`].join('\n'));
  }
  return EXIT.ok;
}


export function describeDiagnostics(d: Diagnostics): string[] {
  const fails = d.checks.filter((c) => c.state === 'fail').length;
  const warns = d.checks.filter((c) => c.state === 'warn').length;
  const lines = [`EAS pipeline ${CHECK_MARK[d.state]} ${d.root}${fails || warns ? ` (${[fails && `${fails} failing`, warns && `${warns} warning(s)`].filter(Boolean).join(', ')})` : ''}`];
  for (const c of d.checks) {
    lines.push(`${CHECK_MARK[c.state]} ${c.title}: ${c.detail}`);
    if (c.fix) lines.push(`    → ${c.fix}`);
  }
  return lines;
}

export const shipCommand: Command = {
  summary: 'EAS shipping: check whether this Expo app can be built and submitted; list builds and submissions',
  usage: 'torbit ship diagnose [--json] | runs [--limit N] [--json] | log RUN [--json]',
  positionals: true,
  options: { json: { type: 'boolean' }, limit: { type: 'string' }, verbose: { type: 'boolean' } },
  optionHelp: [['--json', 'machine-readable output'], ['--limit N', 'runs: how many, newest first (default 20)'], ['--verbose', 'log what the backend does to stderr']],
  extraHelp: [
    'diagnose checks: an Expo project (app.json or app.config.*, and expo in package.json), eas.json with build and submit',
    `profiles, eas-cli (the project's devDependency or on PATH) and its version, ${EXPO_TOKEN_ENV}, iOS submit credentials`,
    `(${ASC.password} with EXPO_APPLE_ID, or ${ASC.keyPath}, ${ASC.keyId} and`,
    `${ASC.issuerId}) and the Android service account key; warnings do not fail it.`,
    'runs lists the builds and submissions started from VS Code; log RUN (its id, or the first 8 characters',
    'runs shows) prints its eas-cli output and product events.',
  ],
  exits: [['ok', 'done; diagnose: no check failed'], ['failed', 'diagnose: a check failed; log: no such run'], ['usage', 'no or an unknown action'], ['storeRefused', 'the database is refused']],
  async run(values, io, positionals = []) {
    const [action, ...rest] = positionals;
    switch (action) {
      case 'diagnose': {
        if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
        // The person ran this in the folder themselves: as trusted as `torbit chat` there.
        const d = await diagnose(io.cwd, io.env, { trusted: true });
        io.out(values.json ? JSON.stringify(d, null, 2) : describeDiagnostics(d).join('\n'));
        return d.state === 'fail' ? EXIT.failed : EXIT.ok;
      }
      case 'runs':
        if (rest.length) throw new UsageError(`unexpected argument ${rest[0]}`);
        return runs(values, io);
      case 'log':
        if (rest.length !== 1) throw new UsageError('ship log needs one run id (torbit ship runs lists them)');
        return log(values, io, rest[0]!);
      default:
        throw new UsageError(`ship needs an action: diagnose, runs or log${action ? ` (not ${action})` : ''}`);
    }
  },
};
