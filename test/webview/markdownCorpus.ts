// Markdown a model typically writes, plus the awkward cases, for the streaming-render tests.
export const CORPUS: Record<string, string> = {
  prose: 'Here is the plan.\n\nFirst we **read** the file, then we _edit_ it.\nA second line of the same paragraph.\n\nDone.',
  headings: '# Title\n\nIntro paragraph.\n\n## Section\n\nSetext heading\n==============\n\nText after.\n\n---\n\nAfter a rule.',
  lists: '- one\n- two\n- three\n\nA paragraph.\n\n1. first\n2. second\n\n3. third after a blank\n\n- loose a\n\n- loose b\n\n  continued paragraph of b\n\n    indented code inside b\n\nEnd.',
  nested: '- a\n  - a1\n  - a2\n\n- b\n\n    - deep\n\nText.\n\n* [ ] todo\n* [x] done\n',
  code: 'Run this:\n\n```ts\nconst a = 1;\n\nfunction f() {\n\n  return a;\n}\n```\n\nAnd this:\n\n~~~\n```\nnot a fence end\n```\n\n~~~\n\n    indented code\n\n    more indented code\n\nAfter.',
  unclosed: 'Text.\n\n```python\nprint("never closed")\n\nprint("still code")\n',
  quotes: '> quoted\n> more\n\n> second quote\n\nplain\n\n> lazy\ncontinuation\n',
  tables: '| a | b |\n|---|:-:|\n| 1 | 2 |\n| 3 | 4 |\n\nAfter the table.',
  html: 'Before <b>bold?</b> and <img src=x onerror="window.__pwned=1">.\n\n<script>window.__pwned=2</script>\n\n<!--\n\ncomment with blank lines\n\n-->\n\n<div>\n\nblock\n\n</div>\n\nafter',
  links: 'A [link](https://example.invalid/x "t") and [bad](javascript:alert(1)) and <https://auto.invalid>.\n\n![remote](https://example.invalid/a.png) ![inline](data:image/png;base64,iVBORw0KGgo=)\n\n[ref]: https://example.invalid/ref\n\nUse [ref].',
  crlf: 'Line one\r\n\r\nLine two\r\n\r\n```\r\ncode\r\n\r\nmore\r\n```\r\n\r\nend',
  inline: 'Some `code`, *em*, ~~del~~, and a very long line '.repeat(5) + '\n\n' + 'x'.repeat(500),
};
