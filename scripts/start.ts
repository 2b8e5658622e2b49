// `npm start`: builds Torbit and opens it in VS Code on a sample workspace. With desktop VS Code
// (`code`) on PATH: an Extension Development Host. Otherwise: code-server on 127.0.0.1, with the
// packaged .vsix installed, printing the URL to open. Ctrl+C (or SIGTERM, SIGHUP, or its launcher
// ending) stops it with everything it started: code-server, its extension host and the backend.
// With no provider key in the environment (OPENAI_API_KEY, ANTHROPIC_API_KEY,
// GOOGLE_GENERATIVE_AI_API_KEY), the chat talks to a built-in demo model on loopback, so the main
// job can be tried at once; --demo forces it, --no-demo never uses it.
// Options: --web (code-server even when `code` exists), --port N, --workspace DIR, --demo,
//          --no-demo, --exit-when-ready (start, check it answers, stop: a smoke test of this command).
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { startDemoModel } from './lib/demoModel';
import { stopSignal } from './lib/stopSignal';
import { installExtension, packageVsix, ROOT, sampleWorkspace, setupVsCodeWeb, startCodeServer } from './lib/vscodeWeb';

const { values } = parseArgs({
  options: {
    web: { type: 'boolean' }, port: { type: 'string' }, workspace: { type: 'string' }, 'exit-when-ready': { type: 'boolean' },
    demo: { type: 'boolean' }, 'no-demo': { type: 'boolean' },
  },
});
const cache = process.env.TORBIT_CACHE || path.join(os.homedir(), '.cache', 'torbit');
const workspace = values.workspace ? path.resolve(values.workspace) : path.join(ROOT, 'artifacts', 'sample-workspace');
if (!fs.existsSync(workspace)) sampleWorkspace(workspace);

function hasDesktopCode(): boolean {
  return spawnSync(process.platform === 'win32' ? 'where' : 'which', ['code'], { stdio: 'ignore' }).status === 0;
}

async function main(stopped: AbortSignal): Promise<void> {
  if (!values.web && hasDesktopCode()) {
    execFileSync(process.execPath, [path.join(ROOT, 'scripts/build.mjs')], { stdio: 'inherit' });
    console.log(`Opening an Extension Development Host on ${workspace}`);
    execFileSync('code', [`--extensionDevelopmentPath=${ROOT}`, workspace], { stdio: 'inherit' });
    return;
  }
  const hasKey = ['OPENAI_API_KEY', 'ANTHROPIC_API_KEY', 'GOOGLE_GENERATIVE_AI_API_KEY'].some((k) => process.env[k]);
  const demo = values.demo || (!hasKey && !values['no-demo']) ? await startDemoModel() : undefined;
  const web = setupVsCodeWeb();
  const vsix = packageVsix();
  const extensionsDir = path.join(cache, 'start', 'extensions');
  installExtension(web, vsix, extensionsDir);
  const server = await startCodeServer(web, {
    workspace, extensionsDir, userDataDir: path.join(cache, 'start', 'profile'),
    port: values.port ? Number(values.port) : Number(process.env.TORBIT_PORT) || undefined, signal: stopped,
    settings: demo ? { 'torbit.model': 'openai-compatible:torbit-demo', 'torbit.openaiCompatible.baseUrl': demo.baseURL } : undefined,
  });
  const url = server.folderUrl(workspace);
  console.log(`\nTorbit is running in VS Code (code-server):\n\n  ${url}\n\nOpen it in a browser and click the Torbit icon; Ctrl+C stops it.`);
  if (demo) console.log(`No provider key in the environment: the chat uses Torbit's demo model (${demo.baseURL}). Set a key with "Torbit: Set API Key" and pick a model to use a real one.`);
  if (values['exit-when-ready']) {
    const page = await fetch(url).then((r) => r.text());
    if (!page.includes('vscode')) throw new Error('code-server answered, but not with the workbench');
    console.log('ready: the workbench answers; stopping (--exit-when-ready)');
    await server.stop();
    await demo?.close();
    return;
  }
  // A stop signal aborts `stopped`, which stops code-server's whole process group.
  await new Promise<void>((resolve) => server.process.once('exit', () => resolve()));
  await server.stop(); // what it started may outlive it
  await demo?.close();
  if (!stopped.aborted) console.log(`code-server stopped:\n${server.log().slice(-2000)}`);
}

// Stop signals are taken from the start, so that one arriving while code-server starts still
// stops it; stopping is bounded (endTree SIGKILLs what is left after 5 s).
const stopped = stopSignal((why) => console.log(`\nnpm start: ${why}: stopping code-server and everything it started`));
main(stopped).then(() => process.exit(0), (err: Error) => {
  if (stopped.aborted) process.exit(0);
  console.error(`npm start: ${err.message}`);
  process.exit(1);
});
