import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ToolError, Workspace } from '../../server/agent/workspace';
import { tmpDir } from '../support/tmp';

async function refused(ws: Workspace, p: string, why: RegExp): Promise<void> {
  await assert.rejects(ws.resolve(p), (err: Error) => {
    assert.ok(err instanceof ToolError, `${JSON.stringify(p)}: ${err.name}`);
    assert.match(err.message, why, JSON.stringify(p));
    return true;
  });
}

describe('workspace paths (escape attempts)', () => {
  let root: string;
  let outside: string;
  let ws: Workspace;
  before(async () => {
    root = tmpDir();
    outside = tmpDir();
    fs.mkdirSync(path.join(root, 'src'));
    fs.writeFileSync(path.join(root, 'src/a.ts'), 'a');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 's');
    fs.symlinkSync(outside, path.join(root, 'out-dir'));
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(root, 'out-file'));
    fs.symlinkSync(path.join(outside, 'not-yet.txt'), path.join(root, 'dangling'));
    fs.symlinkSync(path.join(root, 'src/a.ts'), path.join(root, 'in-link'));
    fs.mkdirSync(path.join(root, '.torbit-data'));
    ws = await Workspace.open([root], [path.join(root, '.torbit-data')]);
  });

  it('resolves ordinary relative paths, including ./ and inner ..', async () => {
    for (const [p, rel] of [['src/a.ts', 'src/a.ts'], ['./src/a.ts', 'src/a.ts'], ['src/../src/a.ts', 'src/a.ts'], ['new/file.ts', 'new/file.ts'], ['.', ''], ['src\\a.ts', 'src/a.ts'], ['in-link', 'in-link']] as const) {
      const r = await ws.resolve(p);
      assert.equal(r.rel, rel, p);
      assert.equal(r.abs, path.join(root, rel));
    }
  });

  it('refuses .. that leaves the workspace', async () => {
    for (const p of ['..', '../x', 'src/../../x', '../../../../etc/passwd', 'src/./../..']) await refused(ws, p, /outside the workspace/);
  });

  it('refuses absolute paths, even inside the workspace', async () => {
    for (const p of ['/etc/passwd', path.join(root, 'src/a.ts'), 'C:\\Windows\\system32', 'c:/x', '~/.ssh/id_rsa']) await refused(ws, p, /absolute path/);
  });

  it('refuses symbolic links that point out: to a directory, a file, or a file that does not exist yet', async () => {
    await refused(ws, 'out-dir/secret.txt', /symbolic link/);
    await refused(ws, 'out-dir', /symbolic link/);
    await refused(ws, 'out-file', /symbolic link/);
    await refused(ws, 'dangling', /symbolic link/);
    await refused(ws, 'out-dir/new/deeper.txt', /symbolic link/);
  });

  it('refuses NUL bytes and invisible or control characters', async () => {
    await refused(ws, 'src/a.ts\0.png', /NUL byte/);
    for (const p of ['src/\u202egnp.ts', 'src/a\u200b.ts', 'src/\u2066a.ts', 'line\nbreak', 'bell\u0007', '\ufeffsrc/a.ts', 'x\u0085y']) {
      await refused(ws, p, /control or invisible characters/);
    }
    await refused(ws, '', /empty/);
    await refused(ws, 'a'.repeat(5000), /longer than 4096/);
  });

  it('takes odd but visible Unicode as a name, normalised, and never as a way out', async () => {
    const r = await ws.resolve('src/cafe\u0301.ts'); // e + combining acute
    assert.equal(r.rel, 'src/caf\u00e9.ts');
    // Fullwidth full stops are ordinary characters, not "..".
    assert.equal((await ws.resolve('\uff0e\uff0e/x')).rel, '\uff0e\uff0e/x');
  });

  it("refuses Torbit's own data directory", async () => {
    await refused(ws, '.torbit-data/torbit.db', /data directory/);
    await refused(ws, '.torbit-data', /data directory/);
  });

  it('names folders in a multi-root workspace and refuses paths without one', async () => {
    const other = tmpDir();
    const multi = await Workspace.open([root, other]);
    const [a, b] = multi.roots;
    const r = await multi.resolve(`${b!.name}/readme.md`);
    assert.equal(r.abs, path.join(other, 'readme.md'));
    assert.equal(r.display, `${b!.name}/readme.md`);
    assert.equal((await multi.resolve(`${a!.name}/src/a.ts`)).abs, path.join(root, 'src/a.ts'));
    await refused(multi, 'src/a.ts', /workspace folder name/);
    await refused(multi, `${a!.name}/../${path.basename(other)}/x`, /outside the workspace/);
    const same = await Workspace.open([root, root]);
    assert.notEqual(same.roots[0]!.name, same.roots[1]!.name, 'two folders with one name get distinct names');
  });
});
