// `torbit audit verify|export|pubkey` and `torbit verify <bundle>`: the audit log from the shell,
// and offline verification anyone can run with the public key (or the shared secret).
import { createPublicKey } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Backend } from '../backend';
import { exportBundle, ownTrustedKeys } from '../audit/export';
import { DEFAULT_HMAC_KEY_ID, KEY_ID_ENV, keyIdOf, LEGACY_SECRET_ENV, loadOrCreateSigningKey, SECRET_ENV } from '../audit/keys';
import { verifyBundle, type TrustedKeys } from '../audit/verify';
import { openWorkspaceBackend } from './backend';
import { UsageError } from './settings';
import type { Command, CommandIo } from './commands';
import { EXIT } from './exitCodes';

/** Verification failed: the bundle or the log is not what it claims (EXIT.verifyFailed). */
export class VerifyFailed extends Error {}

async function openBackend(io: CommandIo, values: Record<string, unknown>): Promise<Backend> {
  const b = await openWorkspaceBackend({ cwd: io.cwd, env: io.env, verbose: values.verbose === true, mode: 'migrate' });
  b.requireDb();
  return b;
}

export const auditCommand: Command = {
  summary: 'The audit log: verify its chain, export it as a signed bundle, print the public key',
  usage: 'torbit audit verify | export --out FILE [--session ID] [--since TIME] [--format dsse|sigstore] | pubkey [--out FILE]',
  positionals: true,
  options: {
    out: { type: 'string' }, session: { type: 'string' }, since: { type: 'string' }, format: { type: 'string' },
    json: { type: 'boolean' }, verbose: { type: 'boolean' },
  },
  optionHelp: [
    ['--out FILE', 'export: the bundle to write; pubkey: write the PEM there'],
    ['--session ID', 'export: only this session\'s records'],
    ['--since TIME', 'export: only records at or after this ISO time, e.g. 2026-11-01'],
    ['--format F', 'export: dsse (default: DSSE envelope, Ed25519 + HMAC signatures) or sigstore (bundle v0.3)'],
    ['--json', 'machine-readable output'],
    ['--verbose', 'log what the backend does to stderr'],
  ],
  extraHelp: [
    `The HMAC signature is keyed by ${SECRET_ENV} (or ${LEGACY_SECRET_ENV}), key id ${KEY_ID_ENV} (default ${DEFAULT_HMAC_KEY_ID}).`,
    'The Ed25519 key is created on first use in <data dir>/keys (mode 0600).',
  ],
  exits: [['ok', 'done; verify: the chain is intact'], ['usage', 'no or an unknown action, a bad option'], ['storeRefused', 'the database is refused'], ['verifyFailed', 'verify: the chain is broken']],
  async run(values, io, positionals = []) {
    const [action, ...extra] = positionals;
    if (extra.length) throw new UsageError(`unexpected argument ${extra[0]}`);
    if (values.format !== undefined && values.format !== 'dsse' && values.format !== 'sigstore') throw new UsageError('--format is dsse or sigstore');
    if (values.since !== undefined && Number.isNaN(Date.parse(values.since as string))) throw new UsageError(`--since ${values.since as string} is not a date or time`);
    const backend = await openBackend(io, values);
    try {
      switch (action) {
        case 'verify': {
          const c = await backend.audit().verify();
          if (!c.ok) throw new VerifyFailed(`the audit chain is broken at record ${c.seq}: ${c.reason}`);
          io.out(values.json ? JSON.stringify(c) : `audit chain intact: ${c.count} record(s), head ${c.head}`);
          return EXIT.ok;
        }
        case 'export': {
          if (!values.out) throw new UsageError('audit export needs --out FILE');
          const since = values.since ? new Date(values.since as string).toISOString() : undefined;
          const r = await exportBundle(backend, io.env, { out: values.out as string, sessionId: values.session as string | undefined, since, format: values.format });
          io.out(values.json
            ? JSON.stringify({ file: values.out, records: r.records, head: r.head, signedBy: r.signers.map((s) => ({ kind: s.kind, keyid: s.keyid })) })
            : `wrote ${values.out as string}: ${r.records} record(s), head ${r.head}, signed by ${r.signers.map((s) => `${s.kind} ${s.keyid.slice(0, 16)}`).join(' and ')}`);
          return EXIT.ok;
        }
        case 'pubkey': {
          const pem = loadOrCreateSigningKey(backend.dataDir.dir).publicPem;
          if (values.out) fs.writeFileSync(values.out as string, pem);
          else io.out(pem.trimEnd());
          return EXIT.ok;
        }
        default:
          throw new UsageError(`audit needs an action: verify, export or pubkey${action ? ` (not ${action})` : ''}`);
      }
    } finally {
      await backend.close();
    }
  },
};

export const verifyCommand: Command = {
  summary: 'Verify a signed audit bundle offline: signatures, subject digests, chain continuity',
  usage: 'torbit verify <bundle> [--pub key.pem ...] [--secret-env VAR[:KEYID] ...] [--json]',
  positionals: true,
  options: { pub: { type: 'string', multiple: true }, 'secret-env': { type: 'string', multiple: true }, json: { type: 'boolean' } },
  optionHelp: [
    ['--pub FILE', 'a trusted Ed25519 public key (PEM); repeat for rotated keys'],
    ['--secret-env VAR[:KEYID]', `read an HMAC secret from VAR, with its key id (default ${KEY_ID_ENV} or ${DEFAULT_HMAC_KEY_ID}); repeatable`],
    ['--json', 'print the result as JSON'],
  ],
  extraHelp: [
    `With neither option: this workspace's own public key (if there is one) and ${SECRET_ENV} (if set).`,
    'A signature without a key id is tried against every trusted key; a Sigstore bundle\'s publicKey hint must name the key that verified it.',
    'Needs no network.',
  ],
  exits: [['ok', 'the bundle is valid'], ['usage', 'no bundle, a bad key or secret option'], ['verifyFailed', 'the bundle is invalid (the reason on stderr)']],
  async run(values, io, positionals = []) {
    if (positionals.length !== 1) throw new UsageError('verify takes one bundle file');
    const file = path.resolve(io.cwd, positionals[0]!);
    if (!fs.existsSync(file)) throw new UsageError(`${file} does not exist`);
    let keys: TrustedKeys = { ed25519: new Map(), hmac: new Map() };
    for (const p of (values.pub as string[] | undefined) ?? []) {
      let key;
      try {
        key = createPublicKey(fs.readFileSync(path.resolve(io.cwd, p)));
      } catch (err) {
        throw new UsageError(`--pub ${p}: not a public key (${(err as Error).message})`);
      }
      if (key.asymmetricKeyType !== 'ed25519') throw new UsageError(`--pub ${p}: an ${key.asymmetricKeyType} key, not Ed25519`);
      keys.ed25519.set(keyIdOf(key), key);
    }
    for (const spec of (values['secret-env'] as string[] | undefined) ?? []) {
      const [name, keyid] = spec.split(':', 2) as [string, string | undefined];
      const secret = io.env[name];
      if (!secret) throw new UsageError(`--secret-env ${name}: the variable is not set`);
      keys.hmac.set(keyid || io.env[KEY_ID_ENV]?.trim() || DEFAULT_HMAC_KEY_ID, Buffer.from(secret, 'utf8'));
    }
    if (!keys.ed25519.size && !keys.hmac.size) {
      const backend = await openWorkspaceBackend({ cwd: io.cwd, env: io.env, mode: 'readonly' });
      await backend.close();
      keys = ownTrustedKeys(backend.dataDir.dir, io.env);
    }
    const r = verifyBundle(fs.readFileSync(file, 'utf8'), keys);
    if (!r.ok) throw new VerifyFailed(`${path.basename(file)} is NOT valid: ${r.reason}`);
    io.out(values.json ? JSON.stringify(r) : `${path.basename(file)} is valid (${r.format}): ${r.records} record(s), ${r.files} file(s), head ${r.head}, verified by ${r.verifiedBy.map((k) => k.slice(0, 16)).join(', ')}`);
    return EXIT.ok;
  },
};
