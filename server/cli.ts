#!/usr/bin/env node
// `torbit`: the headless CLI over the same backend code the extension runs.
// Exit codes: server/cli/exitCodes.ts (docs/cli.md lists them). Errors are one line on stderr.
import { parseArgs } from 'node:util';
import { COMMANDS, StoreRefused, type Command } from './cli/commands';
import { EXIT, EXIT_CODES, exitHelp } from './cli/exitCodes';
import { VerifyFailed } from './cli/audit';
import { ChatFailed } from './cli/chat';
import { NeedsConfirmation } from './cli/checkpoint';
import { ReplayDiffers } from './cli/replay';
import { SkillsInvalid } from './cli/skills';
import { UsageError } from './cli/settings';
import { VERSION } from './version';

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((k) => k.length));
  return [
    `torbit ${VERSION}: the governed AI build workspace, headless`,
    '',
    'Usage: torbit <command> [options]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    '',
    'Options: -h, --help (also after a command), --version',
    "Runs against the workspace in the current directory. The data directory is TORBIT_DATA_DIR, else <data home>/torbit/workspaces/<name>-<hash of the folder's real path>,",
    "the data home being $XDG_DATA_HOME or ~/.local/share (~/Library/Application Support on macOS): the folder the extension uses, never inside the workspace.",
    'Exit codes (torbit <command> --help says which a command returns; docs/cli.md has them all):',
    ...EXIT_CODES.map((e) => `  ${String(e.code).padEnd(3)}  ${e.meaning}`),
  ].join('\n');
}

function commandHelp(c: Command, live: string[]): string {
  const w = Math.max(10, ...c.optionHelp.map(([f]) => f.length));
  return [c.usage, '', c.summary, '', 'Options:', ...c.optionHelp.map(([f, d]) => `  ${f.padEnd(w)}  ${d}`), `  ${'-h, --help'.padEnd(w)}  show this help`,
    ...(c.extraHelp ? ['', ...c.extraHelp] : []), ...(live.length ? ['', ...live] : []), '', 'Exit codes:', ...exitHelp(c.exits)].join('\n');
}

export async function main(argv: string[], env: NodeJS.ProcessEnv, cwd: string): Promise<number> {
  const out = (s: string) => process.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
  const fail = (code: number, reason: string) => { process.stderr.write(`torbit: ${reason.split('\n')[0]}\n`); return code; };
  const [name, ...rest] = argv;
  if (name === undefined || name === '-h' || name === '--help' || name === 'help') { out(help()); return name === undefined ? EXIT.usage : EXIT.ok; }
  if (name === '--version' || name === '-v') { out(VERSION); return EXIT.ok; }
  const cmd = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!cmd) return fail(EXIT.usage, `unknown command '${name}' (try torbit --help)`);
  let values: Record<string, unknown>;
  let positionals: string[];
  try {
    const parsed = parseArgs({ args: rest, options: { ...cmd.options, help: { type: 'boolean', short: 'h' } }, allowPositionals: cmd.positionals === true, strict: true });
    values = parsed.values;
    positionals = parsed.positionals;
  } catch (err) {
    return fail(EXIT.usage, `${name}: ${(err as Error).message}`);
  }
  if (values.help) {
    // What the workspace adds (its custom commands) is help too, but never a reason for help to fail.
    const live = await cmd.liveHelp?.(values, { cwd, env, out }).catch((err: Error) => [`(could not read the workspace: ${err.message})`]) ?? [];
    out(commandHelp(cmd, live));
    return EXIT.ok;
  }
  try {
    return await cmd.run(values, { cwd, env, out }, positionals);
  } catch (err) {
    if (err instanceof UsageError) return fail(EXIT.usage, err.message);
    if (err instanceof StoreRefused) return fail(EXIT.storeRefused, err.message);
    if (err instanceof ChatFailed) return fail(err.code, err.message);
    if (err instanceof VerifyFailed) return fail(EXIT.verifyFailed, err.message);
    if (err instanceof NeedsConfirmation) return fail(EXIT.needsConfirmation, err.message);
    if (err instanceof ReplayDiffers) return fail(EXIT.replayDiffers, err.message);
    if (err instanceof SkillsInvalid) return fail(EXIT.skillsInvalid, err.message);
    return fail(EXIT.failed, (err as Error).message);
  }
}

if (require.main === module) {
  // main answers every failure with an exit code; this handler is for a bug in main itself, which
  // would otherwise surface as an unhandled rejection and Node's stack dump.
  main(process.argv.slice(2), process.env, process.cwd()).then(
    (code) => { process.exitCode = code; },
    (err: unknown) => { process.stderr.write(`torbit: ${err instanceof Error ? err.message : String(err)}\n`); process.exitCode = EXIT.failed; },
  );
}
