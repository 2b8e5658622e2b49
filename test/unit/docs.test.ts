// The docs stay true to the code they describe: the settings table to the manifest, the
// environment table and the threat model to the secrets registry, the threat model's request
// list to the protocol.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SECRETS } from '../../server/secrets';
import { rpc } from '../../server/protocol';

const ROOT = path.join(__dirname, '../..');
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), 'utf8');
/** The rows of the Markdown table under a heading, as cells. */
function table(doc: string, heading: string): string[][] {
  const at = doc.indexOf(`\n${heading}\n`);
  assert.ok(at >= 0, `no heading ${heading}`);
  const lines = doc.slice(at).split('\n');
  const start = lines.findIndex((l) => l.startsWith('|'));
  const rows: string[][] = [];
  for (const l of lines.slice(start)) {
    if (!l.startsWith('|')) break;
    rows.push(l.split('|').slice(1, -1).map((c) => c.trim()));
  }
  return rows.slice(2);
}
const names = (cell: string) => [...cell.matchAll(/`([A-Z][A-Z0-9_]+)`/g)].map((m) => m[1]!);

describe('the docs agree with the code', () => {
  it('README\'s settings table has every setting of the manifest, with its scope and nothing else', () => {
    const pkg = JSON.parse(read('package.json')) as { contributes: { configuration: { properties: Record<string, { scope?: string }> } } };
    const rows = table(read('README.md'), '## Settings');
    const documented = new Map(rows.map((r) => [r[0]!.replace(/`/g, ''), r[2]]));
    for (const [key, def] of Object.entries(pkg.contributes.configuration.properties)) {
      assert.ok(documented.has(key), `${key} is missing from README's settings table`);
      assert.equal(documented.get(key), def.scope, `${key}'s scope`);
    }
    for (const key of documented.keys()) assert.ok(key in pkg.contributes.configuration.properties, `README documents ${key}, which the manifest does not have`);
  });

  it('every credential of the secrets registry is in README\'s environment table and in the threat model\'s registry table', () => {
    const env = table(read('README.md'), '## Environment variables').flatMap((r) => names(r[0]!));
    const model = table(read('docs/security.md'), '## The secrets registry').flatMap((r) => names(r[0]!));
    for (const s of SECRETS) {
      assert.ok(env.includes(s.name), `${s.name} is missing from README's environment table`);
      assert.ok(model.includes(s.name), `${s.name} is missing from docs/security.md`);
    }
    assert.deepEqual(model.sort(), SECRETS.map((s) => s.name).sort(), 'docs/security.md lists a variable the registry does not have');
  });

  it('the threat model lists every request with what it needs of the workspace', () => {
    const rows = table(read('docs/security.md'), '## Restricted mode (an untrusted workspace)');
    const listed = new Map(rows.map((r) => [r[0]!.replace(/`/g, ''), /trusted/.test(r[1]!) ? 'trusted' : 'any']));
    const requests = (Object.values(rpc) as Array<{ kind: string; sender?: string; method?: string; workspace?: string }>)
      .filter((d) => d.kind === 'request' && d.sender === 'extension');
    for (const d of requests) assert.equal(listed.get(d.method!), d.workspace, `${d.method} in docs/security.md`);
    assert.equal(listed.size, requests.length, 'docs/security.md lists a request the protocol does not have');
  });
});
