// A real Expo app to test against: the expo-template-blank package from the npm registry, and the
// real eas-cli, both pinned and fetched once into a cache outside the repository (reused by CI).
// Also made-up credentials in the real formats: a .p8 key and a service account JSON.
import { execFileSync } from 'node:child_process';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { tmpDir } from './tmp';

export const EXPO_TEMPLATE = { name: 'expo-template-blank', version: '58.0.8' };
export const EAS_CLI = { name: 'eas-cli', version: '24.8.0' };

const CACHE = path.join(process.env.TORBIT_CACHE_DIR || path.join(os.homedir(), '.cache', 'torbit'), 'fixtures');

/** Fills `dir` once with `fill(tmp)`, atomically: an interrupted fetch leaves nothing half done. */
function cached(dir: string, fill: (tmp: string) => void): string {
  if (fs.existsSync(dir)) return dir;
  fs.mkdirSync(path.dirname(dir), { recursive: true });
  const tmp = fs.mkdtempSync(`${dir}.partial-`);
  try {
    fill(tmp);
    fs.renameSync(tmp, dir);
  } catch (err) {
    fs.rmSync(tmp, { recursive: true, force: true });
    if (!fs.existsSync(dir)) throw err;
  }
  return dir;
}

/** The template package's files (package/ of its tarball). */
export function expoTemplate(): string {
  const dir = cached(path.join(CACHE, `${EXPO_TEMPLATE.name}-${EXPO_TEMPLATE.version}`), (tmp) => {
    const out = execFileSync('npm', ['pack', `${EXPO_TEMPLATE.name}@${EXPO_TEMPLATE.version}`, '--pack-destination', tmp, '--silent'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    execFileSync('tar', ['-xzf', path.join(tmp, out), '-C', tmp]);
  });
  return path.join(dir, 'package');
}

/** The real eas-cli's executable (installed without running any install script). */
export function easCliBin(): string {
  const dir = cached(path.join(CACHE, `${EAS_CLI.name}-${EAS_CLI.version}`), (tmp) => {
    fs.writeFileSync(path.join(tmp, 'package.json'), '{"private":true}\n');
    execFileSync('npm', ['install', `${EAS_CLI.name}@${EAS_CLI.version}`, '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'], { cwd: tmp, stdio: ['ignore', 'ignore', 'inherit'] });
  });
  return path.join(dir, 'node_modules', '.bin', 'eas');
}

/**
 * A new app from the template, as create-expo would lay it out (gitignore → .gitignore). With
 * `easCli`, eas-cli is its devDependency and installed (node_modules/.bin/eas is the real one).
 */
export function expoApp(opts: { easCli?: boolean } = {}): string {
  const root = path.join(tmpDir('torbit-expo-'), 'app');
  fs.cpSync(expoTemplate(), root, { recursive: true });
  fs.renameSync(path.join(root, 'gitignore'), path.join(root, '.gitignore'));
  if (opts.easCli) {
    const pkgFile = path.join(root, 'package.json');
    const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { devDependencies?: Record<string, string> };
    pkg.devDependencies = { ...pkg.devDependencies, 'eas-cli': `^${EAS_CLI.version}` };
    fs.writeFileSync(pkgFile, `${JSON.stringify(pkg, null, 2)}\n`);
    fs.mkdirSync(path.join(root, 'node_modules', '.bin'), { recursive: true });
    fs.symlinkSync(fs.realpathSync(easCliBin()), path.join(root, 'node_modules', '.bin', 'eas'));
  }
  return root;
}

/** An App Store Connect API key file as Apple issues them (PKCS#8 EC P-256, .p8). */
export function ascKey(dir: string): { path: string; keyId: string; issuerId: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const file = path.join(dir, 'AuthKey_ABC123DEFG.p8');
  fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }));
  return { path: file, keyId: 'ABC123DEFG', issuerId: randomUUID() };
}

/** A Google Cloud service account key, as the console downloads it. */
export function serviceAccountJson(): string {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
  return JSON.stringify({
    type: 'service_account', project_id: 'torbit-test', private_key_id: 'a1b2c3d4e5',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }), client_email: 'play-publisher@torbit-test.iam.gserviceaccount.com',
    client_id: '1234567890', token_uri: 'https://oauth2.googleapis.com/token',
  }, null, 2);
}
