import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { easEnv } from '../../server/eas/easCommands';
import { PROVIDERS } from '../../server/protocol';
import {
  AUDIT_SECRET_ENV, commandEnv, envFor, GENERIC_KEY_ENV, KEY_ENV, LEGACY_AUDIT_SECRET_ENV, REDACTED, Redactor, SECRETS, secretValues,
} from '../../server/secrets';

// Fake key material: a PEM block whose base64 lines are long enough to be redacted one by one.
const PEM_LINES = ['MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7', 'fakefakefakefakefakefakefakefakefakefakefakefakefake', 'Zm9vYmFyYmF6cXV4cXV1eGNvcmdlZ3JhdWx0Z2FycGx5d2FsZG8='];
const PEM = `-----BEGIN PRIVATE KEY-----\n${PEM_LINES.join('\n')}\n-----END PRIVATE KEY-----\n`;

/** Every way of splitting `text` into two chunks, and into chunks of one character. */
function splits(text: string): string[][] {
  const out: string[][] = [[...text]];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

function streamed(r: Redactor, chunks: readonly string[]): { parts: string[]; joined: string } {
  const s = r.stream();
  const parts = chunks.map((c) => s.push(c));
  parts.push(s.flush());
  return { parts, joined: parts.join('') };
}

describe('the secrets registry', () => {
  it('lists every credential variable the issue names, each once', () => {
    const names = SECRETS.map((s) => s.name);
    assert.equal(new Set(names).size, names.length, 'no name twice');
    const required = [
      ...Object.values(KEY_ENV), GENERIC_KEY_ENV, 'EXPO_TOKEN',
      'EXPO_APPLE_APP_SPECIFIC_PASSWORD', 'APPLE_APP_SPECIFIC_PASSWORD', 'EXPO_APPLE_PASSWORD',
      'EXPO_ASC_API_KEY_PATH', 'ASC_API_KEY_PATH', 'EXPO_ASC_KEY_ID', 'ASC_API_KEY_ID', 'EXPO_ASC_ISSUER_ID', 'ASC_API_KEY_ISSUER_ID',
      'GOOGLE_SERVICE_ACCOUNT_JSON', 'GOOGLE_SERVICE_ACCOUNT_KEY_PATH', 'EXPO_ANDROID_SERVICE_ACCOUNT_KEY_PATH',
      AUDIT_SECRET_ENV, LEGACY_AUDIT_SECRET_ENV, 'TORBIT_WORKER_TOKEN',
    ];
    for (const n of required) assert.ok(names.includes(n), `${n} is registered`);
    for (const p of PROVIDERS) assert.ok(names.includes(KEY_ENV[p]), `${p}'s key variable is registered`);
  });

  it('gives eas only EXPO, Apple, ASC and Google credentials, and nothing to anyone else', () => {
    for (const s of SECRETS) {
      const eas = s.for.includes('eas');
      assert.equal(eas, /^(EXPO_|APPLE_|ASC_|GOOGLE_SERVICE_ACCOUNT_)/.test(s.name), `${s.name} ${eas ? 'should not' : 'should'} go to eas-cli`);
      assert.deepEqual(s.for.filter((r) => r !== 'eas'), [], `${s.name} has no other recipient`);
    }
  });
});

describe('commandEnv and envFor', () => {
  const every = Object.fromEntries(SECRETS.map((s, i) => [s.name, `value-of-${s.name}-${i}`]));
  const env = { ...every, PATH: '/usr/bin', HOME: '/home/someone', TORBIT_DATA_DIR: '/data', ELECTRON_RUN_AS_NODE: '1' };

  it('commandEnv strips every registry entry and Torbit\'s internals, and keeps the rest', () => {
    const out = commandEnv(env);
    for (const s of SECRETS) assert.equal(out[s.name], undefined, `${s.name} is stripped`);
    assert.equal(out.TORBIT_DATA_DIR, undefined);
    assert.equal(out.ELECTRON_RUN_AS_NODE, undefined);
    assert.deepEqual(out, { PATH: '/usr/bin', HOME: '/home/someone' });
  });

  it('envFor(eas) passes exactly the entries registered for eas', () => {
    const out = envFor('eas', env);
    const expected = SECRETS.filter((s) => s.for.includes('eas')).map((s) => s.name).sort();
    assert.ok(expected.length > 5);
    assert.deepEqual(Object.keys(out).filter((k) => k in every).sort(), expected);
    for (const n of expected) assert.equal(out[n], every[n]);
    assert.equal(out.PATH, '/usr/bin');
    assert.equal(out.TORBIT_DATA_DIR, undefined);
  });

  it('eas-cli\'s environment comes from envFor: no provider key, audit secret or worker token', () => {
    const out = easEnv(env);
    for (const s of SECRETS) {
      if (s.for.includes('eas')) assert.ok(out[s.name] !== undefined, `${s.name} reaches eas-cli`);
      else assert.equal(out[s.name], undefined, `${s.name} is kept from eas-cli`);
    }
  });
});

describe('secretValues', () => {
  let dir: string;
  before(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'torbit-secrets-')); });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads the key file a path variable names, and redacts its lines, not the path', () => {
    const p8 = path.join(dir, 'AuthKey.p8');
    fs.writeFileSync(p8, PEM);
    const values = secretValues({ EXPO_ASC_API_KEY_PATH: p8 });
    for (const line of PEM_LINES) assert.ok(values.includes(line), `the key line ${line.slice(0, 10)}… is a secret`);
    assert.ok(values.includes(PEM.trim()), 'the whole block is a secret');
    assert.ok(!values.includes(p8), 'the path is not');
  });

  it('reads the private_key of inline service-account JSON, and of a JSON key file', () => {
    const json = JSON.stringify({ type: 'service_account', private_key: PEM, client_email: 'x@y.iam.gserviceaccount.com' });
    const file = path.join(dir, 'sa.json');
    fs.writeFileSync(file, json);
    for (const env of [{ GOOGLE_SERVICE_ACCOUNT_JSON: json }, { GOOGLE_SERVICE_ACCOUNT_KEY_PATH: file }, { GOOGLE_SERVICE_ACCOUNT_JSON: file }]) {
      const values = secretValues(env);
      assert.ok(values.includes(json), `${Object.keys(env)[0]}: the JSON is a secret`);
      assert.ok(values.includes(PEM.trim()), 'its private_key is');
      for (const line of PEM_LINES) assert.ok(values.includes(line), 'each key line is');
      // printed as JSON, the key's lines are joined by \n escapes: each line is still caught.
      const printed = new Redactor(env).text(JSON.stringify(JSON.parse(json).private_key));
      for (const line of PEM_LINES) assert.ok(!printed.includes(line), 'a key line printed inside JSON is masked');
    }
  });

  it('skips ids, short values and files that are missing; longest first', () => {
    const values = secretValues({ EXPO_ASC_KEY_ID: 'ABC123DEFGHIJ', EXPO_TOKEN: 'short', OPENAI_API_KEY: 'sk-aaaaaaaaaaaa', ANTHROPIC_API_KEY: 'sk-ant-bbbbbbbbbbbbbbbbbbbb', EXPO_ASC_API_KEY_PATH: path.join(dir, 'missing.p8') });
    assert.deepEqual(values, ['sk-ant-bbbbbbbbbbbbbbbbbbbb', 'sk-aaaaaaaaaaaa']);
  });
});

describe('Redactor and StreamRedactor', () => {
  const SECRET = 'sk-test-0123456789abcdefghij';

  it('masks a secret at every split point, and with one-character chunks', () => {
    const r = new Redactor([SECRET]);
    const text = `before ${SECRET} between ${SECRET} after`;
    // Joined, the parts are the whole text's redaction: no piece of a secret was passed on early.
    for (const chunks of splits(text)) {
      assert.equal(streamed(r, chunks).joined, `before ${REDACTED} between ${REDACTED} after`, `split as ${chunks.length > 2 ? 'characters' : JSON.stringify(chunks)}`);
    }
  });

  it('passes text through at once when nothing could be the start of a secret', () => {
    const s = new Redactor([SECRET]).stream();
    assert.equal(s.push('hello world\n'), 'hello world\n');
    assert.equal(s.push('a line ending in s'), 'a line ending in ', 'the s is held: it may start the secret');
    assert.equal(s.push('o'), 'so');
    assert.equal(s.flush(), '');
  });

  it('masks two secrets that overlap, whatever the split, as the whole text would', () => {
    // The first ends with the second's start; the third is a prefix of the fourth.
    const a = 'AAAAAAAA-shared-part';
    const b = 'shared-part-BBBBBBBB';
    const c = 'prefix-secret-1';
    const d = 'prefix-secret-1-and-more-of-it';
    const r = new Redactor([a, b, c, d]);
    for (const text of [`x AAAAAAAA-shared-part-BBBBBBBB y`, `x ${d} y`, `x ${c} y`, `${b}${a}`]) {
      const whole = r.text(text);
      for (const piece of ['AAAAAAAA', 'BBBBBBBB', 'and-more-of-it', 'shared-part']) {
        assert.ok(!whole.includes(piece), `${piece} is masked in ${JSON.stringify(whole)}`);
      }
      for (const chunks of splits(text)) assert.equal(streamed(r, chunks).joined, whole, `${text} split as ${JSON.stringify(chunks)}`);
    }
  });

  it('masks the value of every registry entry printed as printenv would, split anywhere', () => {
    const env = Object.fromEntries(SECRETS.filter((s) => s.holds === 'value').map((s, i) => [s.name, `fake-${s.name.toLowerCase()}-${'x'.repeat(i)}-0123456789`]));
    const r = new Redactor(env);
    const printed = Object.entries(env).map(([k, v]) => `${k}=${v}`).join('\n');
    const chunks = printed.match(/[\s\S]{1,7}/g)!;
    const out = streamed(r, chunks).joined;
    for (const v of Object.values(env)) assert.ok(!out.includes(v), `${v} is masked`);
    assert.equal(out, r.text(printed));
  });

  it('pipe() passes on redacted text, never an empty chunk, and the held tail at end()', () => {
    const got: string[] = [];
    const p = new Redactor([SECRET]).pipe((t) => got.push(t));
    p.write('id: ');
    p.write(SECRET.slice(0, 10));
    p.write(SECRET.slice(10));
    p.write(' s');
    p.end();
    assert.deepEqual(got, ['id: ', REDACTED, ' ', 's'], 'the s could start the secret: end() passes it on');
  });
});
