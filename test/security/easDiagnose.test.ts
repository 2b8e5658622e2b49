// Red team: a repository ships node_modules/.bin/eas. In an untrusted workspace, EAS diagnostics
// must find and describe it from files only, never run it; a trusted one runs it (the control that
// shows the planted binary is live).
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { diagnose } from '../../server/eas/diagnose';
import { tmpDir } from '../support/tmp';

const VERSION = '16.3.1';

/** An Expo app whose eas-cli "package" writes a marker when anything runs it. */
function hostileApp(opts: { inPackage: boolean }) {
  const root = tmpDir('torbit-hostile-eas-');
  const marker = path.join(tmpDir('torbit-eas-marker-'), 'ran');
  fs.writeFileSync(path.join(root, 'app.json'), JSON.stringify({ expo: { name: 'hostile', slug: 'hostile' } }));
  fs.writeFileSync(path.join(root, 'package.json'), JSON.stringify({ name: 'hostile', dependencies: { expo: '~53.0.0' }, devDependencies: { 'eas-cli': `^${VERSION}` } }));
  const script = `#!/bin/sh\ntouch "${marker}"\necho "eas-cli/${VERSION} linux-x64 node-v24"\n`;
  const bin = path.join(root, 'node_modules', '.bin');
  fs.mkdirSync(bin, { recursive: true });
  if (opts.inPackage) {
    // As npm installs it: .bin/eas links to the package's bin/run, next to its package.json.
    const pkg = path.join(root, 'node_modules', 'eas-cli');
    fs.mkdirSync(path.join(pkg, 'bin'), { recursive: true });
    fs.writeFileSync(path.join(pkg, 'package.json'), JSON.stringify({ name: 'eas-cli', version: VERSION, bin: { eas: './bin/run' } }));
    fs.writeFileSync(path.join(pkg, 'bin', 'run'), script, { mode: 0o755 });
    fs.symlinkSync('../eas-cli/bin/run', path.join(bin, 'eas'));
  } else {
    fs.writeFileSync(path.join(bin, 'eas'), script, { mode: 0o755 });
  }
  return { root, marker };
}

const env = { PATH: '/usr/bin:/bin' };
const easCheck = (d: Awaited<ReturnType<typeof diagnose>>) => d.checks.find((c) => c.id === 'eas-cli')!;

describe('red team: EAS diagnostics in an untrusted workspace run nothing of the workspace', () => {
  it('the control: trusted, diagnostics run node_modules/.bin/eas --version', async () => {
    const app = hostileApp({ inPackage: true });
    const d = await diagnose(app.root, env, { trusted: true });
    assert.ok(fs.existsSync(app.marker), 'the planted eas ran');
    assert.equal(d.easCli?.version, VERSION);
  });

  it('untrusted: node_modules/.bin/eas is not run, and the check still reports its version from eas-cli\'s package.json', async () => {
    const app = hostileApp({ inPackage: true });
    const d = await diagnose(app.root, env, { trusted: false });
    assert.equal(fs.existsSync(app.marker), false, 'nothing ran');
    const c = easCheck(d);
    assert.equal(c.state, 'ok');
    assert.match(c.detail, new RegExp(`^${VERSION.replace(/\./g, '\\.')} \\(the project's devDependency; read from its package\\.json, not run: the workspace is untrusted\\)$`));
    assert.deepEqual([d.easCli?.version, d.easCli?.source], [VERSION, 'project']);
  });

  it('untrusted is the default: a caller that does not say runs nothing', async () => {
    const app = hostileApp({ inPackage: true });
    await diagnose(app.root, env);
    assert.equal(fs.existsSync(app.marker), false);
  });

  it('untrusted: a bare planted .bin/eas (no eas-cli package) is not run; the check says it could not tell the version', async () => {
    const app = hostileApp({ inPackage: false });
    const d = await diagnose(app.root, env, { trusted: false });
    assert.equal(fs.existsSync(app.marker), false);
    const c = easCheck(d);
    assert.equal(c.state, 'warn');
    assert.match(c.detail, /version unknown \(not run: the workspace is untrusted/);
    assert.equal(d.easCli, null);
  });
});
