// Starts the backend (server/main.ts, bundled to dist/server.js) as a Node module over IPC,
// with Torbit's restart policy in place of vscode-languageclient's default one.
import * as vscode from 'vscode';
import {
  CloseAction, ErrorAction, LanguageClient, TransportKind,
  type CloseHandlerResult, type ErrorHandler, type ErrorHandlerResult, type LanguageClientOptions, type ServerOptions,
} from 'vscode-languageclient/node';
import type { InitOptions } from '../server/protocol';
import type { RestartPolicy } from './restartPolicy';

export interface ClientHooks {
  /** Called when the policy gives up, with a sentence a person can act on. */
  onGiveUp(reason: string): void;
  onRestarting(attempt: number): void;
}

export function createClient(
  extCtx: vscode.ExtensionContext, log: vscode.LogOutputChannel, init: InitOptions, env: NodeJS.ProcessEnv, policy: RestartPolicy, hooks: ClientHooks,
): LanguageClient {
  const module = extCtx.asAbsolutePath('dist/server.js');
  const serverOptions: ServerOptions = {
    run: { module, transport: TransportKind.ipc, options: { env } },
    debug: { module, transport: TransportKind.ipc, options: { env, execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const errorHandler: ErrorHandler = {
    error(_error, _message, count): ErrorHandlerResult {
      return { action: count !== undefined && count <= 3 ? ErrorAction.Continue : ErrorAction.Shutdown, handled: true };
    },
    closed(): CloseHandlerResult {
      const d = policy.onCrash();
      if (d.restart) {
        log.warn(`the backend stopped unexpectedly; restarting (attempt ${d.attempt})`);
        hooks.onRestarting(d.attempt);
        return { action: CloseAction.Restart, handled: true };
      }
      log.error(d.reason);
      hooks.onGiveUp(d.reason);
      return { action: CloseAction.DoNotRestart, handled: true };
    },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [],
    outputChannel: log,
    initializationOptions: init,
    errorHandler,
    // Every file change in the workspace reaches the backend (workspace/didChangeWatchedFiles):
    // the checkpoint before a turn's first change then looks at the changed files only.
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/*') },
  };
  return new LanguageClient('torbit', 'Torbit', serverOptions, clientOptions);
}
