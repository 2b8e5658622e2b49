// Restricted mode: a backend for an untrusted workspace refuses every request that needs trust,
// before it reads the params, and the requests it does serve run nothing of the repository's.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ResponseError } from 'vscode-jsonrpc/node';
import { rpc, UNTRUSTED_WORKSPACE, type WorkspaceNeed } from '../../server/protocol';
import { initialize, shutdown, spawnServer, type Spawned } from '../support/server';
import { tmpDir } from '../support/tmp';
import { hostileRepo, type HostileRepo } from './hostileRepo';

/** What every request definition says of itself. */
interface RequestInfo { kind: 'request'; method: string; sender: string; workspace: WorkspaceNeed }
const requests = (Object.values(rpc) as Array<{ kind: string; sender?: string }>).filter((d): d is RequestInfo => d.kind === 'request' && d.sender === 'extension');

async function refusal(p: Promise<unknown>): Promise<ResponseError<unknown>> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ResponseError) return err;
    throw err;
  }
  assert.fail('the request was served');
}

describe('red team: restricted mode (an untrusted workspace)', function () {
  let repo: HostileRepo;
  let s: Spawned;
  let dataDir: string;

  before(async () => {
    repo = hostileRepo();
    dataDir = tmpDir('torbit-data-');
    s = spawnServer({ TORBIT_DATA_DIR: dataDir });
    await initialize(s, { workspaceFolders: [repo.root], trusted: false });
  });
  after(async () => { await shutdown(s); });

  it('refuses every request that needs a trusted workspace, whatever its params, and names why', async () => {
    const trusted = requests.filter((d) => d.workspace === 'trusted');
    assert.ok(trusted.length >= 9);
    for (const d of trusted) {
      for (const params of [{}, { folder: repo.root }, 'garbage']) {
        const err = await refusal(s.conn.sendRequest(d.method, params));
        assert.equal(err.code, UNTRUSTED_WORKSPACE, `${d.method} answered ${err.code}: ${err.message}`);
        assert.match(err.message, /needs a trusted workspace/);
      }
    }
    assert.deepEqual(repo.ran(), []);
  });

  it('serves what is safe to show without running the repository\'s eas, git drivers or hooks', async () => {
    const status = await s.conn.sendRequest<{ dataDir: string }>(rpc.status.method, {});
    assert.equal(status.dataDir, dataDir);
    const diag = await s.conn.sendRequest<{ checks: Array<{ title: string; detail: string; state: string }> }>(rpc.easDiagnose.method, { folder: repo.root });
    const eas = diag.checks.find((c) => /eas-cli/i.test(c.title));
    assert.ok(eas, 'the eas-cli check is still shown');
    assert.match(eas.detail, /24\.8\.0/, 'the version is read from the files');
    assert.match(eas.detail, /untrusted|restricted/i, 'and it says why it was not run');
    await s.conn.sendRequest(rpc.easProposeConfig.method, { folder: repo.root });
    await s.conn.sendRequest(rpc.policyGet.method, {});
    await s.conn.sendRequest(rpc.checkpointCreate.method, { label: 'restricted' });
    await s.conn.sendRequest(rpc.checkpointList.method, {});
    await s.conn.sendRequest(rpc.reviewBundle.method, { folder: repo.root }).catch((e: Error) => e);
    assert.deepEqual(repo.ran(), [], `the repository's code ran: ${repo.ran().map((m) => fs.readFileSync(path.join(repo.markers, m), 'utf8')).join('; ')}`);
  });
});
