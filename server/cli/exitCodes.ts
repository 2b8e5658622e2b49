// Every exit code the `torbit` CLI uses, in one place: the code returns them by name, --help and
// docs/cli.md (generated from this table and the commands) print them, so they cannot disagree.

export const EXIT_CODES = [
  { name: 'ok', code: 0, meaning: 'success' },
  { name: 'failed', code: 1, meaning: 'failed (the reason is one line on stderr)' },
  { name: 'usage', code: 2, meaning: 'usage error: an unknown command or option, a missing argument, a bad setting' },
  { name: 'storeRefused', code: 3, meaning: 'the database was refused (corrupt, foreign, or newer than this build)' },
  { name: 'budget', code: 4, meaning: 'the chat turn was stopped by the budget' },
  { name: 'verifyFailed', code: 5, meaning: 'verification failed: the audit chain or the bundle is not what it claims' },
  { name: 'packets', code: 6, meaning: 'the review bundle is above the cap and was written as packets' },
  { name: 'needsConfirmation', code: 7, meaning: 'needs confirmation (--yes) and changed nothing' },
  { name: 'replayDiffers', code: 8, meaning: 'the replay differs from the recording' },
  { name: 'skillsInvalid', code: 9, meaning: 'a skill checked is invalid (its loader codes are printed)' },
  { name: 'stopped', code: 130, meaning: 'stopped (Ctrl+C) or interrupted' },
] as const;

export type ExitName = (typeof EXIT_CODES)[number]['name'];

/** Exit codes by name: EXIT.usage is 2. */
export const EXIT = Object.freeze(Object.fromEntries(EXIT_CODES.map((e) => [e.name, e.code]))) as { readonly [K in ExitName]: Extract<(typeof EXIT_CODES)[number], { name: K }>['code'] };

/** What a command's exit code means for that command: [which, when]. */
export type CommandExit = [ExitName, string];

/** A command's exit codes as help lines: "  5  the bundle is invalid". */
export function exitHelp(exits: readonly CommandExit[]): string[] {
  return exits.map(([name, when]) => `  ${String(EXIT[name]).padEnd(3)}  ${when}`);
}
