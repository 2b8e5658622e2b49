// `torbit ship diagnose` on a real Expo app (expo-template-blank from the registry) with the real
// eas-cli as its devDependency, for each credential variant, valid and broken.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResponseError } from 'vscode-jsonrpc/node';
import { Diagnostics, EasJsonProposal, rpc, type CheckId } from '../../server/protocol';
import { torbit } from '../support/cli';
import { initialize, shutdown, spawnServer, type Spawned } from '../support/server';
import { ascKey, EAS_CLI, easCliBin, expoApp, expoTemplate, serviceAccountJson } from '../support/expo';
import { tmpDir } from '../support/tmp';

const EAS_DEFAULT = { cli: { appVersionSource: 'remote' }, build: { development: { developmentClient: true, distribution: 'internal' }, preview: { distribution: 'internal' }, production: { autoIncrement: true } }, submit: { production: {} } };
const TOKEN = 'expo_token_0123456789abcdef';
const PASSWORD = 'abcd-efgh-ijkl-mnop';

/** The machine's environment without any credential of its own. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(EXPO_|ASC_|APPLE_|GOOGLE_SERVICE_)/.test(k)));
}

function diagnose(cwd: string, env: NodeJS.ProcessEnv = {}, json = true) {
  const r = torbit(cwd, ['ship', 'diagnose', ...(json ? ['--json'] : [])], env, cleanEnv());
  return { ...r, d: json && r.out ? Diagnostics.parse(JSON.parse(r.out)) : undefined };
}

const check = (d: Diagnostics | undefined, id: CheckId) => {
  const c = d?.checks.find((x) => x.id === id);
  assert.ok(c, `check ${id} in ${JSON.stringify(d)}`);
  return c;
};

describe('torbit ship diagnose on a real Expo app', function () {
  this.timeout(300_000);
  before(function () {
    // The first run fetches the template and eas-cli into the cache; later runs reuse them.
    expoTemplate();
    easCliBin();
  });

  it('a fresh app: every missing piece fails or warns, each saying what to set and where (exit 1)', () => {
    const app = expoApp();
    const r = diagnose(app);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.d!.expo, true);
    assert.equal(r.d!.state, 'fail');
    assert.deepEqual(r.d!.checks.map((c) => `${c.id}:${c.state}`), ['expo-project:ok', 'eas-json:fail', 'eas-cli:fail', 'expo-token:fail', 'ios-credentials:warn', 'android-credentials:warn']);
    assert.match(check(r.d, 'expo-project').detail, /^app\.json, expo ~58\./);
    assert.match(check(r.d, 'eas-json').fix!, /Create eas\.json/);
    assert.match(check(r.d, 'eas-cli').fix!, /npm install --save-dev eas-cli/);
    assert.match(check(r.d, 'expo-token').fix!, /Torbit: Set Expo Token.*or set EXPO_TOKEN in the environment/);
    assert.match(check(r.d, 'ios-credentials').fix!, /EXPO_APPLE_APP_SPECIFIC_PASSWORD with EXPO_APPLE_ID, or the App Store Connect API key trio EXPO_ASC_API_KEY_PATH, EXPO_ASC_KEY_ID and EXPO_ASC_ISSUER_ID/);
    assert.match(check(r.d, 'android-credentials').fix!, /GOOGLE_SERVICE_ACCOUNT_KEY_PATH/);
    // The human form: a mark per check and the fix under each.
    const text = diagnose(app, {}, false);
    assert.equal(text.code, 1);
    assert.match(text.out, /^EAS pipeline ✗ .* \(3 failing, 2 warning\(s\)\)\n✓ Expo project: app\.json/);
    assert.match(text.out, /\n✗ eas\.json: missing\n {4}→ Run "Torbit: Pipeline Diagnostics"/);
    assert.match(text.out, /\n⚠ iOS submit credentials: none set/);
  });

  it('all set (app-specific password, a service account file, eas-cli as a devDependency): all pass, the real eas-cli version is reported, no secret is printed', () => {
    const app = expoApp({ easCli: true });
    fs.writeFileSync(path.join(app, 'eas.json'), JSON.stringify(EAS_DEFAULT, null, 2));
    const keyFile = path.join(tmpDir(), 'play.json');
    fs.writeFileSync(keyFile, serviceAccountJson());
    const r = diagnose(app, { EXPO_TOKEN: TOKEN, EXPO_APPLE_APP_SPECIFIC_PASSWORD: PASSWORD, EXPO_APPLE_ID: 'dev@example.com', GOOGLE_SERVICE_ACCOUNT_KEY_PATH: keyFile });
    assert.equal(r.code, 0, r.out);
    assert.equal(r.d!.state, 'ok', JSON.stringify(r.d!.checks.filter((c) => c.state !== 'ok')));
    assert.deepEqual(r.d!.easCli && { version: r.d!.easCli.version, source: r.d!.easCli.source }, { version: EAS_CLI.version, source: 'project' });
    assert.equal(check(r.d, 'eas-cli').detail, `${EAS_CLI.version} (the project's devDependency)`);
    assert.equal(check(r.d, 'ios-credentials').detail, 'an app-specific password with EXPO_APPLE_ID');
    assert.match(check(r.d, 'android-credentials').detail, /^GOOGLE_SERVICE_ACCOUNT_KEY_PATH: .*play\.json \(play-publisher@torbit-test\.iam\.gserviceaccount\.com\)$/);
    const text = diagnose(app, { EXPO_TOKEN: TOKEN, EXPO_APPLE_APP_SPECIFIC_PASSWORD: PASSWORD, EXPO_APPLE_ID: 'dev@example.com', GOOGLE_SERVICE_ACCOUNT_KEY_PATH: keyFile }, false);
    assert.match(text.out, /^EAS pipeline ✓ /);
    for (const secret of [TOKEN, PASSWORD, 'BEGIN PRIVATE KEY']) assert.ok(!r.out.includes(secret) && !text.out.includes(secret), secret);
  });

  it('iOS: the App Store Connect key trio, under eas-cli\'s names or the seed\'s; a broken trio and a malformed password fail with each problem named', () => {
    const app = expoApp();
    const key = ascKey(tmpDir());
    for (const names of [['EXPO_ASC_API_KEY_PATH', 'EXPO_ASC_KEY_ID', 'EXPO_ASC_ISSUER_ID'], ['ASC_API_KEY_PATH', 'ASC_API_KEY_ID', 'ASC_API_KEY_ISSUER_ID']]) {
      const ok = check(diagnose(app, { [names[0]!]: key.path, [names[1]!]: key.keyId, [names[2]!]: key.issuerId }).d, 'ios-credentials');
      assert.deepEqual([ok.state, ok.detail], ['ok', 'an App Store Connect API key (EXPO_ASC_API_KEY_PATH, EXPO_ASC_KEY_ID, EXPO_ASC_ISSUER_ID)'], names.join());
    }
    const notP8 = path.join(tmpDir(), 'key.pem');
    fs.writeFileSync(notP8, 'not a key');
    const broken = check(diagnose(app, { EXPO_ASC_API_KEY_PATH: notP8, EXPO_ASC_KEY_ID: 'abc123', EXPO_ASC_ISSUER_ID: 'not-a-uuid' }).d, 'ios-credentials');
    assert.equal(broken.state, 'fail');
    assert.match(broken.detail, /EXPO_ASC_API_KEY_PATH: .*key\.pem is not an App Store Connect \.p8 key; EXPO_ASC_KEY_ID must be the key's id .*; EXPO_ASC_ISSUER_ID must be the issuer id from App Store Connect \(a UUID\)/);
    const missing = check(diagnose(app, { EXPO_ASC_API_KEY_PATH: path.join(tmpDir(), 'gone.p8'), EXPO_ASC_KEY_ID: key.keyId }).d, 'ios-credentials');
    assert.match(missing.detail, /gone\.p8 does not exist; EXPO_ASC_ISSUER_ID is not set/);
    const password = check(diagnose(app, { APPLE_APP_SPECIFIC_PASSWORD: 'ABCD-EFGH-IJKL-MNOP' }).d, 'ios-credentials');
    assert.equal(password.state, 'fail');
    assert.match(password.detail, /must be xxxx-xxxx-xxxx-xxxx \(lowercase letters\).*; EXPO_APPLE_ID \(your Apple ID's email\) is not set/);
    assert.ok(!password.detail.includes('ABCD-EFGH'), 'the value itself is never shown');
  });

  it('Android: inline JSON, eas.json\'s serviceAccountKeyPath, and keys that are missing or not a service account', () => {
    const app = expoApp();
    const inline = check(diagnose(app, { GOOGLE_SERVICE_ACCOUNT_JSON: serviceAccountJson() }).d, 'android-credentials');
    assert.deepEqual([inline.state, inline.detail], ['ok', 'GOOGLE_SERVICE_ACCOUNT_JSON (play-publisher@torbit-test.iam.gserviceaccount.com)']);
    fs.mkdirSync(path.join(app, 'keys'));
    fs.writeFileSync(path.join(app, 'keys/play.json'), serviceAccountJson());
    fs.writeFileSync(path.join(app, 'eas.json'), JSON.stringify({ ...EAS_DEFAULT, submit: { production: { android: { serviceAccountKeyPath: './keys/play.json', track: 'internal' } } } }));
    const fromProfile = check(diagnose(app).d, 'android-credentials');
    assert.equal(fromProfile.state, 'ok');
    assert.match(fromProfile.detail, /^eas\.json submit\.production\.android\.serviceAccountKeyPath: .*keys\/play\.json/);
    const gone = check(diagnose(app, { EXPO_ANDROID_SERVICE_ACCOUNT_KEY_PATH: '/nonexistent/play.json' }).d, 'android-credentials');
    assert.deepEqual([gone.state, gone.detail], ['fail', 'EXPO_ANDROID_SERVICE_ACCOUNT_KEY_PATH: /nonexistent/play.json does not exist']);
    const wrong = path.join(tmpDir(), 'oauth.json');
    fs.writeFileSync(wrong, JSON.stringify({ installed: { client_id: 'x' } }));
    const notKey = check(diagnose(app, { GOOGLE_SERVICE_ACCOUNT_KEY_PATH: wrong }).d, 'android-credentials');
    assert.equal(notKey.state, 'fail');
    assert.match(notKey.detail, /oauth\.json is not a service account key \(type, project_id, private_key_id, private_key, client_email\)/);
    assert.match(check(diagnose(app, { GOOGLE_SERVICE_ACCOUNT_JSON: '{ nope' }).d, 'android-credentials').detail, /^GOOGLE_SERVICE_ACCOUNT_JSON is not JSON$/);
  });

  it('eas.json: damaged, missing profiles; eas-cli on PATH; a folder that is not an Expo app', () => {
    const app = expoApp();
    fs.writeFileSync(path.join(app, 'eas.json'), '{ "build": ');
    assert.match(check(diagnose(app).d, 'eas-json').detail, /^eas\.json is not valid JSON/);
    fs.writeFileSync(path.join(app, 'eas.json'), JSON.stringify({ build: { production: { distribution: 'everywhere' } } }));
    const invalid = check(diagnose(app).d, 'eas-json');
    assert.deepEqual([invalid.state, invalid.detail], ['fail', 'eas.json: build.production.distribution: expected one of "store"|"internal"']);
    fs.writeFileSync(path.join(app, 'eas.json'), JSON.stringify({ build: { production: {} } }));
    const partial = check(diagnose(app).d, 'eas-json');
    assert.deepEqual([partial.state, partial.detail], ['warn', 'no build.development, build.preview, submit.production profile']);

    // A global eas-cli: the first `eas` on PATH.
    const bin = tmpDir('torbit-path-');
    fs.writeFileSync(path.join(bin, 'eas'), '#!/bin/sh\necho "eas-cli/24.1.0 linux-x64 node-v22.0.0"\n', { mode: 0o755 });
    const global = diagnose(app, { PATH: `${bin}${path.delimiter}${process.env.PATH}` });
    assert.deepEqual(global.d!.easCli, { path: path.join(bin, 'eas'), version: '24.1.0', source: 'global' });
    assert.equal(check(global.d, 'eas-cli').detail, `24.1.0 (global: ${path.join(bin, 'eas')})`);
    // package.json lists eas-cli, but nothing installed it.
    const pkg = JSON.parse(fs.readFileSync(path.join(app, 'package.json'), 'utf8'));
    fs.writeFileSync(path.join(app, 'package.json'), JSON.stringify({ ...pkg, devDependencies: { 'eas-cli': '^24.8.0' } }));
    assert.match(check(diagnose(app).d, 'eas-cli').detail, /package\.json lists eas-cli \^24\.8\.0, but it is not installed: run npm install/);

    const plain = diagnose(tmpDir('torbit-not-expo-'));
    assert.equal(plain.code, 1);
    assert.equal(plain.d!.expo, false);
    assert.deepEqual(plain.d!.checks.map((c) => c.id), ['expo-project']);
    assert.match(plain.d!.checks[0]!.detail, /no app\.json with an "expo" key, and no app\.config\.\*; no readable package\.json/);
  });

  describe('over JSON-RPC', () => {
    const live: Spawned[] = [];
    afterEach(async () => { for (const x of live.splice(0)) await shutdown(x); });

    it('diagnoses the workspace; eas.json is proposed as a merge, written only as approved and only if unchanged, and audited', async () => {
      const app = expoApp();
      const s = spawnServer({ ...cleanEnv(), TORBIT_DATA_DIR: tmpDir('torbit-data-'), EXPO_TOKEN: TOKEN });
      live.push(s);
      await initialize(s, { workspaceFolders: [app], trusted: true });
      const d = Diagnostics.parse(await s.conn.sendRequest(rpc.easDiagnose.method, {}));
      assert.deepEqual(d.checks.map((c) => `${c.id}:${c.state}`), ['expo-project:ok', 'eas-json:fail', 'eas-cli:fail', 'expo-token:ok', 'ios-credentials:warn', 'android-credentials:warn']);
      assert.equal(check(d, 'expo-token').detail, 'set (from the environment)');

      const p = EasJsonProposal.parse(await s.conn.sendRequest(rpc.easProposeConfig.method, {}));
      assert.deepEqual([p.before, p.added], [null, ['cli', 'build.development', 'build.preview', 'build.production', 'submit.production']]);
      assert.ok(!fs.existsSync(path.join(app, 'eas.json')), 'a proposal writes nothing');
      await assert.rejects(s.conn.sendRequest(rpc.easWriteConfig.method, { before: '{}', after: p.after }), (e: ResponseError<unknown>) => /changed since the proposal was made/.test(e.message));
      await assert.rejects(s.conn.sendRequest(rpc.easWriteConfig.method, { before: null, after: '{"build": 1}' }), (e: ResponseError<unknown>) => /eas\.json: build: expected record/.test(e.message));
      assert.ok(!fs.existsSync(path.join(app, 'eas.json')));
      await s.conn.sendRequest(rpc.easWriteConfig.method, { before: null, after: p.after });
      assert.equal(fs.readFileSync(path.join(app, 'eas.json'), 'utf8'), p.after);
      assert.equal(check(Diagnostics.parse(await s.conn.sendRequest(rpc.easDiagnose.method, {})), 'eas-json').state, 'ok');
      const again = EasJsonProposal.parse(await s.conn.sendRequest(rpc.easProposeConfig.method, {}));
      assert.deepEqual([again.added, again.after === again.before], [[], true]);
      const summaries = (await s.conn.sendRequest<{ entries: { summary: string }[] }>(rpc.auditList.method, {})).entries.map((e) => e.summary);
      assert.ok(summaries.includes('eas.json created with Torbit\'s defaults (approved diff)'), summaries.join('\n'));
      fs.writeFileSync(path.join(app, 'eas.json'), '{ oops');
      await assert.rejects(s.conn.sendRequest(rpc.easProposeConfig.method, {}), (e: ResponseError<unknown>) => /^eas\.json is not valid JSON/.test(e.message));
    });
  });
});
