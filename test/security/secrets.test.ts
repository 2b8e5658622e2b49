// Red team: credentials reach the model. The backend runs with every variable of the secrets
// registry set to a distinct long fake value (the key-file variables naming files that hold a fake
// PEM key or a fake service-account JSON); the model, scripted through the OpenAI-compatible stub,
// runs commands meant to print them. No value, nor a line of a key, may reach what the model is
// sent, the chat events, the SQLite database or the backend's logs.
import * as assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { rpc } from '../../server/protocol';
import { SECRETS } from '../../server/secrets';
import { startOpenAIStub, textChunks, toolCallChunks, type OpenAIStub } from '../stubs/openaiStub';
import { easApp, openEasBackend, TOKEN } from '../support/easRuns';
import { expoTemplate } from '../support/expo';
import { openRpcChat, type RpcChat } from '../support/rpcChat';
import { shutdown, type Spawned } from '../support/server';
import { gitRepo, tmpDir } from '../support/tmp';

const hex = (n: number) => randomBytes(n).toString('hex');
/** A fake PEM private key: its base64 lines are distinct per key, long enough to be redacted. */
function fakePem(): { pem: string; lines: string[] } {
  const lines = [0, 1, 2, 3].map((i) => Buffer.from(`fake-private-key-${i}-${hex(24)}`).toString('base64').slice(0, 64));
  return { pem: `-----BEGIN PRIVATE KEY-----\n${lines.join('\n')}\n-----END PRIVATE KEY-----\n`, lines };
}

interface Planted {
  env: NodeJS.ProcessEnv;
  /** Every string that must never show: each value, each key line. */
  needles: { what: string; text: string }[];
  /** The key files the path variables name. */
  files: { p8: string; serviceAccount: string };
}

/** Every registry variable set: values to long fakes, paths to fake key files. */
function plantEverySecret(): Planted {
  const dir = tmpDir('torbit-keys-');
  const p8 = fakePem();
  const sa = fakePem();
  const inline = fakePem();
  const files = { p8: path.join(dir, 'AuthKey_FAKE.p8'), serviceAccount: path.join(dir, 'play-service-account.json') };
  fs.writeFileSync(files.p8, p8.pem);
  const account = (pem: string) => JSON.stringify({ type: 'service_account', project_id: 'fake-project', private_key_id: hex(20), private_key: pem, client_email: 'ci@fake-project.iam.gserviceaccount.com' });
  fs.writeFileSync(files.serviceAccount, account(sa.pem));
  const env: NodeJS.ProcessEnv = {};
  const needles: Planted['needles'] = [];
  for (const s of SECRETS) {
    if (s.holds === 'path') {
      env[s.name] = /ASC/.test(s.name) ? files.p8 : files.serviceAccount;
    } else if (s.holds === 'json-or-path') {
      env[s.name] = account(inline.pem);
    } else {
      const v = s.name === 'TORBIT_TEAM_DATABASE_URL' ? `postgres://torbit:pw-${hex(16)}@127.0.0.1:1/team` : `fake-${s.name.toLowerCase().replace(/_/g, '-')}-${hex(16)}`;
      env[s.name] = v;
      needles.push({ what: s.name, text: v });
    }
  }
  for (const [what, key] of [['the .p8 key file', p8], ['the service account key file', sa], ['GOOGLE_SERVICE_ACCOUNT_JSON', inline]] as const) {
    key.lines.forEach((line, i) => needles.push({ what: `${what}, line ${i + 1}`, text: line }));
  }
  return { env, needles, files };
}

/** Every file under dir (the database, its WAL, run logs), as text. */
function filesUnder(dir: string): { file: string; text: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .map((file) => ({ file, text: fs.readFileSync(file).toString('latin1') }));
}

function assertNothingShows(where: string, text: string, needles: Planted['needles']): void {
  const shown = needles.filter((n) => text.includes(n.text)).map((n) => n.what);
  assert.deepEqual(shown, [], `${where} holds ${shown.join(', ')}`);
}

describe('red team: credentials reach the model', function () {
  this.timeout(60_000);
  let stub: OpenAIStub;
  const live: Spawned[] = [];
  let planted: Planted;
  let dataDir: string;
  beforeEach(async () => {
    stub = await startOpenAIStub();
    planted = plantEverySecret();
    dataDir = tmpDir('torbit-data-');
  });
  afterEach(async () => {
    for (const s of live.splice(0)) await shutdown(s);
    await stub.close();
  });

  const open = (ws = gitRepo()) => openRpcChat({ ws, baseURL: stub.baseURL, env: { ...planted.env, TORBIT_DATA_DIR: dataDir } }, live);

  /** The model runs one command; the turn ends; the backend shuts down (its database closed). */
  async function modelRuns(c: RpcChat, command: string, args: string[]): Promise<string> {
    stub.enqueue(
      { kind: 'stream', chunks: toolCallChunks([{ id: 'leak', name: 'run_command', args: { command, args } }], 3) },
      { kind: 'stream', chunks: textChunks('Done.', 1) },
    );
    const { turnId } = await c.send('show me the environment');
    assert.equal((await c.turnEnd(turnId)).status, 'done');
    await shutdown(c.s);
    return turnId;
  }

  /** What the tool call returned to the model: the tool message of the second request. */
  const toolResult = () => JSON.stringify(stub.requests.filter((r) => r.method === 'POST').at(-1)!.body.messages.filter((m: { role: string }) => m.role === 'tool'));

  function assertNowhere(c: RpcChat): void {
    const sent = stub.requests.map((r) => JSON.stringify(r.body ?? '')).join('\n');
    assertNothingShows('what the model was sent', sent, planted.needles);
    assertNothingShows('the chat events', JSON.stringify(c.events), planted.needles);
    for (const f of filesUnder(dataDir)) assertNothingShows(`${path.relative(dataDir, f.file)} in the data directory`, f.text, planted.needles);
    assertNothingShows('the backend\'s logs', `${c.s.logs.join('\n')}\n${c.s.stderr()}`, planted.needles);
  }

  for (const [name, command, args] of [
    ['printenv', 'printenv', []],
    ['env', 'env', []],
    ['cat /proc/self/environ', 'cat', ['/proc/self/environ']],
  ] as const) {
    it(`${name} through run_command shows no credential to the model, the events, the database or the logs`, async function () {
      if (name.includes('/proc') && process.platform !== 'linux') this.skip();
      const c = await open();
      await modelRuns(c, command, [...args]);
      // The command did run and print the environment: the test looks at real output.
      assert.match(toolResult(), /PATH=/);
      for (const s of SECRETS) assert.ok(!toolResult().includes(`${s.name}=`), `${s.name} is not in the command's environment`);
      assertNowhere(c);
    });
  }

  it('a key file read by its path through run_command is redacted', async () => {
    const c = await open();
    const turnId = await modelRuns(c, 'cat', [planted.files.p8, planted.files.serviceAccount]);
    assert.match(c.of('tool-end', turnId)[0]!.card.result ?? '', /^exit 0/, 'cat read both files');
    assert.equal(toolResult().match(/\[redacted\]/g)?.length, 2, 'each file\'s content is one secret');
    assertNowhere(c);
  });

  it('a secret a command prints across two writes is [redacted] in the streamed output, the stored card and the result', async () => {
    const ws = gitRepo();
    const token = planted.env.EXPO_TOKEN!;
    // A credential the workspace happens to hold (a cached login, say), printed in two halves
    // with a pause between them: two chunks on the way to the card.
    fs.writeFileSync(path.join(ws, 'cached-login.txt'), token);
    const script = [
      'const t = require("fs").readFileSync("cached-login.txt", "utf8");',
      'const half = Math.floor(t.length / 2);',
      'process.stdout.write("token: " + t.slice(0, half), () => setTimeout(() => process.stdout.write(t.slice(half) + " end\\n"), 400));',
    ].join(' ');
    const c = await open(ws);
    const turnId = await modelRuns(c, process.execPath, ['-e', script]);
    const streamed = c.of('tool-output', turnId).map((e) => e.chunk);
    assert.ok(streamed.length >= 2, `the output came in ${streamed.length} chunk(s); the test needs two`);
    assert.equal(streamed.join(''), 'token: [redacted] end\n');
    const half = token.slice(0, Math.floor(token.length / 2));
    const needles = [...planted.needles, { what: 'the first half of EXPO_TOKEN', text: half }, { what: 'the second half of EXPO_TOKEN', text: token.slice(half.length) }];
    for (const chunk of streamed) assertNothingShows('a streamed chunk', chunk, needles);
    assert.match(toolResult(), /token: \[redacted\] end/);
    assertNothingShows('the tool result', toolResult(), needles);
    const stored = filesUnder(dataDir).filter((f) => f.text.includes('token: '));
    assert.ok(stored.length > 0, 'the card\'s output is stored');
    for (const f of stored) assertNothingShows(`${path.relative(dataDir, f.file)}`, f.text, needles);
    assertNowhere(c);
  });
});

describe('red team: a secret split across chunks of a background run\'s output', function () {
  this.timeout(120_000);
  const live: Spawned[] = [];
  before(() => { expoTemplate(); });
  afterEach(async () => { for (const s of live.splice(0)) await shutdown(s); });

  it('eas-cli printing the token in two writes: [redacted] in the output notifications, the run log and the data directory', async () => {
    const { app, state } = easApp();
    const dataDir = tmpDir('torbit-data-');
    const b = await openEasBackend({ app, state, env: { FAKE_EAS_SPLIT_TOKEN: '1', TORBIT_DATA_DIR: dataDir } }, live);
    const { id } = await b.start({ kind: 'build', platform: 'android' });
    const done = await b.until(id, (r) => ['succeeded', 'failed', 'canceled'].includes(r.state));
    assert.equal(done.state, 'succeeded', done.error ?? done.detail);
    const half = TOKEN.slice(0, Math.floor(TOKEN.length / 2));
    const needles = [{ what: 'the token', text: TOKEN }, { what: 'its first half', text: half }, { what: 'its second half', text: TOKEN.slice(half.length) }];
    const streamed = b.output.get(id) ?? '';
    assert.match(streamed, /Using the token \[redacted\] from the environment/, 'the fake did print it');
    assertNothingShows('the output notifications', streamed, needles);
    const log = rpc.runLog.result.parse(await b.s.conn.sendRequest(rpc.runLog.method, { runId: id }));
    assert.match(log.text, /Using the token \[redacted\] from the environment/);
    assertNothingShows('the run log', JSON.stringify(log), needles);
    await shutdown(live.pop()!);
    const files = filesUnder(dataDir);
    assert.ok(files.some((f) => f.file.endsWith('.log')), 'a run log file was written');
    for (const f of files) assertNothingShows(path.relative(dataDir, f.file), f.text, needles);
  });
});
