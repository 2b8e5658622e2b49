// The fake eas-cli is only worth its tests if it behaves like the real one where Torbit touches it.
// Checked here against the real eas-cli (pinned, cached): the same flags as its --help, the same
// help text, Torbit's exact command lines accepted by both, and the same failures (a bad flag, no
// login) on the same streams with the same exit codes.
import * as assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { argv } from '../../server/eas/easCommands';
import { FAKE_EAS_DIR } from '../support/easRuns';
import { EAS_CLI, easCliBin, expoApp } from '../support/expo';
import { tmpDir } from '../support/tmp';

interface FlagSpec { char?: string; bool?: boolean; allowNo?: boolean; options?: string[]; multiple?: boolean }
// eslint-disable-next-line @typescript-eslint/no-require-imports
const fake = require(path.join(FAKE_EAS_DIR, 'eas')) as { COMMANDS: Record<string, { args: number; flags: Record<string, FlagSpec> }>; VERSION: string };
const FAKE = path.join(FAKE_EAS_DIR, 'eas');
const COMMANDS = ['build', 'build:view', 'build:cancel', 'build:list', 'submit', 'submit:view', 'submit:cancel'];

interface Ran { code: number | null; stdout: string; stderr: string }
function run(bin: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Ran> {
  return new Promise((resolve) => {
    const clean = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(EXPO_|EAS_|CI$)/.test(k)));
    execFile(bin, args, { cwd, env: { ...clean, EXPO_NO_TELEMETRY: '1', ...env }, timeout: 120_000 }, (err, stdout, stderr) => {
      // npm's own warnings (a user config it does not know) are not eas-cli's output.
      const code = err ? (typeof err.code === 'number' ? err.code : null) : 0;
      resolve({ code, stdout, stderr: stderr.split('\n').filter((l) => !/^npm warn /.test(l)).join('\n') });
    });
  });
}

/** The flags a --help's FLAGS section lists: name, char, boolean or not, --[no-], and options. */
function helpFlags(help: string): Record<string, FlagSpec> {
  const section = help.split(/\n(?=[A-Z]+\n)/).find((s) => s.startsWith('FLAGS\n'));
  assert.ok(section, `a FLAGS section in\n${help}`);
  const out: Record<string, FlagSpec> = {};
  let last: FlagSpec | undefined;
  let options: string | undefined;
  for (const line of section.split('\n').slice(1)) {
    const m = /^\s+(?:-(\w), )?--(\[no-\])?([\w-]+)(=\S+)?(\.\.\.)?/.exec(line);
    if (m) {
      last = { ...(m[1] ? { char: m[1] } : {}), ...(m[4] ? {} : { bool: true }), ...(m[2] ? { allowNo: true } : {}), ...(m[5] || m[4]?.endsWith('...') ? { multiple: true } : {}) };
      out[m[3]!] = last;
    }
    const text = line.trim();
    const at = text.indexOf('<options: ');
    if (at >= 0) options = text.slice(at + '<options: '.length);
    else if (options !== undefined) options += text.split(/\s{2,}/).pop();
    if (options?.includes('>') && last) {
      last.options = options.slice(0, options.indexOf('>')).split('|');
      options = undefined;
    }
  }
  return out;
}

describe('the fake eas-cli against the real one', function () {
  this.timeout(300_000);
  let real: string;
  let app: string;
  let state: string;
  before(() => {
    real = easCliBin();
    app = expoApp();
    fs.writeFileSync(path.join(app, 'eas.json'), JSON.stringify({ build: { production: {} }, submit: { production: {} } }));
    state = tmpDir('torbit-fake-eas-');
  });

  it(`accepts exactly the flags eas-cli ${EAS_CLI.version}'s --help lists for the commands Torbit runs, and prints the same help`, async () => {
    const helps = await Promise.all(COMMANDS.map((c) => run(real, [c, '--help'], app)));
    assert.deepEqual(Object.keys(fake.COMMANDS).sort(), [...COMMANDS].sort());
    for (const [i, c] of COMMANDS.entries()) {
      const h = helps[i]!;
      assert.equal(h.code, 0, h.stderr);
      const want = helpFlags(h.stdout);
      const have = Object.fromEntries(Object.entries(fake.COMMANDS[c]!.flags).map(([k, f]) => [k, {
        ...(f.char ? { char: f.char } : {}), ...(f.bool ? { bool: true } : {}), ...(f.allowNo ? { allowNo: true } : {}), ...(f.multiple ? { multiple: true } : {}), ...(f.options ? { options: f.options } : {}),
      }]));
      assert.deepEqual(have, want, `eas ${c}`);
      assert.ok(Object.keys(want).length > 0);
      const copy = fs.readFileSync(path.join(FAKE_EAS_DIR, 'help', `${c.replace(':', '-')}.txt`), 'utf8');
      assert.equal(copy.trimEnd(), h.stdout.trimEnd(), `the fake's copy of eas ${c} --help`);
      assert.equal((await run(FAKE, [c, '--help'], app)).stdout.trimEnd(), h.stdout.trimEnd());
    }
    const version = await run(real, ['--version'], app);
    assert.match(version.stdout, new RegExp(`^eas-cli/${fake.VERSION.replace(/\./g, '\\.')} `));
    assert.match((await run(FAKE, ['--version'], app)).stdout, new RegExp(`^eas-cli/${fake.VERSION.replace(/\./g, '\\.')} ${process.platform}-${process.arch} node-v`));
  });

  it('Torbit\'s exact command lines get past the real parser (to the login), and the fake fails them the same way without a token', async () => {
    const id = '0c9a1e57-6f3b-4d28-a1c4-9e8b7a6d5c4b';
    const lines = [
      argv.build('ios', 'production'), argv.build('android', 'production'), argv.buildView(id), argv.cancel('build', id), argv.buildList('ios', 10),
      argv.submit('android', id, 'production', false), argv.submit('ios', id, 'production', true), argv.submitView(id), argv.cancel('submit', id),
    ];
    const reals = await Promise.all(lines.map((a) => run(real, a, app)));
    for (const [i, a] of lines.entries()) {
      const r = reals[i]!;
      const f = await run(FAKE, a, app, { FAKE_EAS_STATE: state });
      const all = `${r.stdout}${r.stderr}`;
      assert.doesNotMatch(all, /Nonexistent flag|Expected --|See more help with --help|Unexpected argument/, `real eas ${a.join(' ')}`);
      assert.match(all, /An Expo user account is required to proceed\./, `real eas ${a.join(' ')} reached the login`);
      assert.equal(f.code, r.code, `exit of ${a.join(' ')}`);
      assert.equal(f.stdout, r.stdout, `stdout of ${a.join(' ')}`);
      assert.equal(f.stderr.trim(), r.stderr.trim(), `stderr of ${a.join(' ')}`);
    }
  });

  it('refuses what the real one refuses, with the same words: an unknown flag, a bad option, --json on submit', async () => {
    const cases = [
      ['build', '--platform', 'ios', '--bogus'],
      ['build', '--platform', 'web'],
      ['submit', '--platform', 'ios', '--json'],
      ['build:view', 'a', 'b'],
      ['submit:cancel', 'a', '--platform', 'ios'],
      ['submit:cancel', '--non-interactive'],
    ];
    const reals = await Promise.all(cases.map((a) => run(real, a, app)));
    for (const [i, a] of cases.entries()) {
      const r = reals[i]!;
      const f = await run(FAKE, a, app, { FAKE_EAS_STATE: state });
      assert.equal(r.code, 1, `${a.join(' ')}: ${r.stdout}${r.stderr}`);
      assert.deepEqual({ code: f.code, stdout: f.stdout, stderr: f.stderr.trim() }, { code: r.code, stdout: r.stdout, stderr: r.stderr.trim() }, a.join(' '));
    }
  });
});
