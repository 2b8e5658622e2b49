// The HTML shell of every Torbit webview: a strict nonce-based CSP, local resources only.
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import { webviewCsp } from './csp';

export type WebviewEntry = 'chat' | 'governance';

export function localResourceRoots(extensionUri: vscode.Uri): vscode.Uri[] {
  return [vscode.Uri.joinPath(extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(extensionUri, 'media')];
}

export function webviewHtml(webview: vscode.Webview, extensionUri: vscode.Uri, entry: WebviewEntry, title: string): string {
  const nonce = randomBytes(16).toString('base64');
  const res = (...p: string[]) => webview.asWebviewUri(vscode.Uri.joinPath(extensionUri, ...p)).toString();
  const csp = webviewCsp(webview.cspSource, nonce);
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${res('dist', 'webview', 'codicons', 'codicon.css')}" id="vscode-codicon-stylesheet">
  <link rel="stylesheet" href="${res('media', 'webview.css')}">
  <title>${title}</title>
</head>
<body data-entry="${entry}">
  <main id="app" aria-label="${title}"></main>
  <script type="module" nonce="${nonce}" src="${res('dist', 'webview', `${entry}.js`)}"></script>
</body>
</html>`;
}
