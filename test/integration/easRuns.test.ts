// Builds and submissions as background runs, over the backend's real JSON-RPC connection, with the
// fake eas-cli on PATH (exactly the real flags, the real JSON shapes): success, ERRORED with
// retries, a stuck build the watchdog acts on, a backend killed mid-build and resumed, cancel,
// Build & Submit to a Google Play track, and what is refused before anything runs.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ResponseError } from 'vscode-jsonrpc/node';
import { workspaceDataDir } from '../../server/dataDir';
import { approvalText, AuditTimeline, RunView, rpc, type ProductEvent } from '../../server/protocol';
import { calls, easApp, openEasBackend, TOKEN, type EasBackend } from '../support/easRuns';
import { torbit } from '../support/cli';
import { until } from '../support/until';
import { expoTemplate } from '../support/expo';
import { shutdown, type Spawned } from '../support/server';
import { DEFAULT_POLICY } from '../../server/trust/policy';

const live: Spawned[] = [];

async function logOf(b: EasBackend, runId: string): Promise<{ text: string; events: ProductEvent[] }> {
  return rpc.runLog.result.parse(await b.s.conn.sendRequest(rpc.runLog.method, { runId }));
}
const names = (events: ProductEvent[]) => events.map((e) => e.name.replace('background_run.', ''));
const terminal = (r: RunView) => ['succeeded', 'failed', 'canceled'].includes(r.state);

async function refusal(p: Promise<unknown>): Promise<string> {
  const err = await p.then(() => undefined, (e: ResponseError<unknown>) => e);
  assert.ok(err, 'the request was refused');
  return err.message;
}

describe('EAS background runs over JSON-RPC (fake eas-cli)', function () {
  this.timeout(120_000);
  before(() => { expoTemplate(); });
  afterEach(async () => { for (const s of live.splice(0)) await shutdown(s); });

  it('Build iOS: asked under "ship", approved, eas build then build:view polled to FINISHED; credentials only in eas\'s environment; audited', async () => {
    const { app, state } = easApp();
    const b = await openEasBackend({ app, state }, live);
    const run = await b.start({ kind: 'build', platform: 'ios' });
    assert.equal(run.state, 'queued');
    assert.equal(b.approvals.length, 1);
    assert.equal(b.approvals[0]!.kind, 'ship');
    assert.equal(b.approvals[0]!.title, 'iOS build (production)');
    assert.match(b.approvals[0]!.reason, /ship inside the workspace: ask/);
    assert.equal(approvalText(b.approvals[0]!), 'Torbit wants to start an iOS build (production) with EAS. Your policy asks before shipping.');

    const done = await b.until(run.id, terminal);
    assert.equal(done.state, 'succeeded', done.error ?? '');
    assert.equal(done.attempt, 1);
    assert.equal(done.build!.status, 'FINISHED');
    assert.match(done.build!.url!, /^https:\/\/expo\.dev\/artifacts\/eas\/[0-9a-f]{8}\.ipa$/);
    assert.ok(done.finishedAt);
    // Every state it went through was reported, in order.
    const statuses = [...new Set(b.runs.get(run.id)!.map((r) => r.build?.status).filter(Boolean))];
    assert.deepEqual(statuses, ['NEW', 'IN_QUEUE', 'IN_PROGRESS', 'FINISHED']);

    const c = calls(state);
    assert.deepEqual(c[0]!.argv, ['build', '--platform', 'ios', '--profile', 'production', '--non-interactive', '--json', '--no-wait']);
    assert.equal(fs.realpathSync(c[0]!.cwd), fs.realpathSync(app));
    assert.ok(c.slice(1).every((x) => x.argv.length === 3 && x.argv[0] === 'build:view' && x.argv[1] === done.build!.id && x.argv[2] === '--json'), JSON.stringify(c));
    assert.ok(c.every((x) => x.env.EXPO_TOKEN && !x.env.OPENAI_COMPATIBLE_API_KEY), 'EXPO_TOKEN reaches eas; the model key does not');

    const { text, events } = await logOf(b, run.id);
    assert.deepEqual(names(events), ['started', 'succeeded']);
    assert.match(text, /\$ eas build --platform ios --profile production --non-interactive --json --no-wait/);
    assert.match(text, /See logs: https:\/\/expo\.dev\/accounts\/jdoe\/projects\/expo-template-blank\/builds\//);
    assert.match(text, /build finished: https:\/\/expo\.dev\/artifacts/);
    assert.doesNotMatch(text, /expo_token_0123456789abcdef/);
    assert.equal(b.output.get(run.id), text, 'the output notifications carried the same log');

    const timeline = AuditTimeline.parse(await b.s.conn.sendRequest(rpc.auditList.method, {}));
    const summaries = timeline.entries.map((e) => `${e.kind}:${e.outcome}:${e.summary}`);
    assert.ok(summaries.some((s) => /^decision:ask:ask iOS build \(production\)/.test(s)), summaries.join('\n'));
    assert.ok(summaries.some((s) => /^decision:approved:approved iOS build \(production\)/.test(s)), summaries.join('\n'));
    assert.ok(summaries.some((s) => /^ship:started:started iOS build \(production\)/.test(s)), summaries.join('\n'));
    assert.ok(summaries.some((s) => /^ship:succeeded:iOS build \(production\) succeeded after 1 attempt/.test(s)), summaries.join('\n'));
    const listed = rpc.runList.result.parse(await b.s.conn.sendRequest(rpc.runList.method, {}));
    assert.deepEqual(listed.runs.map((r) => [r.id, r.state]), [[run.id, 'succeeded']]);
  });

  it('ERRORED: retried with backoff up to the maximum, then failed with EAS\'s error message', async () => {
    const { app, state } = easApp();
    const b = await openEasBackend({ app, state, scenario: 'errored,success', eas: { maxAttempts: 2, backoffSeconds: 0.3 } }, live);
    const healed = await b.until((await b.start({ kind: 'build', platform: 'android' })).id, terminal);
    assert.equal(healed.state, 'succeeded');
    assert.equal(healed.attempt, 2);
    const first = await logOf(b, healed.id);
    assert.deepEqual(names(first.events), ['started', 'retry_scheduled', 'started', 'succeeded']);
    const retry = first.events[1]!;
    assert.equal(retry.data.delayMs, 300);
    assert.match(String(retry.data.reason), /the EAS build errored: Gradle build failed with unknown error/);
    // The retry waited for its backoff.
    assert.ok(Date.parse(first.events[2]!.ts) - Date.parse(retry.ts) >= 250, 'backoff honoured');
    assert.equal(calls(state).filter((c) => c.argv[0] === 'build').length, 2, 'a new build per attempt');
    assert.ok(b.runs.get(healed.id)!.some((r) => r.state === 'queued' && r.nextAttemptAt && r.error?.includes('Gradle')), 'the scheduled retry was reported');

    fs.writeFileSync(path.join(state, 'scenario'), 'errored');
    const failed = await b.until((await b.start({ kind: 'build', platform: 'ios' })).id, terminal);
    assert.equal(failed.state, 'failed');
    assert.equal(failed.attempt, 2);
    assert.match(failed.error!, /^the EAS build errored: Fastlane build failed with unknown error/);
    assert.deepEqual(names((await logOf(b, failed.id)).events), ['started', 'retry_scheduled', 'started', 'failed']);
  });

  it('stuck: the watchdog marks the run stale, cancels the build at EAS, retries once, then fails it for good', async () => {
    const { app, state } = easApp();
    const b = await openEasBackend({ app, state, scenario: 'stuck', eas: { maxAttempts: 2, staleAfterSeconds: 0.8, backoffSeconds: 0.1 } }, live);
    const run = await b.start({ kind: 'build', platform: 'ios' });
    const done = await b.until(run.id, terminal);
    assert.equal(done.state, 'failed');
    assert.match(done.error!, /no progress for \d+ ms|no progress for \d+ s/);
    assert.match(done.error!, /watchdog/);
    const { events, text } = await logOf(b, run.id);
    assert.deepEqual(names(events), [
      'started', 'watchdog_marked_failed', 'watchdog_retried', 'retry_scheduled',
      'started', 'watchdog_marked_failed', 'watchdog_terminal_failure', 'failed',
    ]);
    assert.ok(Number(events[1]!.data.staleForMs) > 800);
    assert.equal(events[1]!.data.status, 'IN_PROGRESS');
    // Both stuck builds were canceled at EAS.
    const builds = calls(state).filter((c) => c.argv[0] === 'build:cancel');
    assert.equal(builds.length, 2);
    assert.ok(builds.every((c) => c.argv.length === 3 && c.argv[2] === '--non-interactive'));
    assert.match(text, /✔ Build canceled/);
  });

  it('a backend killed mid-build: the next one resumes polling the same build, with no new build and no retry', async () => {
    const { app, state } = easApp();
    const env = { FAKE_EAS_VIEWS_PER_STEP: '4' };
    const first = await openEasBackend({ app, state, env, eas: { pollSeconds: 0.2 } }, live);
    const run = await first.start({ kind: 'build', platform: 'android' });
    const running = await first.until(run.id, (r) => r.build?.status === 'IN_QUEUE');
    first.s.child.kill('SIGKILL');
    await first.s.exited;
    assert.equal(running.state, 'running');

    const second = await openEasBackend({ app, state, env, eas: { pollSeconds: 0.2 } }, live);
    const listed = rpc.runList.result.parse(await second.s.conn.sendRequest(rpc.runList.method, {}));
    assert.equal(listed.runs[0]!.id, run.id);
    const done = await second.until(run.id, terminal);
    assert.equal(done.state, 'succeeded');
    assert.equal(done.build!.id, running.build!.id);
    assert.equal(done.attempt, 1);
    assert.equal(calls(state).filter((c) => c.argv[0] === 'build').length, 1);
    const { events, text } = await logOf(second, run.id);
    assert.deepEqual(names(events), ['started', 'succeeded']);
    assert.match(text, new RegExp(`resumed by backend pid ${second.s.child.pid} \\(running, Android build IN_QUEUE`));
    assert.equal(second.approvals.length, 0, 'resuming asks nothing again');
  });

  it('a backend killed while `eas build` was starting: the attempt fails (no build id) and is retried', async () => {
    const { app, state } = easApp();
    const first = await openEasBackend({ app, state, env: { FAKE_EAS_DELAY_MS: '3000' }, eas: { maxAttempts: 2 } }, live);
    const run = await first.start({ kind: 'build', platform: 'ios' });
    await first.until(run.id, (r) => r.state === 'running');
    first.s.child.kill('SIGKILL');
    await first.s.exited;
    const second = await openEasBackend({ app, state }, live);
    const done = await second.until(run.id, terminal);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(names((await logOf(second, run.id)).events), ['started', 'retry_scheduled', 'started', 'succeeded']);
    assert.match((await logOf(second, run.id)).text, /the backend stopped while `eas build` was starting/);
  });

  it('cancel: stops polling, runs eas build:cancel on the build, and marks the run canceled', async () => {
    const { app, state } = easApp();
    const b = await openEasBackend({ app, state, env: { FAKE_EAS_VIEWS_PER_STEP: '1000' } }, live);
    const run = await b.start({ kind: 'build', platform: 'ios' });
    const polling = await b.until(run.id, (r) => r.build?.status === 'NEW' && r.state === 'running');
    const canceled = RunView.parse((await b.s.conn.sendRequest<{ run: unknown }>(rpc.runCancel.method, { runId: run.id })).run);
    assert.equal(canceled.state, 'canceled');
    assert.equal(canceled.build!.status, 'CANCELED');
    const cancelCall = calls(state).find((c) => c.argv[0] === 'build:cancel');
    assert.deepEqual(cancelCall?.argv, ['build:cancel', polling.build!.id, '--non-interactive']);
    const fakeBuild = JSON.parse(fs.readFileSync(path.join(state, 'builds', `${polling.build!.id}.json`), 'utf8')) as { status: string };
    assert.equal(fakeBuild.status, 'CANCELED');
    assert.deepEqual(names((await logOf(b, run.id)).events), ['started', 'canceled']);
    // Nothing polls a canceled run: while a second run is polled three times, its build is not.
    const n = calls(state).length;
    const other = await b.until((await b.start({ kind: 'build', platform: 'android' })).id, (r) => !!r.build);
    const views = (id: string) => calls(state).slice(n).filter((c) => c.argv[0] === 'build:view' && c.argv[1] === id).length;
    await until('three polls of the second run', () => views(other.build!.id) >= 3);
    assert.equal(views(polling.build!.id), 0, 'the canceled build is not polled');
    // Canceling again, or an unknown run.
    assert.equal(RunView.parse((await b.s.conn.sendRequest<{ run: unknown }>(rpc.runCancel.method, { runId: run.id })).run).state, 'canceled');
    assert.match(await refusal(b.s.conn.sendRequest(rpc.runCancel.method, { runId: 'nope' })), /there is no background run nope/);
  });

  it('cancel while submitting: eas submit:cancel on the submission (the build is kept), and the run is canceled', async () => {
    const { app, state } = easApp();
    const b = await openEasBackend({ app, state, env: { FAKE_EAS_SUBMIT_SCENARIO: 'stuck' } }, live);
    const run = await b.start({ kind: 'build-submit', platform: 'ios' });
    const submitting = await b.until(run.id, (r) => r.phase === 'submit' && r.submission?.status === 'IN_PROGRESS');
    const canceled = RunView.parse((await b.s.conn.sendRequest<{ run: unknown }>(rpc.runCancel.method, { runId: run.id })).run);
    assert.equal(canceled.state, 'canceled');
    assert.equal(canceled.submission!.status, 'CANCELED');
    assert.equal(canceled.build!.status, 'FINISHED');
    const c = calls(state).map((x) => x.argv);
    assert.deepEqual(c.filter((a) => a[0]?.endsWith(':cancel')), [['submit:cancel', submitting.submission!.id, '--non-interactive']]);
    const sub = JSON.parse(fs.readFileSync(path.join(state, 'submissions', `${submitting.submission!.id}.json`), 'utf8')) as { status: string };
    assert.equal(sub.status, 'CANCELED');
    const { events, text } = await logOf(b, run.id);
    assert.deepEqual(names(events), ['started', 'canceled']);
    assert.match(text, /\$ eas submit:cancel [0-9a-f-]{36} --non-interactive\n- Canceling the submission…\n✔ Submission canceled/);
  });

  it('a stuck submission: the watchdog cancels it at EAS and submits the same build again', async () => {
    // The build is made first, by a backend whose watchdog is patient: a short stale time while
    // builds move on, one spawned eas-cli per poll, would measure the machine's speed.
    const { app, state } = easApp();
    const builder = await openEasBackend({ app, state }, live);
    const built = await builder.until((await builder.start({ kind: 'build', platform: 'android' })).id, terminal);
    assert.equal(built.state, 'succeeded');
    await shutdown(builder.s);
    // A stuck `eas submit` never returns, so nothing moves from its start on: 0.8 s is all stale.
    const b = await openEasBackend({ app, state, env: { FAKE_EAS_SUBMIT_SCENARIO: 'stuck' }, eas: { maxAttempts: 2, staleAfterSeconds: 0.8, backoffSeconds: 0.1 } }, live);
    const run = await b.start({ kind: 'submit', platform: 'android', buildId: built.build!.id, track: 'beta' });
    const done = await b.until(run.id, terminal);
    assert.equal(done.state, 'failed');
    assert.match(done.error!, /watchdog/);
    const c = calls(state).map((x) => x.argv);
    assert.equal(c.filter((a) => a[0] === 'build').length, 1, 'one build');
    const submits = c.filter((a) => a[0] === 'submit');
    assert.equal(submits.length, 2, 'submitted twice');
    assert.ok(submits.every((a) => a[4] === built.build!.id), 'the same build both times');
    const cancels = c.filter((a) => a[0] === 'submit:cancel');
    assert.equal(cancels.length, 2, 'each stuck submission was canceled at EAS');
    for (const [, id] of cancels) {
      assert.equal((JSON.parse(fs.readFileSync(path.join(state, 'submissions', `${id}.json`), 'utf8')) as { status: string }).status, 'CANCELED');
    }
    assert.deepEqual(names((await logOf(b, run.id)).events), [
      'started', 'watchdog_marked_failed', 'watchdog_retried', 'retry_scheduled',
      'started', 'watchdog_marked_failed', 'watchdog_terminal_failure', 'failed',
    ]);
  });

  it('Build & Submit to Google Play on the profile\'s track: the finished build is submitted and submit:view polled to FINISHED', async () => {
    const { app, state } = easApp();
    const b = await openEasBackend({ app, state }, live);
    const run = await b.start({ kind: 'build-submit', platform: 'android', track: 'beta' });
    assert.equal(b.approvals[0]!.title, 'Android build (production) and submission to Google Play (beta)');
    const done = await b.until(run.id, terminal);
    assert.equal(done.state, 'succeeded', done.error ?? '');
    assert.equal(done.phase, 'submit');
    assert.equal(done.submission!.status, 'FINISHED');
    assert.equal(done.detail, 'submitted to Google Play (beta)');
    const c = calls(state).map((x) => x.argv);
    const submit = c.find((a) => a[0] === 'submit');
    assert.deepEqual(submit, ['submit', '--platform', 'android', '--id', done.build!.id, '--profile', 'production', '--non-interactive', '--no-wait']);
    assert.ok(c.some((a) => a[0] === 'submit:view' && a[1] === done.submission!.id && a[2] === '--json'));
    const sub = JSON.parse(fs.readFileSync(path.join(state, 'submissions', `${done.submission!.id}.json`), 'utf8')) as { androidConfig: { track: string } };
    assert.equal(sub.androidConfig.track, 'beta');
  });

  it('Submit to TestFlight: a chosen finished build (listed by eas build:list); an errored submission fails with its message', async () => {
    const { app, state } = easApp();
    const b = await openEasBackend({ app, state, env: { FAKE_EAS_SUBMIT_SCENARIO: 'errored' } }, live);
    const built = await b.until((await b.start({ kind: 'build', platform: 'ios' })).id, terminal);
    const builds = rpc.easBuilds.result.parse(await b.s.conn.sendRequest(rpc.easBuilds.method, { platform: 'ios' })).builds;
    assert.deepEqual(builds.map((x) => [x.id, x.platform, x.profile]), [[built.build!.id, 'ios', 'production']]);
    assert.ok(calls(state).some((c) => c.argv.join(' ') === 'build:list --platform ios --status finished --limit 10 --json --non-interactive'));
    const run = await b.start({ kind: 'submit', platform: 'ios', buildId: builds[0]!.id });
    assert.equal(b.approvals[1]!.title, `iOS submission to TestFlight of build ${builds[0]!.id.slice(0, 8)}`);
    const done = await b.until(run.id, terminal);
    assert.equal(done.state, 'failed');
    assert.equal(done.error, 'the submission errored: Something went wrong when submitting your app to Apple App Store Connect.');
  });

  it('an eas-cli without submit:view: eas submit --wait, and its exit code says how the submission ended', async () => {
    const { app, state } = easApp();
    const b = await openEasBackend({ app, state, env: { FAKE_EAS_WITHOUT: 'submit:view' } }, live);
    const done = await b.until((await b.start({ kind: 'build-submit', platform: 'ios' })).id, terminal);
    assert.equal(done.state, 'succeeded', done.error ?? '');
    assert.equal(done.submission!.status, 'FINISHED');
    const c = calls(state).map((x) => x.argv);
    assert.deepEqual(c.find((a) => a[0] === 'submit'), ['submit', '--platform', 'ios', '--id', done.build!.id, '--profile', 'production', '--non-interactive', '--wait']);
    assert.ok(!c.some((a) => a[0] === 'submit:view' && a.length > 2), 'never asked for a submission it cannot show');
    await shutdown(live.pop()!);

    const failing = await openEasBackend({ app, state, env: { FAKE_EAS_WITHOUT: 'submit:view', FAKE_EAS_SUBMIT_SCENARIO: 'errored' } }, live);
    const failed = await failing.until((await failing.start({ kind: 'build-submit', platform: 'android', track: 'beta' })).id, terminal);
    assert.equal(failed.state, 'failed');
    assert.match(failed.error!, /^eas submit failed \(exit 1\): .*Something went wrong when submitting your app to Google Play Store\./);
  });

  it('refuses before anything runs: a rejection, the policy\'s deny, a wrong track, missing profiles, an untrusted workspace', async () => {
    const { app, state } = easApp();
    const rejecting = await openEasBackend({ app, state, approve: false }, live);
    assert.match(await refusal(rejecting.start({ kind: 'build', platform: 'ios' })), /iOS build \(production\): rejected: not today/);
    assert.deepEqual(rpc.runList.result.parse(await rejecting.s.conn.sendRequest(rpc.runList.method, {})).runs, []);
    await shutdown(live.pop()!);

    fs.mkdirSync(path.join(app, '.torbit'), { recursive: true });
    const policy = structuredClone(DEFAULT_POLICY);
    policy.categories.ship.inside = 'deny';
    fs.writeFileSync(path.join(app, '.torbit', 'policy.json'), JSON.stringify(policy));
    const b = await openEasBackend({ app, state }, live);
    assert.match(await refusal(b.start({ kind: 'build', platform: 'android' })), /denied by the policy: ship inside the workspace: deny/);
    assert.equal(b.approvals.length, 0);
    fs.rmSync(path.join(app, '.torbit', 'policy.json'));

    assert.match(await refusal(b.start({ kind: 'build-submit', platform: 'android', track: 'production' })),
      /the submit profile "production" sends to the "beta" track, not "production": set submit\.production\.android\.track to "production" in eas\.json/);
    assert.match(await refusal(b.start({ kind: 'build', platform: 'ios', profile: 'staging' })), /eas\.json has no build profile "staging" \(it has development, preview, production\)/);
    assert.match(await refusal(b.start({ kind: 'submit', platform: 'ios' })), /a submission needs the id of a finished build/);
    assert.match(await refusal(b.start({ kind: 'build', platform: 'ios', profile: 'bad name' })), /invalid params: spec\.profile/);
    assert.match(await refusal(b.start({ kind: 'build-submit', platform: 'ios', track: 'beta' })), /a track is for Google Play/);
    fs.rmSync(path.join(app, 'eas.json'));
    assert.match(await refusal(b.start({ kind: 'build', platform: 'ios' })), /eas\.json is missing/);
    assert.deepEqual(calls(state), [], 'eas never ran');
    await shutdown(live.pop()!);

    const untrusted = await openEasBackend({ app, state, trusted: false }, live);
    assert.match(await refusal(untrusted.start({ kind: 'build', platform: 'ios' })), /needs a trusted workspace/);
  });

  it('eas build itself failing: the attempt fails with eas-cli\'s words, and a token they repeat is kept out of the run, its events, the audit and the database', async () => {
    const { app, state } = easApp();
    const b = await openEasBackend({ app, state, scenario: 'start-fails', env: { FAKE_EAS_ECHO_TOKEN: '1' } }, live);
    const done = await b.until((await b.start({ kind: 'build', platform: 'ios' })).id, terminal);
    assert.equal(done.state, 'failed');
    assert.match(done.error!, /^eas build failed \(exit 1\): Build request failed\. .*\(token \S+\)$/);
    assert.ok(!done.error!.includes(TOKEN), done.error!);
    const { text, events } = await logOf(b, done.id);
    assert.deepEqual(names(events), ['started', 'failed']);
    assert.ok(!JSON.stringify(events).includes(TOKEN) && !text.includes(TOKEN));
    assert.ok(!JSON.stringify(await b.s.conn.sendRequest(rpc.auditList.method, {})).includes(TOKEN));
    assert.ok(!JSON.stringify(b.runs.get(done.id)).includes(TOKEN), 'nor in what the client was told');
    await shutdown(live.pop()!);
    const data = workspaceDataDir(process.env, app);
    for (const f of fs.readdirSync(data).filter((n) => n.startsWith('torbit.db'))) {
      assert.ok(!fs.readFileSync(path.join(data, f)).includes(TOKEN), f);
    }
  });

  it('torbit ship runs and ship log: the runs, newest first, and one run\'s log and events by the start of its id, read while the backend runs', async () => {
    const { app, state } = easApp();
    const none = torbit(app, ['ship', 'runs']);
    assert.deepEqual([none.code, none.out.trim()], [0, 'no EAS runs yet (start one from VS Code: "Torbit: EAS: Build iOS" and the like)'], none.err);
    const b = await openEasBackend({ app, state }, live);
    const built = await b.until((await b.start({ kind: 'build', platform: 'ios' })).id, terminal);
    fs.writeFileSync(path.join(state, 'scenario'), 'errored');
    const failed = await b.until((await b.start({ kind: 'build', platform: 'android' })).id, terminal);
    assert.deepEqual([built.state, failed.state], ['succeeded', 'failed']);

    const json = torbit(app, ['ship', 'runs', '--json']);
    assert.equal(json.code, 0, json.err);
    const listed = (JSON.parse(json.out) as unknown[]).map((r) => RunView.strict().parse(r));
    assert.deepEqual(listed.map((r) => [r.id, r.state]), [[failed.id, 'failed'], [built.id, 'succeeded']]);
    const text = torbit(app, ['ship', 'runs', '--limit', '1']);
    assert.equal(text.code, 0, text.err);
    assert.match(text.out, new RegExp(`^✗ ${failed.id.slice(0, 8)}  \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d  Android build \\(production\\): failed, attempt 1/1: the EAS build errored: Gradle build failed`));
    assert.equal(text.out.trim().split('\n').length, 1, '--limit 1');

    const log = torbit(app, ['ship', 'log', built.id.slice(0, 8)]);
    assert.equal(log.code, 0, log.err);
    assert.match(log.out, new RegExp(`^✓ ${built.id.slice(0, 8)} .*iOS build \\(production\\): succeeded`));
    assert.ok(log.out.includes((await logOf(b, built.id)).text.trimEnd()), 'the whole log, as torbit/runs/log has it');
    assert.match(log.out, /\nevents: started → succeeded\n$/);
    const logJson = JSON.parse(torbit(app, ['ship', 'log', failed.id, '--json']).out) as { run: { id: string }; events: ProductEvent[] };
    assert.deepEqual([logJson.run.id, names(logJson.events)], [failed.id, ['started', 'failed']]);

    const unknown = torbit(app, ['ship', 'log', 'ffffffff']);
    assert.deepEqual([unknown.code, unknown.err.trim()], [1, 'torbit: there is no background run ffffffff (torbit ship runs lists them)']);
    const usage = torbit(app, ['ship', 'log']);
    assert.deepEqual([usage.code, usage.err.trim()], [2, 'torbit: ship log needs one run id (torbit ship runs lists them)']);
    assert.equal(torbit(app, ['ship', 'runs', '--limit', '0']).code, 2);
  });
});
