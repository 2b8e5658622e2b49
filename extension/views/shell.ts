// The Content-Security-Policy of every Torbit webview: local resources only, scripts and styles
// by nonce, no eval. Plain TypeScript, so the webview tests run under exactly this policy.
export function webviewCsp(source: string, nonce: string): string {
  return [
    "default-src 'none'",
    `img-src ${source} data:`,
    `font-src ${source}`,
    `style-src ${source} 'nonce-${nonce}'`,
    `script-src 'nonce-${nonce}'`,
  ].join('; ');
}
