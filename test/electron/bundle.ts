// Bundles the in-VS Code suite (test/electron/suite) into one CommonJS file for
// --extensionTestsPath. `vscode` and `mocha` stay external: VS Code provides the first, and the
// second must be the same Mocha that test/support/reporter.cjs extends. The output lives under
// <repo>/.vscode-test/ so that require('mocha') finds the repository's node_modules.
import * as esbuild from 'esbuild';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const repoRoot = path.resolve(__dirname, '../..');

/** Bundles the suite into outDir (emptied first) and returns the path of its index.js. */
export async function bundleSuite(outDir = path.join(repoRoot, '.vscode-test', 'electron-suite')): Promise<string> {
  fs.rmSync(outDir, { recursive: true, force: true });
  await esbuild.build({
    absWorkingDir: repoRoot,
    entryPoints: { index: path.join(repoRoot, 'test/electron/suite/index.ts') },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // Same as scripts/build.mjs: some packages ship a UMD `main` that esbuild cannot follow.
    mainFields: ['module', 'main'],
    external: ['vscode', 'mocha'],
    sourcemap: 'inline',
    logLevel: 'warning',
    outdir: outDir,
  });
  return path.join(outDir, 'index.js');
}
