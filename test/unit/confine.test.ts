import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { confinedJoin, confinedPath, confinedRealPath, ConfinementError, realpathNearest, RelativePath } from '../../server/confine';
import { tmpDir } from '../support/tmp';

describe('confinement of stored paths', () => {
  let root: string;
  let outside: string;
  beforeEach(() => {
    root = tmpDir('torbit-confine-');
    outside = tmpDir('torbit-outside-');
    fs.mkdirSync(path.join(root, 'src'));
  });

  const refused = (fn: () => unknown, why: RegExp) => assert.throws(fn, (e: unknown) => e instanceof ConfinementError && why.test(e.message));

  it('accepts paths inside a root, existing or not, and returns them unchanged', () => {
    assert.equal(confinedPath([root], path.join(root, 'src', 'a.ts')), path.join(root, 'src', 'a.ts'));
    assert.equal(confinedPath([outside, root], path.join(root, 'new', 'deep', 'b.ts')), path.join(root, 'new', 'deep', 'b.ts'));
    assert.equal(confinedJoin(root, 'src/a.ts'), path.join(root, 'src', 'a.ts'));
  });

  it('refuses a path outside every root, the root itself, and relative or NUL paths', () => {
    refused(() => confinedPath([root], path.join(outside, 'keep.txt')), /outside/);
    refused(() => confinedPath([root], root), /outside/);
    refused(() => confinedPath([root], 'src/a.ts'), /not an absolute path/);
    refused(() => confinedPath([root], `${root}/a\0b`), /NUL/);
    // A sibling whose name starts with the root's is not inside it.
    fs.mkdirSync(`${root}-evil`);
    refused(() => confinedPath([root], path.join(`${root}-evil`, 'x')), /outside/);
    fs.rmdirSync(`${root}-evil`);
  });

  it('refuses .. and absolute paths where a relative one is expected', () => {
    refused(() => confinedJoin(root, '../x'), /climbs out/);
    refused(() => confinedJoin(root, 'src/../../x'), /climbs out/);
    refused(() => confinedJoin(root, path.join(outside, 'keep.txt')), /absolute/);
    refused(() => confinedJoin(root, ''), /empty/);
    assert.equal(RelativePath.safeParse('a/b.txt').success, true);
    assert.equal(RelativePath.safeParse('a/../../b').success, false);
    assert.equal(RelativePath.safeParse('/etc/passwd').success, false);
  });

  it('resolves symbolic links on the way: a linked folder pointing out is refused, the link itself may be acted on', () => {
    fs.symlinkSync(outside, path.join(root, 'linked'));
    refused(() => confinedJoin(root, 'linked/keep.txt'), new RegExp(`resolves to ${outside}`));
    refused(() => confinedJoin(root, 'linked/new/deeper.txt'), /resolves to/);
    // Removing or replacing the link acts on the link, which is inside.
    assert.equal(confinedJoin(root, 'linked'), path.join(root, 'linked'));
    // A root reached through a link is the same root.
    const alias = path.join(tmpDir('torbit-alias-'), 'ws');
    fs.symlinkSync(root, alias);
    assert.equal(confinedPath([alias], path.join(root, 'src', 'a.ts')), path.join(root, 'src', 'a.ts'));
  });

  it('refuses a dangling link on the way, since anything made under it lands where it points', () => {
    fs.symlinkSync(path.join(outside, 'not-yet'), path.join(root, 'dangling'));
    refused(() => confinedJoin(root, 'dangling/x.txt'), /points nowhere/);
    assert.equal(realpathNearest(path.join(root, 'src', 'none', 'x')), path.join(root, 'src', 'none', 'x'));
  });

  it('follows the entry\'s own link for a file read back as data: a link out is refused, one that stays inside gives its real path', () => {
    fs.writeFileSync(path.join(outside, 'secret.md'), 's');
    fs.writeFileSync(path.join(root, 'src', 'real.md'), 'r');
    fs.symlinkSync(path.join(outside, 'secret.md'), path.join(root, 'AGENTS.md'));
    fs.symlinkSync('src/real.md', path.join(root, 'CLAUDE.md'));
    fs.symlinkSync(path.join(root, 'nowhere.md'), path.join(root, 'dangling.md'));
    refused(() => confinedRealPath([root], path.join(root, 'AGENTS.md')), new RegExp(`resolves to ${outside}`));
    assert.equal(confinedRealPath([root], path.join(root, 'CLAUDE.md')), path.join(root, 'src', 'real.md'));
    refused(() => confinedRealPath([root], path.join(root, 'dangling.md')), /points nowhere/);
    refused(() => confinedRealPath([root], `${root}/a\0b`), /NUL/);
  });
});
