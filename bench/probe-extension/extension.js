// Posts N timestamped messages at a fixed rate from the extension host to a webview that records
// when each arrives and appends it to the page: VS Code's channel alone, the floor under Torbit's
// relay. Read by bench/relay.ts (window.__probe in the webview).
const vscode = require('vscode');

exports.activate = (ctx) => {
  let view;
  ctx.subscriptions.push(vscode.window.registerWebviewViewProvider('relayProbe.view', {
    resolveWebviewView(v) {
      view = v;
      v.webview.options = { enableScripts: true };
      const nonce = String(Math.random()).slice(2);
      v.webview.html = `<!DOCTYPE html><html><head><meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src 'nonce-${nonce}'"></head>
<body><div id="out" data-testid="probe-out"><p></p></div><script nonce="${nonce}">
window.__probe = [];
const out = document.getElementById('out');
window.addEventListener('message', (e) => {
  const tIn = performance.timeOrigin + performance.now();
  // Rendered as the chat renders an answer: paragraphs, each closed at a blank line.
  out.lastChild.append(document.createTextNode(e.data.text));
  if (e.data.text.endsWith('\\n\\n')) out.append(document.createElement('p'));
  window.__probe.push({ i: e.data.i, sentAt: e.data.sentAt, tIn, t: performance.timeOrigin + performance.now() });
});
</script></body></html>`;
    },
  }));
  ctx.subscriptions.push(vscode.commands.registerCommand('relayProbe.run', async () => {
    if (!view) throw new Error('open the Relay Probe view first');
    // The bench sets these in the profile, so the probe carries the same traffic as Torbit.
    const cfg = vscode.workspace.getConfiguration('relayProbe');
    const n = cfg.get('count', 3000);
    const interval = 1000 / cfg.get('rate', 200);
    const t0 = performance.now();
    for (let i = 0; i < Number(n); i++) {
      const wait = t0 + i * interval - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      void view.webview.postMessage({ i, text: `c${i}${(i + 1) % 60 === 0 ? '\n\n' : ' '}`, sentAt: performance.timeOrigin + performance.now() });
    }
  }));
};
