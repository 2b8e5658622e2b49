// The CLI's subcommands. Each one is a description plus a run function over the shared backend.
import type { ParseArgsConfig } from 'node:util';
import type { Backend } from '../backend';
import type { Status } from '../protocol';
import { auditCommand, verifyCommand } from './audit';
import { chatCommand } from './chat';
import { checkpointCommand } from './checkpoint';
import { replayCommand } from './replay';
import { reviewCommand } from './review';
import { shipCommand } from './ship';
import { skillsCommand } from './skills';
import { openWorkspaceBackend } from './backend';
import { EXIT, type CommandExit } from './exitCodes';

export { EXIT } from './exitCodes';

export interface CommandIo {
  cwd: string;
  env: NodeJS.ProcessEnv;
  out: (s: string) => void;
}

export interface Command {
  summary: string;
  usage: string;
  options: NonNullable<ParseArgsConfig['options']>;
  optionHelp: [string, string][];
  /** Lines after the options in --help. */
  extraHelp?: string[];
  /** Lines about the workspace at hand, after extraHelp in --help (not in docs/cli.md: they depend on the folder). */
  liveHelp?(values: Record<string, unknown>, io: CommandIo): Promise<string[]>;
  /** The exit codes this command returns, by name (the numbers are in exitCodes.ts), and when. */
  exits: CommandExit[];
  /** Takes positional arguments (e.g. chat's prompt). */
  positionals?: boolean;
  run(values: Record<string, unknown>, io: CommandIo, positionals?: string[]): Promise<number>;
}

const common = {
  json: { type: 'boolean' },
  verbose: { type: 'boolean' },
} as const;
const commonHelp: [string, string][] = [
  ['--json', 'print machine-readable JSON on stdout'],
  ['--verbose', 'log what the backend does to stderr'],
];

function open(io: CommandIo, values: Record<string, unknown>, mode: 'readonly' | 'migrate'): Promise<Backend> {
  return openWorkspaceBackend({ cwd: io.cwd, env: io.env, verbose: values.verbose === true, mode });
}

function describe(s: Status): string {
  const store = s.store.state === 'ok'
    ? `schema ${s.store.schemaVersion}${s.store.pendingMigrations ? ` (${s.store.pendingMigrations} migration(s) pending: run torbit migrate)` : ''}, journal ${s.store.journalMode}`
    : s.store.state === 'absent' ? 'none yet (torbit migrate, or opening the workspace in VS Code, creates it)'
      : `REFUSED (${s.store.code})`;
  return [
    `torbit ${s.version} (node ${s.node})`,
    `workspace:  ${s.workspace ?? '(none)'}`,
    `data dir:   ${s.dataDir} (from ${s.dataDirSource})`,
    `database:   ${s.store.path}`,
    `store:      ${store}`,
  ].join('\n');
}

/** Exit code and one-line reason for a refused store; undefined when the store is usable. */
function refusal(s: Status): string | undefined {
  return s.store.state === 'error' ? s.store.message : undefined;
}

export const COMMANDS: Record<string, Command> = {
  chat: chatCommand,
  checkpoint: checkpointCommand,
  replay: replayCommand,
  review: reviewCommand,
  ship: shipCommand,
  skills: skillsCommand,
  audit: auditCommand,
  verify: verifyCommand,
  status: {
    summary: "Show Torbit's version, data directory and database state (creates nothing)",
    usage: 'torbit status [--json] [--verbose]',
    options: common,
    optionHelp: commonHelp,
    exits: [['ok', 'the status was printed'], ['storeRefused', 'printed, and the database is refused']],
    async run(values, io) {
      const backend = await open(io, values, 'readonly');
      try {
        const s = backend.status();
        io.out(values.json ? JSON.stringify(s, null, 2) : describe(s));
        const why = refusal(s);
        if (why) throw new StoreRefused(why);
        return EXIT.ok;
      } finally {
        await backend.close();
      }
    },
  },
  migrate: {
    summary: "Create Torbit's database if needed and apply pending schema migrations",
    usage: 'torbit migrate [--json] [--verbose]',
    options: common,
    optionHelp: commonHelp,
    exits: [['ok', 'the database exists and is at the current schema'], ['storeRefused', 'the database is refused; nothing was changed']],
    async run(values, io) {
      const before = await open(io, { verbose: false }, 'readonly');
      const from = before.store.state === 'ok' ? before.store.schemaVersion : null;
      await before.close();
      const backend = await open(io, values, 'migrate');
      try {
        const s = backend.status();
        const why = refusal(s);
        if (why) throw new StoreRefused(why);
        io.out(values.json
          ? JSON.stringify({ database: s.store.path, from, to: s.schemaVersion }, null, 2)
          : from === s.schemaVersion ? `${s.store.path}: already at schema ${s.schemaVersion}` : `${s.store.path}: schema ${from ?? 'none'} -> ${s.schemaVersion}`);
        return EXIT.ok;
      } finally {
        await backend.close();
      }
    },
  },
};

export class StoreRefused extends Error {}
