import * as assert from 'node:assert/strict';
import { checkExpoUrl } from '../../server/eas/expoUrl';
import { EasBuild, parseJsonOutput } from '../../server/eas/easOutput';

describe('Expo links from eas-cli output', () => {
  it('accepts https links on expo.dev and its subdomains, as eas-cli prints them, normalised', () => {
    for (const url of [
      'https://expo.dev/artifacts/eas/abc123.aab',
      'https://expo.dev/accounts/me/projects/app/builds/7a1c0e64-0000-4000-8000-000000000000',
      'https://logs.expo.dev/production/abc/build.txt',
    ]) assert.deepEqual(checkExpoUrl(url), { ok: true, url });
    assert.deepEqual(checkExpoUrl('HTTPS://EXPO.DEV/artifacts/x.apk'), { ok: true, url: 'https://expo.dev/artifacts/x.apk' });
  });

  it('refuses other schemes, hosts, user info and ports, saying why', () => {
    const cases: [string, RegExp][] = [
      ['javascript:alert(1)', /javascript: is not https:/],
      ['file:///etc/passwd', /file: is not https:/],
      ['http://expo.dev/artifacts/x.apk', /http: is not https:/],
      ['vscode://ms-vscode.something/run', /vscode: is not https:/],
      ['https://expo.dev.evil.example/x', /host expo\.dev\.evil\.example is not expo\.dev/],
      ['https://evilexpo.dev/x', /host evilexpo\.dev is not expo\.dev/],
      ['https://expo.dev@evil.example/x', /user name or password/],
      ['https://user:pw@expo.dev/x', /user name or password/],
      ['https://evil.example\\@expo.dev/x', /host evil\.example is not/],
      ['https://expo.dev%2eevil.example/x', /host expo\.dev\.evil\.example is not/],
      ['https://expo.dev:8443/x', /port 8443/],
      ['https://127.0.0.1/x', /host 127\.0\.0\.1 is not/],
      ['/artifacts/x.apk', /not a URL/],
      ['', /not a URL/],
      [`https://expo.dev/${'a'.repeat(3000)}`, /longer than 2048/],
    ];
    for (const [url, why] of cases) {
      const c = checkExpoUrl(url);
      assert.equal(c.ok, false, url);
      assert.match((c as { reason: string }).reason, why, url);
      assert.match((c as { reason: string }).reason, /is not an Expo link/, url);
    }
  });

  it('the backend keeps eas-cli\'s Expo build links and leaves any other link out of the build it reads', () => {
    const build = (artifacts: unknown) => JSON.stringify({ id: 'b1', status: 'FINISHED', platform: 'ANDROID', artifacts });
    const good = parseJsonOutput(EasBuild, build({ buildUrl: 'https://expo.dev/artifacts/eas/x.aab' }), 'eas build:view');
    assert.equal(good.artifacts?.buildUrl, 'https://expo.dev/artifacts/eas/x.aab');
    const bad = parseJsonOutput(EasBuild, build({ buildUrl: 'javascript:alert(1)', applicationArchiveUrl: 'https://expo.dev@evil.example/x' }), 'eas build:view');
    assert.equal(bad.status, 'FINISHED', 'the build itself is still read');
    assert.equal(bad.artifacts?.buildUrl, undefined);
    assert.equal(bad.artifacts?.applicationArchiveUrl, undefined);
  });
});
