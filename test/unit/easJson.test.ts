// eas.json read back through its schema, and Torbit's defaults merged in without touching what is there.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { proposeEasJson } from '../../server/eas/config';
import { EAS_DEFAULTS, EasJsonError, formatEasJson, mergeDefaults, parseEasJson, trackOf } from '../../server/eas/easJson';
import { SEED_NAMES, withEasNames } from '../../server/eas/credentials';

describe('eas.json', () => {
  it('with none, the merge is eas build:configure\'s defaults: development, preview and production builds, a production submit profile', () => {
    const m = mergeDefaults(null);
    assert.deepEqual(m.json, EAS_DEFAULTS);
    assert.deepEqual(m.added, ['cli', 'build.development', 'build.preview', 'build.production', 'submit.production']);
    assert.equal(formatEasJson(m.json), `${JSON.stringify(EAS_DEFAULTS, null, 2)}\n`);
    assert.doesNotThrow(() => parseEasJson(formatEasJson(m.json)), 'what Torbit writes reads back');
  });

  it('adds only what is missing: the person\'s profiles, fields, unknown keys and key order stay as written', () => {
    const text = JSON.stringify({
      submit: { staging: { android: { track: 'beta' } } },
      build: { production: { distribution: 'store', env: { API: 'prod' }, custom: { keep: true } }, preview: {} },
      cli: { version: '>= 20.0.0' },
      extra: 1,
    });
    const { raw } = parseEasJson(text);
    const m = mergeDefaults(raw);
    assert.deepEqual(m.added, ['build.development', 'submit.production']);
    assert.deepEqual(Object.keys(m.json), ['submit', 'build', 'cli', 'extra']);
    assert.deepEqual(Object.keys(m.json.build as object), ['production', 'preview', 'development']);
    assert.deepEqual((m.json.build as Record<string, unknown>).production, { distribution: 'store', env: { API: 'prod' }, custom: { keep: true } });
    assert.deepEqual((m.json.build as Record<string, unknown>).preview, {}, 'an empty profile of the person\'s stays empty');
    assert.deepEqual(m.json.cli, { version: '>= 20.0.0' });
    assert.deepEqual(raw, JSON.parse(text), 'the input is not changed');
    assert.deepEqual(mergeDefaults(m.json).added, [], 'merging again adds nothing');
  });

  it('the Google Play track a submit profile sends to follows extends, defaults to internal, and a proposal sets it only when it differs', () => {
    const { json } = parseEasJson(JSON.stringify({ submit: { base: { android: { track: 'alpha' } }, production: { extends: 'base' }, loop: { extends: 'loop' } } }));
    assert.equal(trackOf(json, 'production'), 'alpha');
    assert.equal(trackOf(json, 'loop'), 'internal');
    assert.equal(trackOf(json, 'missing'), 'internal');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torbit-track-'));
    try {
      fs.writeFileSync(path.join(dir, 'eas.json'), formatEasJson({ ...EAS_DEFAULTS, submit: { production: { ios: { ascAppId: '123' } } } }));
      const p = proposeEasJson(dir, { track: { profile: 'production', track: 'beta' } });
      assert.deepEqual([p.added, p.changed], [['submit.production.android.track = "beta"'], []]);
      assert.deepEqual(JSON.parse(p.after).submit, { production: { ios: { ascAppId: '123' }, android: { track: 'beta' } } });
      fs.writeFileSync(path.join(dir, 'eas.json'), p.after);
      const again = proposeEasJson(dir, { track: { profile: 'production', track: 'beta' } });
      assert.deepEqual([again.added, again.changed], [[], []]);
      assert.equal(again.after, again.before);
      // The profile's own track is replaced, and said so.
      const moved = proposeEasJson(dir, { track: { profile: 'production', track: 'alpha' } });
      assert.deepEqual([moved.added, moved.changed], [[], ['submit.production.android.track: "beta" → "alpha"']]);
      assert.deepEqual(JSON.parse(moved.after).submit.production.android, { track: 'alpha' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what eas-cli would refuse, naming the field', () => {
    const bad = (text: string, re: RegExp) => assert.throws(() => parseEasJson(text), (e: Error) => e instanceof EasJsonError && re.test(e.message), text);
    bad('{"build": ', /^eas\.json is not valid JSON/);
    bad('{"build": {"production": {"distribution": "everywhere"}}}', /build\.production\.distribution: expected one of "store"\|"internal"/);
    bad('{"build": {"preview": {"channel": "Preview Channel"}}}', /build\.preview\.channel: lowercase letters/);
    bad('{"submit": {"production": {"ios": {"ascAppId": "my-app"}}}}', /submit\.production\.ios\.ascAppId: the App Store Connect app id: digits only/);
    bad('{"submit": {"production": {"android": {"releaseStatus": "live"}}}}', /submit\.production\.android\.releaseStatus/);
    bad('[]', /eas\.json: \(value\): expected object/);
  });
});

describe('EAS credentials in the child\'s environment', () => {
  it('maps the seed\'s names to eas-cli\'s, and eas-cli\'s own win', () => {
    const env = withEasNames({ APPLE_APP_SPECIFIC_PASSWORD: 'aaaa-bbbb-cccc-dddd', ASC_API_KEY_ID: 'SEED', EXPO_ASC_KEY_ID: 'OWN', ASC_API_KEY_ISSUER_ID: '', ASC_API_KEY_PATH: '/k.p8' });
    assert.equal(env.EXPO_APPLE_APP_SPECIFIC_PASSWORD, 'aaaa-bbbb-cccc-dddd');
    assert.equal(env.EXPO_ASC_KEY_ID, 'OWN');
    assert.equal(env.EXPO_ASC_API_KEY_PATH, '/k.p8');
    assert.equal(env.EXPO_ASC_ISSUER_ID, undefined, 'an empty seed variable is not a value');
    assert.deepEqual(Object.values(SEED_NAMES).sort(), ['EXPO_APPLE_APP_SPECIFIC_PASSWORD', 'EXPO_ASC_API_KEY_PATH', 'EXPO_ASC_ISSUER_ID', 'EXPO_ASC_KEY_ID']);
  });
});
