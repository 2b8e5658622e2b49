// The page of every Torbit webview: a strict nonce-based Content-Security-Policy (local resources
// only, scripts and styles by nonce, no eval) and the shell the view's script fills. Plain
// TypeScript, so the webview tests run under exactly this page.
export function webviewCsp(source: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${source} data:`,
    `font-src ${source}`,
    `style-src ${source} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}

export interface ShellOptions {
  /** The origin local resources come from (the webview's cspSource). */
  source: string;
  nonce: string;
  entry: string;
  title: string;
  href: { codicons: string; css: string; script: string };
  /** Extra markup for <head> (the tests' stand-in for the VS Code API); must carry the nonce. */
  headExtra?: string;
}

export function webviewShell(o: ShellOptions): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${webviewCsp(o.source, o.nonce)}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${o.href.codicons}" id="vscode-codicon-stylesheet">
  <link rel="stylesheet" href="${o.href.css}">${o.headExtra ? `\n  ${o.headExtra}` : ''}
  <title>${o.title}</title>
</head>
<body data-entry="${o.entry}">
  <main id="app" aria-label="${o.title}"></main>
  <script type="module" nonce="${o.nonce}" src="${o.href.script}"></script>
</body>
</html>`;
}
