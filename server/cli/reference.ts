// docs/cli.md, made from the commands and the exit-code table themselves (scripts/cliReference.ts
// writes it; a unit test fails when the file and this disagree), so the reference cannot drift.
import { COMMANDS } from './commands';
import { EXIT, EXIT_CODES } from './exitCodes';

/** Text as Markdown prose: <data dir> and <session> are not HTML tags. */
const prose = (s: string) => s.replace(/</g, '&lt;').replace(/>/g, '&gt;');
/** Prose inside a table cell. */
const cell = (s: string) => prose(s).replace(/\|/g, '\\|');

export function cliReference(): string {
  const out: string[] = [
    '# `torbit` CLI reference',
    '',
    '<!-- Generated from server/cli/commands.ts and server/cli/exitCodes.ts by `node --import tsx scripts/cliReference.ts`; test/unit/cliReference.test.ts fails when it is stale. -->',
    '',
    'The headless CLI runs the same backend code as the extension, against the workspace in the current directory.',
    'The data directory is `TORBIT_DATA_DIR`, else `.vscode/settings.json`\'s `torbit.dataDir`, else `./.torbit-data`.',
    'Every command takes `-h, --help`; `torbit --version` prints the version. Errors are one line on stderr.',
    '',
    '## Exit codes',
    '',
    'One table for every command (`server/cli/exitCodes.ts`). Any command can also end with 1 (an unexpected failure) or 2 (a usage error).',
    '',
    '| code | name | meaning |',
    '| ---: | --- | --- |',
    ...EXIT_CODES.map((e) => `| ${e.code} | \`${e.name}\` | ${cell(e.meaning)} |`),
    '',
    '## Commands',
    '',
    '| command | what it does |',
    '| --- | --- |',
    ...Object.entries(COMMANDS).map(([name, c]) => `| [\`torbit ${name}\`](#torbit-${name}) | ${cell(c.summary)} |`),
  ];
  for (const [name, c] of Object.entries(COMMANDS)) {
    out.push('', `### torbit ${name}`, '', prose(c.summary), '', '```', c.usage, '```', '', '| option | meaning |', '| --- | --- |',
      ...c.optionHelp.map(([flag, what]) => `| \`${cell(flag)}\` | ${cell(what)} |`), '| `-h, --help` | show this help |');
    if (c.extraHelp?.length) out.push('', prose(c.extraHelp.join('\n')));
    out.push('', '| exit code | when |', '| ---: | --- |', ...c.exits.map(([exit, when]) => `| ${EXIT[exit]} (\`${exit}\`) | ${cell(when)} |`));
  }
  return `${out.join('\n')}\n`;
}
