import * as assert from 'node:assert/strict';
import { parseFrontMatter } from '../../server/frontMatter';

describe('front matter', () => {
  it('splits the YAML block from the body', () => {
    const r = parseFrontMatter('---\ndescription: Fix a bug\nargument-hint: <issue>\n---\nFix $ARGUMENTS.\n');
    assert.deepEqual(r, { ok: true, value: { data: { description: 'Fix a bug', 'argument-hint': '<issue>' }, body: 'Fix $ARGUMENTS.\n' } });
  });

  it('reads a file without a block as all body, and keeps CRLF files and a BOM working', () => {
    assert.deepEqual(parseFrontMatter('Just a prompt'), { ok: true, value: { data: {}, body: 'Just a prompt' } });
    assert.deepEqual(parseFrontMatter('\uFEFF---\r\nname: x\r\n---\r\nbody'), { ok: true, value: { data: { name: 'x' }, body: 'body' } });
  });

  it('refuses an unclosed block, invalid YAML, duplicate keys and alias bombs with a message', () => {
    for (const [text, re] of [
      ['---\nname: x\nbody', /no closing ---/],
      ['---\nname: [x\n---\n', /not valid YAML/],
      ['---\nname: a\nname: b\n---\n', /not valid YAML/],
      [`---\na: &a [x,x,x,x,x,x,x,x,x]\n${Array.from({ length: 20 }, (_, i) => `b${i}: &b${i} [*${i ? `b${i - 1}` : 'a'},*${i ? `b${i - 1}` : 'a'}]`).join('\n')}\n---\n`, /not valid YAML/],
    ] as const) {
      const r = parseFrontMatter(text);
      assert.equal(r.ok, false, text.slice(0, 40));
      if (!r.ok) assert.match(r.error, re);
    }
  });
});
