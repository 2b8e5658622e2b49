import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMANDS } from '../../server/cli/commands';
import { EXIT_CODES } from '../../server/cli/exitCodes';
import { cliReference } from '../../server/cli/reference';

const root = path.join(__dirname, '../..');
const doc = fs.readFileSync(path.join(root, 'docs/cli.md'), 'utf8');

describe('the CLI reference (docs/cli.md) and the exit codes', () => {
  it('docs/cli.md is what the commands and the exit-code table generate (run node --import tsx scripts/cliReference.ts)', () => {
    assert.equal(doc, cliReference());
  });

  it('names every command, with its options and exit codes, and every exit code', () => {
    for (const [name, c] of Object.entries(COMMANDS)) {
      assert.ok(doc.includes(`\n### torbit ${name}\n`), `torbit ${name} has a section`);
      const section = doc.split(`\n### torbit ${name}\n`)[1]!.split('\n### ')[0]!;
      for (const [flag] of c.optionHelp) assert.ok(section.includes(`\`${flag}\``), `torbit ${name} ${flag}`);
      assert.ok(c.exits.length, `torbit ${name} says which exit codes it returns`);
      for (const [exit] of c.exits) assert.match(section, new RegExp(`\\| \\d+ \\(\`${exit}\`\\) \\|`), `torbit ${name}: ${exit}`);
    }
    for (const e of EXIT_CODES) assert.ok(doc.includes(`| ${e.code} | \`${e.name}\` |`), `exit code ${e.code} (${e.name})`);
    assert.equal(new Set(EXIT_CODES.map((e) => e.code)).size, EXIT_CODES.length, 'no two names share a code');
  });

  it('no CLI source writes an exit code as a number: they come from server/cli/exitCodes.ts', () => {
    const files = [path.join(root, 'server/cli.ts'), ...fs.readdirSync(path.join(root, 'server/cli')).map((f) => path.join(root, 'server/cli', f))]
      .filter((f) => f.endsWith('.ts') && !f.endsWith('exitCodes.ts'));
    for (const f of files) {
      const text = fs.readFileSync(f, 'utf8');
      for (const re of [/\breturn\s+\d+\s*;/, /process\.exit(Code)?\s*(=|\()\s*\d/, /[Ee]xit codes?:? \d/, /\bfail\(\d/]) {
        assert.doesNotMatch(text, re, `${path.relative(root, f)} writes an exit code as a number`);
      }
    }
  });
});
