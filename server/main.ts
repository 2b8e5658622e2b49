// The backend process. VS Code forks it through vscode-languageclient (IPC); tests spawn it the
// same way. It owns the work; the extension only renders what this process reports.
import { createConnection, ErrorCodes, ProposedFeatures, ResponseError } from 'vscode-languageserver/node';
import { Backend } from './backend';
import type { Logger } from './logger';
import { describeZodError, InitOptions, rpc } from './protocol';
import { onRequest } from './rpc';
import { VERSION } from './version';

const connection = createConnection(ProposedFeatures.all);
const log: Logger = {
  error: (m) => connection.console.error(m),
  warn: (m) => connection.console.warn(m),
  info: (m) => connection.console.info(m),
  debug: (m) => connection.console.debug(m),
};

let backend: Backend | undefined;

function ready(): Backend {
  if (!backend) throw new ResponseError(ErrorCodes.ServerNotInitialized, 'the Torbit backend has not been initialized yet');
  return backend;
}

connection.onInitialize(async (params) => {
  const parsed = InitOptions.safeParse(params.initializationOptions ?? {});
  if (!parsed.success) {
    throw new ResponseError(ErrorCodes.InvalidParams, `initializationOptions: ${describeZodError(parsed.error)}`);
  }
  const opts = parsed.data;
  backend = await Backend.open({
    workspace: opts.workspaceFolders[0] ?? null,
    dataDirSetting: opts.dataDirSetting,
    globalStorageDir: opts.globalStorageDir,
    env: process.env,
    log,
    mode: 'migrate',
  });
  log.info(`Torbit backend ${VERSION} (pid ${process.pid}, node ${process.version}) serving ${opts.workspaceFolders.join(', ') || 'no folder'}${opts.trusted ? '' : ' [untrusted: no tool execution]'}`);
  return { capabilities: {}, serverInfo: { name: 'torbit', version: VERSION } };
});

onRequest(connection, log, rpc.status, () => ready().status());

connection.onShutdown(async () => { await backend?.close(); });

process.on('uncaughtException', (err) => {
  log.error(`uncaught: ${err.stack ?? err.message}`);
  process.exit(1);
});

connection.listen();
