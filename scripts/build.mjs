// Bundles the three programs with esbuild: the extension (vscode external), the backend and its
// CLI (sqlite3's native addon copied beside them), and the webviews (browser, their own tsconfig).
// Usage: node scripts/build.mjs [--production] [--watch]
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const dist = path.join(root, 'dist');

// sqlite3 finds its addon through `bindings`, which searches the disk at run time and cannot be
// bundled; point it straight at dist/node_sqlite3.node instead.
const sqliteAddon = {
  name: 'sqlite3-addon',
  setup(build) {
    build.onLoad({ filter: /sqlite3[\\/]lib[\\/]sqlite3-binding\.js$/ }, () => ({
      contents: "module.exports = require('./node_sqlite3.node');",
      loader: 'js',
    }));
    build.onResolve({ filter: /^\.\/node_sqlite3\.node$/ }, (args) => ({ path: args.path, external: true }));
  },
};

const common = {
  bundle: true,
  minify: production,
  sourcemap: production ? false : 'linked',
  logLevel: 'warning',
  define: { __TORBIT_VERSION__: JSON.stringify(pkg.version) },
};

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // Prefer ESM entries: some packages (jsonc-parser) ship a UMD `main` that esbuild cannot follow.
  mainFields: ['module', 'main'],
};

const builds = [
  { ...node, entryPoints: { extension: 'extension/main.ts' }, external: ['vscode'], outdir: dist },
  { ...node, entryPoints: { server: 'server/main.ts' }, plugins: [sqliteAddon], outdir: dist },
  { ...node, entryPoints: { cli: 'server/cli.ts' }, plugins: [sqliteAddon], outdir: dist },
  {
    ...common,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    tsconfig: 'webview/tsconfig.json',
    entryPoints: { chat: 'webview/chat/main.ts', governance: 'webview/governance/main.ts' },
    outdir: path.join(dist, 'webview'),
  },
];

function copyAssets() {
  const addon = path.join(root, 'node_modules/sqlite3/build/Release/node_sqlite3.node');
  if (!fs.existsSync(addon)) throw new Error(`sqlite3's native addon is missing (${addon}): run npm install (sqlite3 builds from source)`);
  fs.mkdirSync(dist, { recursive: true });
  fs.copyFileSync(addon, path.join(dist, 'node_sqlite3.node'));
  const codicons = path.join(dist, 'webview', 'codicons');
  fs.mkdirSync(codicons, { recursive: true });
  for (const f of ['codicon.css', 'codicon.ttf']) fs.copyFileSync(path.join(root, 'node_modules/@vscode/codicons/dist', f), path.join(codicons, f));
}

process.chdir(root);
if (!watch) fs.rmSync(dist, { recursive: true, force: true });
copyAssets();
if (watch) {
  for (const b of builds) await (await esbuild.context(b)).watch();
  console.log('watching for changes…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
  fs.chmodSync(path.join(dist, 'cli.js'), 0o755);
  console.log(`built Torbit ${pkg.version}${production ? ' (production)' : ''} into dist/`);
}
