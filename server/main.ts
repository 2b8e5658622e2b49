// The backend process. VS Code forks it through vscode-languageclient (IPC); tests spawn it the
// same way. It owns the work; the extension only renders what this process reports. This file
// only builds the Ctx and registers: the handlers live with their domains (server/handlers.ts).
import { createConnection, ErrorCodes, ProposedFeatures, ResponseError } from 'vscode-languageserver/node';
import { fileURLToPath } from 'node:url';
import type { Logger } from './logger';
import { describeZodError, InitOptions } from './protocol';
import { register } from './rpc';
import { ServerCtx } from './ctx';
import { HANDLERS } from './handlers';
import { VERSION } from './version';

const connection = createConnection(ProposedFeatures.all);
const log: Logger = {
  error: (m) => connection.console.error(m),
  warn: (m) => connection.console.warn(m),
  info: (m) => connection.console.info(m),
  debug: (m) => connection.console.debug(m),
};
const ctx = new ServerCtx(connection, log, process.env);

connection.onInitialize(async (params) => {
  const parsed = InitOptions.safeParse(params.initializationOptions ?? {});
  if (!parsed.success) {
    throw new ResponseError(ErrorCodes.InvalidParams, `initializationOptions: ${describeZodError(parsed.error)}`);
  }
  const opts = parsed.data;
  await ctx.open(opts);
  log.info(`Torbit backend ${VERSION} (pid ${process.pid}, node ${process.version}) serving ${opts.workspaceFolders.join(', ') || 'no folder'}${opts.trusted ? '' : ' [untrusted: restricted mode, nothing from the workspace runs]'}`);
  return { capabilities: {}, serverInfo: { name: 'torbit', version: VERSION } };
});

connection.onInitialized(() => {
  ctx.resumeRuns().then((n) => { if (n) log.info(`resumed ${n} background run(s) left by a previous backend`); }, (err: Error) => log.error(`resuming background runs: ${err.message}`));
});

register(connection, log, { trusted: () => ctx.trusted }, ctx, HANDLERS);

// The extension's watcher: what changed since the last checkpoint.
connection.onDidChangeWatchedFiles((p) => {
  const paths: string[] = [];
  for (const c of p.changes) {
    try { paths.push(fileURLToPath(c.uri)); } catch { /* not a file: URI */ }
  }
  ctx.maybeBackend?.feed.touched(paths);
});

connection.onShutdown(() => ctx.close());

// A stray rejection is a bug to log, not a reason to take every running turn and run down with it.
process.on('unhandledRejection', (reason) => {
  log.error(`unhandled rejection (the backend carries on): ${reason instanceof Error ? reason.stack ?? reason.message : String(reason)}`);
});
process.on('uncaughtException', (err) => {
  log.error(`uncaught: ${err.stack ?? err.message}`);
  process.exit(1);
});

connection.listen();
