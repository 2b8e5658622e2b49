// The HTML of Torbit's webviews in VS Code: the shared shell with the webview's own resource URIs.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { webviewShell } from './shell';

export type WebviewEntry = 'chat' | 'governance';

export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, entry: WebviewEntry, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const res = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  return webviewShell({
    source: webview.cspSource, nonce, entry, title,
    href: { codicons: res('dist', 'webview', 'codicons', 'codicon.css'), css: res('media', 'webview.css'), script: res('dist', 'webview', `${entry}.js`) },
  });
}
