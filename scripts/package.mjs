// `npm run package`: a production build, then a platform-specific .vsix (it carries sqlite3's
// native addon for this platform) in artifacts/. Prints the .vsix path as its last line.
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
const target = `${process.platform === 'win32' ? 'win32' : process.platform}-${process.arch}`;
const out = path.join(root, 'artifacts', `torbit-${pkg.version}-${target}.vsix`);

execFileSync(process.execPath, [path.join(root, 'scripts/build.mjs'), '--production'], { cwd: root, stdio: 'inherit' });
fs.mkdirSync(path.dirname(out), { recursive: true });
const vsce = path.join(root, 'node_modules/@vscode/vsce/vsce');
// --no-dependencies: everything is bundled; the one native addon sits in dist/ already.
execFileSync(process.execPath, [vsce, 'package', '--no-dependencies', '--target', target, '--out', out], { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] });
console.log(out);
