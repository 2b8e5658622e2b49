// Entry point VS Code loads through --extensionTestsPath (bundled by test/electron/bundle.ts).
// Runs Mocha over the suite's test files with Torbit's reporter, which writes the stats file
// named by TORBIT_TEST_STATS for test/electron/launch.ts.
import Mocha from 'mocha';
import * as path from 'node:path';

// launch.ts passes the repo root; otherwise the bundle sits in <repo>/.vscode-test/electron-suite.
const repoRoot = process.env.TORBIT_REPO_ROOT || path.resolve(__dirname, '../..');

export async function run(): Promise<void> {
  const mocha = new Mocha({
    ui: 'bdd',
    reporter: path.join(repoRoot, 'test/support/reporter.cjs'),
    timeout: 120_000,
    color: true,
  });
  // Test files are imported explicitly (esbuild bundles them) rather than found on disk. Each is
  // imported only after this, so describe/it exist as globals while it loads.
  const load = async (file: string, imported: () => Promise<unknown>): Promise<void> => {
    mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_PRE_REQUIRE, globalThis, file, mocha);
    await imported();
    mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_REQUIRE, {}, file, mocha);
    mocha.suite.emit(Mocha.Suite.constants.EVENT_FILE_POST_REQUIRE, globalThis, file, mocha);
  };
  await load('extension.test.ts', () => import('./extension.test'));

  const failures = await new Promise<number>((resolve) => mocha.run(resolve));
  if (failures > 0) throw new Error(`${failures} test${failures === 1 ? '' : 's'} failed`);
}
