import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resolveOpenableFile, resolveWorkspaceFile } from '../../extension/views/workspaceFile';
import { parseFromWebview } from '../../server/protocol';
import { tmpDir } from '../support/tmp';

describe('the webview\'s openFile path, resolved inside the workspace', () => {
  let ws: string;
  let second: string;
  let outside: string;
  before(() => {
    ws = tmpDir();
    second = tmpDir();
    outside = tmpDir();
    fs.mkdirSync(path.join(ws, 'src'));
    fs.writeFileSync(path.join(ws, 'src', 'a.ts'), 'a');
    fs.writeFileSync(path.join(second, 'b.ts'), 'b');
    fs.writeFileSync(path.join(outside, 'secret.txt'), 's');
    fs.symlinkSync(path.join(outside, 'secret.txt'), path.join(ws, 'link-out.txt'));
    fs.symlinkSync(outside, path.join(ws, 'dir-out'));
    fs.symlinkSync(path.join(ws, 'src', 'a.ts'), path.join(ws, 'link-in.ts'));
  });
  const reason = (r: ReturnType<typeof resolveWorkspaceFile>) => (r.ok ? `opened ${r.path}` : r.reason);

  it('opens a file inside a folder, by absolute path or relative to any folder', () => {
    assert.deepEqual(resolveWorkspaceFile(path.join(ws, 'src', 'a.ts'), [ws]), { ok: true, path: path.join(ws, 'src', 'a.ts') });
    assert.deepEqual(resolveWorkspaceFile('src/a.ts', [ws, second]), { ok: true, path: path.join(ws, 'src', 'a.ts') });
    assert.deepEqual(resolveWorkspaceFile('b.ts', [ws, second]), { ok: true, path: path.join(second, 'b.ts') });
    assert.deepEqual(resolveWorkspaceFile(path.join(ws, 'link-in.ts'), [ws]), { ok: true, path: path.join(ws, 'link-in.ts') }, 'a symlink that stays inside is fine');
  });

  it('refuses .. even when it would land back inside', () => {
    assert.match(reason(resolveWorkspaceFile('src/../src/a.ts', [ws])), /climbs out with \.\./);
    assert.match(reason(resolveWorkspaceFile(`${ws}/../${path.basename(outside)}/secret.txt`, [ws])), /climbs out with \.\./);
    assert.match(reason(resolveWorkspaceFile('..\\secret.txt', [ws])), /climbs out with \.\./);
  });

  it('refuses an absolute path outside the folders, including a sibling sharing the prefix', () => {
    assert.match(reason(resolveWorkspaceFile(path.join(outside, 'secret.txt'), [ws])), /outside the workspace folders/);
    assert.match(reason(resolveWorkspaceFile('/etc/passwd', [ws])), /outside the workspace folders/);
    fs.mkdirSync(`${ws}-sibling`, { recursive: true });
    fs.writeFileSync(`${ws}-sibling/x.ts`, 'x');
    try {
      assert.match(reason(resolveWorkspaceFile(`${ws}-sibling/x.ts`, [ws])), /outside the workspace folders/);
    } finally {
      fs.rmSync(`${ws}-sibling`, { recursive: true });
    }
  });

  it('refuses a symlink (to a file or through a folder) that points out of the workspace', () => {
    assert.match(reason(resolveWorkspaceFile(path.join(ws, 'link-out.txt'), [ws])), /through a symlink\) to .*secret\.txt, outside the workspace/);
    assert.match(reason(resolveWorkspaceFile('dir-out/secret.txt', [ws])), /through a symlink\) to .*secret\.txt, outside the workspace/);
  });

  it('refuses what does not exist, a folder, a NUL byte, or no workspace at all', () => {
    assert.match(reason(resolveWorkspaceFile('nope.ts', [ws])), /no such file in the workspace/);
    assert.match(reason(resolveWorkspaceFile('src', [ws])), /not a file/);
    assert.match(reason(resolveWorkspaceFile('src/a.ts\0.png', [ws])), /NUL byte/);
    assert.match(reason(resolveWorkspaceFile('src/a.ts', [])), /no workspace folder is open/);
  });

  it('the webview message schema already refuses .. and NUL bytes', () => {
    assert.equal(parseFromWebview({ type: 'openFile', path: `${ws}/src/a.ts` }).ok, true);
    assert.match((parseFromWebview({ type: 'openFile', path: `${ws}/../etc/passwd` }) as { error: string }).error, /climbs out with \.\./);
    assert.match((parseFromWebview({ type: 'openFile', path: 'a\0b' }) as { error: string }).error, /NUL byte/);
  });

  it('also opens the person\'s own AGENTS.md the instructions line links, and nothing else outside', () => {
    const mine = path.join(outside, 'AGENTS.md');
    fs.writeFileSync(mine, 'mine');
    assert.deepEqual(resolveOpenableFile(mine, [ws], [mine]), { ok: true, path: mine });
    assert.equal(resolveOpenableFile(path.join(outside, 'secret.txt'), [ws], [mine]).ok, false, 'only the exact personal path');
    assert.equal(resolveOpenableFile(path.join(outside, 'none', 'AGENTS.md'), [ws], [path.join(outside, 'none', 'AGENTS.md')]).ok, false, 'a personal path with no file');
    assert.deepEqual(resolveOpenableFile('src/a.ts', [ws], [mine]), { ok: true, path: path.join(ws, 'src', 'a.ts') });
  });
});
