import * as assert from 'node:assert/strict';
import { expandCommand } from '../../server/agent/commands/customCommands';
import { parseSlash } from '../../server/protocol';

describe('slash commands', () => {
  it('parses /name and what follows it, across lines, and nothing else', () => {
    assert.deepEqual(parseSlash('/fix 42'), { name: 'fix', args: '42' });
    assert.deepEqual(parseSlash('  /review  '), { name: 'review', args: '' });
    assert.deepEqual(parseSlash('/explain\nsrc/a.ts\nsrc/b.ts'), { name: 'explain', args: 'src/a.ts\nsrc/b.ts' });
    for (const text of ['fix 42', '/etc/hosts explain', '/Fix', '/', '//x', 'see /fix', '/fix-it!']) assert.equal(parseSlash(text), undefined, text);
  });

  it('puts the arguments where $ARGUMENTS is (every place), else after the prompt', () => {
    assert.equal(expandCommand({ template: 'Fix $ARGUMENTS. Then test $ARGUMENTS.' }, '#7'), 'Fix #7. Then test #7.');
    assert.equal(expandCommand({ template: 'Fix $ARGUMENTS.' }, ''), 'Fix .');
    assert.equal(expandCommand({ template: 'Explain.' }, 'a.ts'), 'Explain.\n\na.ts');
    assert.equal(expandCommand({ template: 'Explain.' }, ''), 'Explain.');
    // A $ in the arguments is text, not a replacement pattern.
    assert.equal(expandCommand({ template: 'Say $ARGUMENTS' }, "$& $' $1"), "Say $& $' $1");
  });
});
