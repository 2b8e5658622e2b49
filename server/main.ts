// The backend process. VS Code forks it through vscode-languageclient (IPC); tests spawn it the
// same way. It owns the work; the extension only renders what this process reports.
import { createConnection, ErrorCodes, ProposedFeatures, ResponseError } from 'vscode-languageserver/node';
import { Backend } from './backend';
import type { ChatService } from './agent/chat';
import type { ChatRepo } from './store/chatRepo';
import { RestoreRefused, type Checkpoints } from './checkpoints/service';
import { replayTurn } from './replay/replay';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Governance } from './trust/governance';
import { PolicyAcceptError } from './trust/policyAcceptance';
import { ReviewError } from './review/baseline';
import { finishReview } from './review/finish';
import { installGate, noticeUngatedPushes } from './review/gate';
import { createBundle, reviewChanges } from './review/service';
import { ship } from './review/ship';
import { diagnose } from './eas/diagnose';
import { proposeEasJson, writeEasJson } from './eas/config';
import { EasJsonError } from './eas/easJson';
import { finishedBuilds } from './eas/builds';
import { RunManager, UnknownRun } from './runs/manager';
import { startRun, StartRefused } from './runs/start';
import type { Trust } from './trust/runTrust';
import { ApprovalBroker } from './trust/approvals';
import type { Logger } from './logger';
import { describeZodError, InitOptions, rpc } from './protocol';
import { notify, onRequest } from './rpc';
import { VERSION } from './version';

const connection = createConnection(ProposedFeatures.all);
const log: Logger = {
  error: (m) => connection.console.error(m),
  warn: (m) => connection.console.warn(m),
  info: (m) => connection.console.info(m),
  debug: (m) => connection.console.debug(m),
};

let backend: Backend | undefined;
let chat: { chat: ChatService; repo: ChatRepo } | undefined;
let governance: Governance | undefined;
let broker: ApprovalBroker | undefined;
let checkpoints: Checkpoints | undefined;
let trust: Trust | undefined;
/** Background runs (EAS builds and submissions); resumed once the client is initialized. */
let runs: RunManager | undefined;
let trusted = false;
/** The Ship run in progress: one at a time (it tests, commits and pushes the repository). */
let shipping: string | undefined;

function ready(): Backend {
  if (!backend) throw new ResponseError(ErrorCodes.ServerNotInitialized, 'the Torbit backend has not been initialized yet');
  return backend;
}

function chatReady(): { chat: ChatService; repo: ChatRepo } {
  ready();
  if (!chat) throw new Error(backend?.store.state === 'error' ? `the chat is unavailable: ${backend.store.message}` : 'the chat is unavailable (no database)');
  return chat;
}

connection.onInitialize(async (params) => {
  const parsed = InitOptions.safeParse(params.initializationOptions ?? {});
  if (!parsed.success) {
    throw new ResponseError(ErrorCodes.InvalidParams, `initializationOptions: ${describeZodError(parsed.error)}`);
  }
  const opts = parsed.data;
  trusted = opts.trusted;
  backend = await Backend.open({
    workspace: opts.workspaceFolders[0] ?? null,
    dataDirSetting: opts.dataDirSetting,
    globalStorageDir: opts.globalStorageDir,
    folders: opts.workspaceFolders,
    environmentSetting: opts.environment,
    env: process.env,
    log,
    mode: 'migrate',
  });
  governance = new Governance(backend, { pinnedHash: opts.policyHash, env: process.env });
  broker = new ApprovalBroker({
    timeoutMs: opts.agent.approvalTimeoutSeconds * 1000,
    onRequest: (p) => notify(connection, rpc.approvalRequested, p),
    onResolved: (approval, outcome) => notify(connection, rpc.approvalResolved, { approval, outcome }),
  });
  if (backend.store.state === 'ok') {
    const opened = await backend.openChat({
      trusted: opts.trusted, settings: opts.agent, env: process.env, log,
      sink: (p) => notify(connection, rpc.chatEvent, p),
      trust: { pinnedHash: opts.policyHash, broker },
      checkpointOptions: { maxFileBytes: opts.checkpoints.maxFileBytes, onChanged: (e) => notify(connection, rpc.checkpointChanged, e) },
    });
    chat = opened;
    checkpoints = opened.checkpoints;
    trust = opened.trust;
    runs = new RunManager({
      db: backend.requireDb(), audit: backend.audit(), log, dataDir: backend.dataDir.dir, env: process.env,
      settings: {
        pollMs: opts.eas.pollSeconds * 1000, staleAfterMs: opts.eas.staleAfterSeconds * 1000,
        maxAttempts: opts.eas.maxAttempts, backoffMs: opts.eas.backoffSeconds * 1000,
      },
      changed: (v) => notify(connection, rpc.runChanged, v),
      output: (runId, chunk) => notify(connection, rpc.runOutput, { runId, chunk }),
    });
    backend.feed.setWatching(opts.fileEvents);
    if (opened.interrupted) log.warn(`${opened.interrupted} turn(s) left running by a previous backend were marked interrupted`);
    // Pushes made around the review gate since the last start (git push --no-verify): recorded, not blocked.
    const audit = backend.audit();
    void Promise.all(backend.folders.map((f) => noticeUngatedPushes({ audit }, f).then((found) => {
      for (const u of found) log.warn(`${u.ref} was pushed to ${u.sha.slice(0, 12)} without the review gate (git push --no-verify?): recorded in the audit log`);
    }, () => undefined)));
  }
  log.info(`Torbit backend ${VERSION} (pid ${process.pid}, node ${process.version}) serving ${opts.workspaceFolders.join(', ') || 'no folder'}${opts.trusted ? '' : ' [untrusted: no tool execution]'}`);
  return { capabilities: {}, serverInfo: { name: 'torbit', version: VERSION } };
});

connection.onInitialized(() => {
  void runs?.resume().then((n) => { if (n) log.info(`resumed ${n} background run(s) left by a previous backend`); }, (err: Error) => log.error(`resuming background runs: ${err.message}`));
});

onRequest(connection, log, rpc.status, () => ready().status());
onRequest(connection, log, rpc.chatSend, async (p) => {
  const { sessionId, turnId } = await chatReady().chat.send(p);
  return { sessionId, turnId };
});
onRequest(connection, log, rpc.chatStop, (p) => ({ stopped: chatReady().chat.stop(p.turnId) }));
onRequest(connection, log, rpc.sessionList, async (p) => ({ sessions: await chatReady().repo.listSessions(p?.limit) }));
onRequest(connection, log, rpc.sessionGet, async (p) => {
  const { repo } = chatReady();
  const session = await repo.summary(p.sessionId);
  if (!session) throw new ResponseError(ErrorCodes.InvalidParams, `there is no session ${p.sessionId}`);
  return { session, turns: await repo.transcript(p.sessionId), runningTurnId: await repo.runningTurn(p.sessionId) };
});
onRequest(connection, log, rpc.changeGet, async (p) => {
  const change = await chatReady().chat.change(p.changeId);
  if (!change) throw new ResponseError(ErrorCodes.InvalidParams, `there is no change ${p.changeId}`);
  return change;
});

function governanceReady(): Governance {
  ready().requireDb();
  if (!governance) throw new ResponseError(ErrorCodes.ServerNotInitialized, 'the Torbit backend has not been initialized yet');
  return governance;
}
/**
 * What the caller must fix (no repository or a damaged baseline, a damaged eas.json, a refused
 * start or restore, an unknown run) is answered with its reason and a client-error code, not as
 * the backend failing.
 */
async function callersFault<T>(fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (err instanceof RestoreRefused) throw new ResponseError(ErrorCodes.InvalidRequest, err.message, err.preview ? { preview: err.preview } : undefined);
    if (err instanceof ReviewError || err instanceof EasJsonError || err instanceof StartRefused) throw new ResponseError(ErrorCodes.InvalidRequest, err.message);
    if (err instanceof UnknownRun) throw new ResponseError(ErrorCodes.InvalidParams, err.message);
    throw err;
  }
}
onRequest(connection, log, rpc.policyGet, () => governanceReady().policy());
// --- policy acceptance (issue 15, item 6): one handler; its logic is in server/trust/policyAcceptance.ts ---
onRequest(connection, log, rpc.policyAccept, async (p) => {
  try {
    return await governanceReady().accept(p.sha256);
  } catch (err) {
    if (err instanceof PolicyAcceptError) throw new ResponseError(ErrorCodes.InvalidRequest, err.message);
    throw err;
  }
});
// --- end policy acceptance ---
onRequest(connection, log, rpc.auditList, (p) => governanceReady().timeline(p));
onRequest(connection, log, rpc.auditExport, (p) => governanceReady().export(p));
onRequest(connection, log, rpc.auditBundles, () => ({ bundles: governanceReady().bundles() }));
onRequest(connection, log, rpc.auditVerify, (p) => governanceReady().verify(p.file));

/** The backend and the workspace folder a request names (the first one by default); `needs` says for what. */
function requestFolder(asked: string | undefined, needs: string): { b: Backend; folder: string } {
  const b = ready();
  const folder = asked ?? b.folders[0];
  if (!folder || !b.folders.includes(folder)) throw new ResponseError(ErrorCodes.InvalidRequest, asked ? `${asked} is not a folder of this workspace` : `${needs} needs an open folder`);
  return { b, folder };
}
const reviewFolder = (asked: string | undefined) => requestFolder(asked, 'a review');
onRequest(connection, log, rpc.reviewBundle, (p) => callersFault(() => {
  const { b, folder } = reviewFolder(p.folder);
  return createBundle({ ...p, folder, dataDir: b.dataDir.dir });
}));
onRequest(connection, log, rpc.reviewRun, (p) => callersFault(() => {
  const { b, folder } = reviewFolder(p.folder);
  return reviewChanges({ db: b.requireDb(), audit: b.audit(), dataDir: b.dataDir.dir, env: process.env }, { ...p, folder });
}));
onRequest(connection, log, rpc.reviewFinish, (p) => callersFault(() => {
  const { b, folder } = reviewFolder(p.folder);
  return finishReview({ db: b.requireDb(), audit: b.audit() }, folder);
}));
onRequest(connection, log, rpc.reviewInstallGate, (p) => callersFault(() => {
  const { b, folder } = reviewFolder(p.folder);
  // The hook runs the CLI next to this bundle, with the runtime running it (Electron's runs as Node).
  return installGate({ audit: b.audit() }, folder, { node: process.execPath, cli: path.join(__dirname, 'cli.js'), dataDir: b.dataDir.dir });
}));

onRequest(connection, log, rpc.reviewShip, (p, token) => callersFault(async () => {
  const { b, folder } = reviewFolder(p.folder);
  if (shipping) throw new ResponseError(ErrorCodes.InvalidRequest, `Ship is already running (${shipping}): wait for it, or stop it`);
  shipping = p.shipId;
  const controller = new AbortController();
  const sub = token.onCancellationRequested?.(() => controller.abort());
  try {
    return await ship({
      db: b.requireDb(), audit: b.audit(), dataDir: b.dataDir.dir, env: process.env, signal: controller.signal,
      chat: chat?.chat ?? null, trusted,
      progress: (e) => notify(connection, rpc.reviewShipProgress, e),
      output: (chunk) => notify(connection, rpc.reviewShipOutput, { shipId: p.shipId, chunk }),
    }, { ...p, folder });
  } finally {
    sub?.dispose();
    shipping = undefined;
  }
}));

const easFolder = (asked: string | undefined) => requestFolder(asked, 'EAS');
onRequest(connection, log, rpc.easDiagnose, (p) => diagnose(easFolder(p.folder).folder, process.env));
onRequest(connection, log, rpc.easProposeConfig, (p) => callersFault(() => proposeEasJson(easFolder(p.folder).folder, { track: p.track })));
onRequest(connection, log, rpc.easWriteConfig, (p) => callersFault(() => {
  const { b, folder } = easFolder(p.folder);
  if (!trusted) throw new ResponseError(ErrorCodes.InvalidRequest, 'writing eas.json needs a trusted workspace');
  return writeEasJson({ audit: b.audit() }, folder, p.before, p.after);
}));

function runsReady(): RunManager {
  ready().requireDb();
  if (!runs) throw new ResponseError(ErrorCodes.InvalidRequest, 'background runs need the Torbit database');
  return runs;
}
onRequest(connection, log, rpc.easStart, async (p) => {
  const { b, folder } = easFolder(p.folder);
  if (!trusted) throw new ResponseError(ErrorCodes.InvalidRequest, 'builds and submissions need a trusted workspace');
  if (!trust) throw new ResponseError(ErrorCodes.InvalidRequest, 'builds and submissions need the Torbit database');
  return { run: await callersFault(() => startRun({ runs: runsReady(), trust: trust!, audit: b.audit(), env: process.env }, folder, p.spec)) };
});
onRequest(connection, log, rpc.easBuilds, async (p) => ({ builds: await finishedBuilds(easFolder(p.folder).folder, p.platform, process.env) }));
onRequest(connection, log, rpc.runList, async (p) => ({ runs: await runsReady().list(p?.limit) }));
onRequest(connection, log, rpc.runCancel, (p) => callersFault(async () => ({ run: await runsReady().cancel(p.runId) })));
onRequest(connection, log, rpc.runLog, (p) => callersFault(() => runsReady().log(p.runId)));

// The extension's watcher: what changed since the last checkpoint.
connection.onDidChangeWatchedFiles((p) => {
  const paths: string[] = [];
  for (const c of p.changes) {
    try { paths.push(fileURLToPath(c.uri)); } catch { /* not a file: URI */ }
  }
  backend?.feed.touched(paths);
});

function checkpointsReady(): Checkpoints {
  chatReady();
  if (!checkpoints) throw new Error('checkpoints need an open folder');
  return checkpoints;
}
onRequest(connection, log, rpc.checkpointList, (p) => checkpointsReady().list(p ?? {}).then((list) => ({ checkpoints: list })));
onRequest(connection, log, rpc.checkpointCreate, (p) => checkpointsReady().create({ label: p.label }));
onRequest(connection, log, rpc.checkpointPreview, (p) => callersFault(() => checkpointsReady().preview(p.checkpointId, p.mode)));
onRequest(connection, log, rpc.checkpointRestore, (p) => callersFault(() => checkpointsReady().restore(p)));
onRequest(connection, log, rpc.checkpointForTurn, async (p) => ({ checkpoint: await checkpointsReady().forTurn(p.turnId) }));
onRequest(connection, log, rpc.checkpointFile, (p) => callersFault(() => checkpointsReady().file(p.checkpointId, p.folder, p.path)));
onRequest(connection, log, rpc.replayTurn, (p) => replayTurn({ db: ready().requireDb(), checkpoints: checkpointsReady(), env: process.env }, p.turnId, p.mode));

function brokerReady(): ApprovalBroker {
  ready();
  if (!broker) throw new ResponseError(ErrorCodes.ServerNotInitialized, 'the Torbit backend has not been initialized yet');
  return broker;
}
onRequest(connection, log, rpc.approvalList, () => ({ approvals: brokerReady().pending() }));
onRequest(connection, log, rpc.approvalGet, (p) => {
  const found = brokerReady().get(p.approvalId);
  if (!found) throw new ResponseError(ErrorCodes.InvalidParams, `there is no pending approval ${p.approvalId} (it was decided, timed out or stopped)`);
  if (!found.text) throw new ResponseError(ErrorCodes.InvalidParams, `approval ${p.approvalId} is not an edit`);
  return { approval: found.approval, before: found.text.before, after: found.text.after };
});
onRequest(connection, log, rpc.approvalDecide, (p) => {
  try {
    brokerReady().decide(p);
  } catch (err) {
    if (err instanceof ResponseError) throw err;
    throw new ResponseError(ErrorCodes.InvalidParams, (err as Error).message);
  }
  return { ok: true as const };
});

connection.onShutdown(async () => {
  runs?.close();
  await chat?.chat.stopAll();
  await backend?.close();
});

process.on('uncaughtException', (err) => {
  log.error(`uncaught: ${err.stack ?? err.message}`);
  process.exit(1);
});

connection.listen();
