import * as assert from 'node:assert/strict';
import { blockAt, buildInline, inlineLineOf, nextStop, proposalHunks, type InlineModel, type Stop } from '../../extension/approvals/inlineModel';
import type { HunkView } from '../../server/protocol';
import { hunksOf } from '../../server/trust/hunks';

/** The inline document as "kind text" rows, the way a person reads it. */
const rows = (m: InlineModel) => m.text.split('\n').map((t, i) => `${m.kinds[i]![0]} ${t}`);
const view = (before: string, after: string): HunkView[] =>
  hunksOf(before, after).map((h) => ({ index: h.index, line: h.oldStart, removed: h.removed.length, added: h.added.length }));

describe('the inline review of pending edits', () => {
  const greet = '// A function.\nexport function greet(name) {\n  return `Hello, ${name}!`;\n}\n';
  const twoHunks = greet.replace('// A function.', '// Greets someone.').replace('Hello,', 'Hi there,');

  it('writes each hunk in where it applies: its removed lines, then its added lines, the rest as it is', () => {
    const m = buildInline(greet, [{ approvalId: 'a1', hunks: hunksOf(greet, twoHunks) }]);
    assert.deepEqual(rows(m), [
      'r // A function.',
      'a // Greets someone.',
      'c export function greet(name) {',
      'r   return `Hello, ${name}!`;',
      'a   return `Hi there, ${name}!`;',
      'c }',
    ]);
    assert.deepEqual(m.blocks.map((b) => [b.approvalId, b.hunk, b.start, b.removed, b.added, b.fileLine]), [['a1', 0, 0, 1, 1, 0], ['a1', 1, 3, 1, 1, 2]]);
    // Each inline line knows where it is in the file; added lines sit at their hunk's start.
    assert.deepEqual(m.pos, [0, 0, 1, 2, 2, 3]);
  });

  it('places the hunks of several proposals to one file by line, the older first where they touch the same lines', () => {
    const base = 'a\nb\nc\nd\ne\n';
    const older = hunksOf(base, 'a\nB\nc\nd\ne\n');
    const newer = hunksOf(base, 'A\nb\nc\nd\nx\ne\ny\n');
    const same = hunksOf(base, 'a\nBB\nc\nd\ne\n');
    const m = buildInline(base, [{ approvalId: 'old', hunks: older }, { approvalId: 'new', hunks: newer }, { approvalId: 'same', hunks: same }]);
    assert.deepEqual(rows(m), ['r a', 'a A', 'r b', 'a B', 'r b', 'a BB', 'c c', 'c d', 'a x', 'c e', 'a y']);
    assert.deepEqual(m.blocks.map((b) => `${b.approvalId}#${b.hunk}@${b.start}`), ['new#0@0', 'old#0@2', 'same#0@4', 'new#1@8', 'new#2@10']);
  });

  it('shows insertions at the top and the end, deletions, CRLF lines and a missing final newline', () => {
    const base = 'one\r\ntwo\r\nthree';
    const after = 'zero\r\none\r\nthree\nfour';
    const m = buildInline(base, [{ approvalId: 'x', hunks: hunksOf(base, after) }]);
    assert.ok(!m.text.includes('\r'), 'line endings are not shown');
    assert.deepEqual(rows(m), ['a zero', 'c one', 'r two', 'r three', 'a three', 'a four']);
    assert.equal(buildInline('', [{ approvalId: 'e', hunks: hunksOf('', 'new\n') }]).text, 'new');
  });

  it('recomputes a proposal\'s hunks from its text only when they line up with the ones the backend announced', () => {
    assert.equal(proposalHunks(greet, twoHunks, view(greet, twoHunks))?.length, 2);
    const announced = view(greet, twoHunks);
    assert.equal(proposalHunks(greet, twoHunks, [announced[0]!]), undefined, 'a hunk missing');
    assert.equal(proposalHunks(greet, twoHunks, [announced[0]!, { ...announced[1]!, line: 1 }]), undefined, 'a hunk moved');
    assert.equal(proposalHunks(greet, twoHunks, [announced[0]!, { ...announced[1]!, added: 2 }]), undefined, 'a hunk of another size');
  });

  it('finds the hunk at or after the cursor, skipping decided ones, and maps a line of the file into the review', () => {
    const m = buildInline(greet, [{ approvalId: 'a1', hunks: hunksOf(greet, twoHunks) }]);
    assert.equal(blockAt(m, 1)?.hunk, 0, 'inside the first hunk');
    assert.equal(blockAt(m, 2)?.hunk, 1, 'on context: the next hunk');
    assert.equal(blockAt(m, 5), undefined, 'after the last');
    assert.equal(blockAt(m, 0, (b) => b.hunk !== 0)?.hunk, 1, 'a decided hunk is passed over');
    assert.equal(inlineLineOf(m, 1), 2);
    assert.equal(inlineLineOf(m, 2), 3, 'a line a hunk removes: the hunk');
    assert.equal(inlineLineOf(m, 99), 5);
  });

  it('goes to the next and previous pending hunk across files in path order, wrapping around', () => {
    const stops: Stop[] = [
      { file: '/w/src/greet.js', line: 8, approvalId: 'g', hunk: 1 },
      { file: '/w/README.md', line: 2, approvalId: 'r', hunk: 0 },
      { file: '/w/src/greet.js', line: 0, approvalId: 'g', hunk: 0 },
    ];
    const at = (s: Stop | undefined) => s && `${s.file}:${s.line}`;
    assert.equal(at(nextStop(stops, undefined, 1)), '/w/README.md:2');
    assert.equal(at(nextStop(stops, undefined, -1)), '/w/src/greet.js:8');
    assert.equal(at(nextStop(stops, { file: '/w/src/greet.js', line: 0 }, 1)), '/w/src/greet.js:8');
    assert.equal(at(nextStop(stops, { file: '/w/src/greet.js', line: 8 }, 1)), '/w/README.md:2', 'from the last hunk of the last file: wraps to the first file');
    assert.equal(at(nextStop(stops, { file: '/w/README.md', line: 2 }, 1)), '/w/src/greet.js:0', 'on to the next file');
    assert.equal(at(nextStop(stops, { file: '/w/README.md', line: 2 }, -1)), '/w/src/greet.js:8', 'previous from the first: wraps to the last');
    assert.equal(at(nextStop(stops, { file: '/w/src/greet.js', line: 3 }, -1)), '/w/src/greet.js:0');
    assert.equal(at(nextStop(stops, { file: '/w/other.txt', line: 0 }, 1)), '/w/src/greet.js:0', 'from a file with nothing pending: the next file after it');
    assert.equal(at(nextStop(stops.slice(1, 2), { file: '/w/README.md', line: 2 }, 1)), '/w/README.md:2', 'one hunk: it stays there');
    assert.equal(nextStop([], undefined, 1), undefined);
  });
});
