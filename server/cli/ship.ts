// `torbit ship diagnose`: whether the Expo app in the current directory can be built and
// submitted with EAS, check by check, each failing one saying what to set and where.
import { CHECK_MARK, type Diagnostics } from '../protocol';
import { diagnose } from '../eas/diagnose';
import { UsageError } from './settings';
import { EXIT, type Command } from './commands';


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
  summary: 'EAS shipping: check whether this Expo app can be built and submitted',
  usage: 'torbit ship diagnose [--json]',
  positionals: true,
  options: { json: { type: 'boolean' } },
  optionHelp: [['--json', 'machine-readable output']],
  extraHelp: [
    'Checks: an Expo project (app.json or app.config.*, and expo in package.json), eas.json with build and submit',
    'profiles, eas-cli (the project\'s devDependency or on PATH) and its version, EXPO_TOKEN, iOS submit credentials',
    '(EXPO_APPLE_APP_SPECIFIC_PASSWORD with EXPO_APPLE_ID, or EXPO_ASC_API_KEY_PATH, EXPO_ASC_KEY_ID and',
    'EXPO_ASC_ISSUER_ID) and the Android service account key. Exit code 1 when a check fails; warnings exit 0.',
  ],
  async run(values, io, positionals = []) {
    const [action, ...rest] = positionals;
    if (action !== 'diagnose' || rest.length) throw new UsageError('ship needs diagnose');
    const d = await diagnose(io.cwd, io.env);
    io.out(values.json ? JSON.stringify(d, null, 2) : describeDiagnostics(d).join('\n'));
    return d.state === 'fail' ? EXIT.failed : EXIT.ok;
  },
};
