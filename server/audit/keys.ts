// Signing keys for audit bundles. Ed25519: generated on first use, the private key kept in a 0600
// file in the data directory. HMAC-SHA256: the operators' shared secret, from the environment.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AUDIT_SECRET_ENV as SECRET_ENV, LEGACY_AUDIT_SECRET_ENV as LEGACY_SECRET_ENV } from '../secrets';

export interface Ed25519Signer {
  kind: 'ed25519';
  keyid: string;
  privateKey: KeyObject;
  publicKey: KeyObject;
  publicPem: string;
}

export interface HmacSigner {
  kind: 'hmac';
  keyid: string;
  secret: Buffer;
}

export type Signer = Ed25519Signer | HmacSigner;


export { SECRET_ENV, LEGACY_SECRET_ENV };
export const KEY_ID_ENV = 'TORBIT_AUDIT_SIGNING_KEY_ID';
export const DEFAULT_HMAC_KEY_ID = 'torbit-default';

/** An Ed25519 key's id: the sha256 of its public key (SubjectPublicKeyInfo, DER), hex. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(publicKey.export({ type: 'spki', format: 'der' })).digest('hex');
}

export function keyFile(dataDir: string): string {
  return path.join(dataDir, 'keys', 'audit-ed25519.pem');
}

/** Loads the Ed25519 signing key, creating it (0600, in a 0700 folder) on first use. */
export function loadOrCreateSigningKey(dataDir: string): Ed25519Signer {
  const file = keyFile(dataDir);
  if (!fs.existsSync(file)) {
    fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const { privateKey } = generateKeyPairSync('ed25519');
    // 'wx': never overwrite a key another process created a moment ago.
    try {
      fs.writeFileSync(file, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (process.platform !== 'win32' && mode & 0o077) {
    throw new Error(`${file} is readable by others (mode ${mode.toString(8)}); run chmod 600 on it`);
  }
  const privateKey = createPrivateKey(fs.readFileSync(file));
  const publicKey = createPublicKey(privateKey);
  return { kind: 'ed25519', keyid: keyIdOf(publicKey), privateKey, publicKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
}

/** The HMAC signer from the environment, or undefined when no secret is set. */
export function hmacSignerFromEnv(env: NodeJS.ProcessEnv): HmacSigner | undefined {
  const secret = env[SECRET_ENV] || env[LEGACY_SECRET_ENV];
  if (!secret) return undefined;
  return { kind: 'hmac', keyid: env[KEY_ID_ENV]?.trim() || DEFAULT_HMAC_KEY_ID, secret: Buffer.from(secret, 'utf8') };
}
