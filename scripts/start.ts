// `npm start`: builds Torbit and opens it in VS Code on a sample workspace. With desktop VS Code
// (`code`) on PATH: an Extension Development Host. Otherwise: code-server on 127.0.0.1, with the
// packaged .vsix installed, printing the URL to open. Ctrl+C stops it.
// Options: --web (code-server even when `code` exists), --port N, --workspace DIR,
//          --exit-when-ready (start, check it answers, stop: a smoke test of this command).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { installExtension, packageVsix, ROOT, sampleWorkspace, setupVsCodeWeb, startCodeServer } from './lib/vscodeWeb';

const { values } = parseArgs({
  options: { web: { type: 'boolean' }, port: { type: 'string' }, workspace: { type: 'string' }, 'exit-when-ready': { type: 'boolean' } },
});
const cache = process.env.TORBIT_CACHE || path.join(os.homedir(), '.cache', 'torbit');
const workspace = values.workspace ? path.resolve(values.workspace) : path.join(ROOT, 'artifacts', 'sample-workspace');
if (!fs.existsSync(workspace)) sampleWorkspace(workspace);

function hasDesktopCode(): boolean {
  return spawnSync(process.platform === 'win32' ? 'where' : 'which', ['code'], { stdio: 'ignore' }).status === 0;
}

async function main(): Promise<void> {
  if (!values.web && hasDesktopCode()) {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
    console.log(`Opening an Extension Development Host on ${workspace}`);
    execFileSync('code', [`--extensionDevelopmentPath=${ROOT}`, workspace], { stdio: 'inherit' });
    return;
  }
  const web = setupVsCodeWeb();
  const vsix = packageVsix();
  const extensionsDir = path.join(cache, 'start', 'extensions');
  installExtension(web, vsix, extensionsDir);
  const server = await startCodeServer(web, {
    workspace, extensionsDir, userDataDir: path.join(cache, 'start', 'profile'),
    port: values.port ? Number(values.port) : Number(process.env.TORBIT_PORT) || undefined,
  });
  const url = server.folderUrl(workspace);
  console.log(`\nTorbit is running in VS Code (code-server):\n\n  ${url}\n\nOpen it in a browser; Ctrl+C stops it.`);
  if (values['exit-when-ready']) {
    const page = await fetch(url).then((r) => r.text());
    if (!page.includes('vscode')) throw new Error('code-server answered, but not with the workbench');
    console.log('ready: the workbench answers; stopping (--exit-when-ready)');
    await server.stop();
    return;
  }
  const stop = () => { void server.stop().then(() => process.exit(0)); };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  await new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
  console.log(`code-server stopped:\n${server.log().slice(-2000)}`);
}

main().catch((err: Error) => {
  console.error(`npm start: ${err.message}`);
  process.exit(1);
});
