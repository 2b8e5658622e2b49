// End to end: a proposed edit is seen where it is decided. The inline review shows each hunk's
// removed (red) and added (green) lines in place with its lenses above; each hunk is approved or
// rejected there, by lens or by key, while the file on disk waits; Alt+F5 goes from hunk to hunk
// and on to the next file. The model is the SSE stub, answering each chat by its prompt.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Frame, Page } from 'playwright-core';
import { startOpenAIStub, textChunks, toolCallChunks, type OpenAIStub } from '../stubs/openaiStub';
import {
  ARTIFACTS, chatFrame, clearToasts, launchWorkbench, prompt, runFromPalette, shootIfFailed, showTorbit, statusBarText, turnDone, until, type Workbench,
} from './workbench';

const PREFIX = 'inline-';

/** What a person sees of a line of the editor in front: its text, its background's hue, struck through or not. */
interface SeenLine { text: string; hue: 'red' | 'green' | ''; struck: boolean }

/** In the page (a string: this project's TypeScript has no DOM types): the lines of the editor in front, top to bottom. */
const SEEN_LINES = `(() => {
  const root = document.querySelector('.editor-group-container.active .editor-container .monaco-editor');
  if (!root) return [];
  const hue = (el) => {
    const m = /rgba?\\((\\d+), (\\d+), (\\d+)(?:, ([\\d.]+))?\\)/.exec(getComputedStyle(el).backgroundColor);
    if (!m || m[4] === '0') return '';
    const r = Number(m[1]), g = Number(m[2]);
    return r > g + 60 ? 'red' : g > r + 15 ? 'green' : '';
  };
  const overlays = [...root.querySelectorAll('.view-overlays > div')].map((o) => ({ top: o.style.top, hue: [...o.children].map(hue).find((h) => h) || '' }));
  return [...root.querySelectorAll('.view-lines .view-line')]
    .sort((a, b) => parseFloat(a.style.top) - parseFloat(b.style.top))
    .map((el) => ({
      // The file's line number is written in before the text (CSS generated content, not DOM text).
      text: ([...el.querySelectorAll('span')].map((s) => getComputedStyle(s, '::before').content).map((c) => /^"([\\d\\u00a0]*)"$/.exec(c)).find((m) => m) || ['', ''])[1]
        + ' ' + (el.textContent || '').replace(/\\u00a0/g, ' '),
      hue: (overlays.find((o) => o.top === el.style.top) || { hue: '' }).hue,
      struck: [...el.querySelectorAll('span')].some((s) => getComputedStyle(s).textDecorationLine.includes('line-through')),
    }));
})()`;

const seenLines = (page: Page): Promise<SeenLine[]> => page.evaluate<SeenLine[]>(SEEN_LINES);

/**
 * The lines as "hue text" rows (struck-through lines marked ~), the way the assertions read them;
 * the text starts with the file's own line number, which added lines do not have.
 */
const rows = (lines: SeenLine[]) => lines.filter((l) => l.text.trim()).map((l) => `${l.struck ? '~' : ''}${l.hue || '-'} ${l.text.replace(/\s+/g, ' ').trim()}`);

describe('Pending edits shown inline, where each hunk is decided (code-server + Chromium)', function () {
  let stub: OpenAIStub;
  let wb: Workbench;
  let page: Page;
  let chat: Frame;
  /** What the model proposes, by prompt: one write_file call; after the tool's result, "Done.". */
  const plans = new Map<string, { path: string; content: string }>();
  let turns = 0;

  const file = (rel: string) => path.join(wb.workspace, rel);
  const read = (rel: string) => fs.readFileSync(file(rel), 'utf8');
  const lens = (title: string | RegExp) => page.locator('.editor-group-container.active .monaco-editor .codelens-decoration a', { hasText: title instanceof RegExp ? title : new RegExp(`^${title}$`) });
  /** The n-th lens titled so, top to bottom (the DOM keeps them in no particular order). */
  async function nthLens(title: string, n: number) {
    const all = lens(title);
    const tops = await Promise.all((await all.all()).map(async (l) => ({ l, y: (await l.boundingBox())?.y ?? 0 })));
    return tops.sort((a, b) => a.y - b.y)[n]!.l;
  }
  const lensText = async () => (await page.locator('.editor-group-container.active .monaco-editor .codelens-decoration').allInnerTexts()).map((t) => t.replace(/\n/g, '').replace(/\u00a0/g, ' ')).join(' | ');
  /** The editor in front: the file its tab names, and whether it is that file's inline review ("greet.js (proposed)"). */
  async function inFront(): Promise<{ label: string; inline: boolean }> {
    const label = await page.locator('.editor-group-container.active .tab.active').getAttribute('aria-label') ?? '';
    return { label: label.replace(/ \(proposed\)$/, ''), inline: label.endsWith(' (proposed)') };
  }
  const lineNumbers = () => page.locator('.editor-group-container.active .monaco-editor .margin .line-numbers').count();
  const cursor = async () => /Ln (\d+), Col (\d+)/.exec(await statusBarText(page))?.slice(1).join(':');
  const shot = (name: string) => page.screenshot({ path: path.join(ARTIFACTS, `${PREFIX}${name}.png`), animations: 'disabled' });
  async function ask(text: string, proposal: { path: string; content: string }): Promise<void> {
    plans.set(text, proposal);
    await prompt(page, chat, text);
    turns++;
  }
  const approvals = (n: number) => until(`${n} approval(s) in the status bar`, async () => (await statusBarText(page)).includes(`${n} approval${n === 1 ? '' : 's'}`), 30_000);

  before(async function () {
    this.timeout(900_000);
    stub = await startOpenAIStub();
    stub.respondWith((req) => {
      const messages = req.body.messages as { role: string; content: unknown }[];
      const last = messages.at(-1)!;
      const plan = last.role === 'user' ? plans.get(typeof last.content === 'string' ? last.content : '') : undefined;
      return plan
        ? { kind: 'stream', chunks: toolCallChunks([{ id: `call_${req.at.toFixed(0)}`, name: 'write_file', args: plan }], 3) }
        : { kind: 'stream', chunks: textChunks('Done.', 2) };
    });
    wb = await launchWorkbench({ prefix: PREFIX, modelBaseUrl: stub.baseURL });
    page = wb.page;
    await showTorbit(page);
    await until('"Torbit: ready" in the status bar', async () => (await statusBarText(page)).includes('Torbit: ready'), 90_000);
    chat = await chatFrame(page);
  });

  afterEach(async function () { await shootIfFailed(this.currentTest, page, PREFIX); });

  after(async function () {
    this.timeout(60_000);
    await wb?.close();
    await stub?.close();
  });

  it('a two-hunk edit of the file in view shows both hunks inline in its place; each is approved or rejected where it is shown, and only then written', async () => {
    const original = read('src/greet.js');
    const proposed = original.replace('// A function for the AI builder to read, change and test.', '// Greets someone, warmly.').replace('Hello, ${name}!', 'Hi there, ${name}!');
    // The person has the file open.
    await runFromPalette(page, 'Go to File');
    await page.keyboard.type('src/greet.js');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'greet.js' }).first().waitFor();
    await page.keyboard.press('Enter');
    await until('greet.js in the editor', async () => { const f = await inFront(); return f.label === 'greet.js' && !f.inline; });

    await ask('Make greet friendlier', { path: 'src/greet.js', content: proposed });
    await approvals(1);
    // The proposal takes the file's place in view: old and new lines together, the lenses above each hunk.
    await until('both hunks inline, with their lenses', async () => (await lens('Approve').count()) === 2, 30_000);
    await until('the hunks coloured', async () => rows(await seenLines(page)).some((r) => r.startsWith('green')));
    assert.deepEqual(rows(await seenLines(page)), [
      'red 1 // A function for the AI builder to read, change and test.',
      'green // Greets someone, warmly.',
      '- 2 export function greet(name) {',
      'red 3 return `Hello, ${name}!`;',
      'green return `Hi there, ${name}!`;',
      '- 4 }',
    ]);
    assert.match(await lensText(), /Torbit: \+1 −1 at line 1 \(change 1 of 2\) \| Approve \| Reject \| Diff \| Approve all in file/);
    assert.match(await lensText(), /Torbit: \+1 −1 in greet\(\) \(change 2 of 2\) \| Approve \| Reject \| Diff/);
    assert.deepEqual(await inFront(), { label: 'greet.js', inline: true });
    assert.equal(await lineNumbers(), 0, 'the editor\'s own numbers are off in the review (the file\'s are written in)');
    assert.equal(read('src/greet.js'), original, 'nothing is written while it waits');
    await shot('two-hunks');

    // Approve the first hunk where it is shown: it reads as approved (its old line struck through), the file waits for the other.
    await (await nthLens('Approve', 0)).click();
    await until('the first hunk shown approved', async () => (await lensText()).includes('change 1 of 2): approved, waiting for the other changes'));
    await until('its old line struck through', async () => rows(await seenLines(page))[0]?.startsWith('~'));
    assert.deepEqual(rows(await seenLines(page)).slice(0, 2), ['~- 1 // A function for the AI builder to read, change and test.', 'green // Greets someone, warmly.']);
    assert.equal(read('src/greet.js'), original, 'nothing is written before every hunk is decided');
    await shot('one-decided');

    // Reject the second where it is shown, with a reason.
    await (await nthLens('Reject', 0)).click();
    const why = page.locator('.quick-input-widget input');
    await why.waitFor({ state: 'visible' });
    await page.keyboard.type('keep the Hello greeting');
    await page.keyboard.press('Enter');
    await until('exactly the approved hunk on disk', () => read('src/greet.js') === original.replace('// A function for the AI builder to read, change and test.', '// Greets someone, warmly.'), 30_000);
    // The review goes once decided; the file itself is back in its place, without lenses.
    await until('the file back in view', async () => (await lens('Approve').count()) === 0 && !(await inFront()).inline, 30_000);
    assert.equal((await inFront()).label, 'greet.js');
    assert.ok(await lineNumbers() > 0, 'the file has its line numbers: the review changed no setting');
    await until('the model told why', () => stub.requests.some((r) => JSON.stringify(r.body.messages).includes('keep the Hello greeting')));
    await turnDone(chat, turns);
  });

  it('several proposals, in one file and in another: all shown in place; Alt+F5 goes hunk to hunk and on to the other file, and the keys decide at the cursor', async () => {
    const greet = read('src/greet.js');
    const readme = read('README.md');
    const kinder = greet.replace('// Greets someone, warmly.', '// Greets someone, kindly.').replace('Hello, ${name}!', 'Hey, ${name}!');
    const wave = `${greet}export const wave = (name) => \`o/ \${name}\`;\n`;
    const polished = readme.replace('# Sample workspace', '# The sample workspace');
    await clearToasts(page);
    // Three chat sessions wait at once: two proposals to greet.js (in view), one to README.md.
    await ask('Make greet kinder', { path: 'src/greet.js', content: kinder });
    await approvals(1);
    await until('greet.js inline', async () => (await lens('Approve').count()) === 2, 30_000);
    await chat.locator('[data-testid="new-session"]').click();
    await ask('Polish the README', { path: 'README.md', content: polished });
    await approvals(2);
    await chat.locator('[data-testid="new-session"]').click();
    await ask('Add a wave', { path: 'src/greet.js', content: wave });
    await approvals(3);
    await until('both proposals to greet.js inline', async () => (await lens('Approve').count()) === 3, 30_000);
    await until('the new hunk coloured', async () => rows(await seenLines(page)).includes('green export const wave = (name) => `o/ ${name}`;'));
    assert.deepEqual(rows(await seenLines(page)), [
      'red 1 // Greets someone, warmly.',
      'green // Greets someone, kindly.',
      '- 2 export function greet(name) {',
      'red 3 return `Hello, ${name}!`;',
      'green return `Hey, ${name}!`;',
      '- 4 }',
      'green export const wave = (name) => `o/ ${name}`;',
    ]);
    assert.equal(await lens('Approve all in file').count(), 1);
    await shot('two-proposals');

    // From the first hunk, Alt+F5 visits each pending hunk, then the other file, wrapping round.
    await runFromPalette(page, 'Torbit: Review Pending Approvals');
    await until('the cursor on the first hunk', async () => (await cursor()) === '1:1');
    await page.keyboard.press('Alt+F5');
    await until('the cursor on the second hunk', async () => (await cursor()) === '4:1');
    await page.keyboard.press('Alt+F5');
    await until('the cursor on the other proposal\'s hunk', async () => (await cursor()) === '7:1');
    await page.keyboard.press('Alt+F5');
    await until('README.md inline', async () => (await inFront()).label === 'README.md' && (await lens('Approve').count()) === 1, 30_000);
    await until('README.md\'s hunk coloured', async () => rows(await seenLines(page)).includes('green # The sample workspace'));
    assert.deepEqual(rows(await seenLines(page)).slice(0, 2), ['red 1 # Sample workspace', 'green # The sample workspace']);
    assert.equal(await cursor(), '1:1');
    await shot('next-hunk');
    await page.keyboard.press('Shift+Alt+F5');
    await until('back to greet.js, its last hunk', async () => (await inFront()).label === 'greet.js' && (await cursor()) === '7:1', 30_000);

    // Reject the wave at the cursor (Ctrl+Alt+N, with a reason): that proposal goes, the other stays inline.
    await page.keyboard.press('Control+Alt+N');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
    await page.keyboard.type('no waving');
    await page.keyboard.press('Enter');
    await until('only the first proposal left inline', async () => (await lens('Approve').count()) === 2, 30_000);
    assert.equal(read('src/greet.js'), greet, 'a rejection writes nothing');
    // Approve the greeting (Ctrl+Alt+Y): the cursor moves on to the comment, which is rejected; then exactly the greeting is written.
    await runFromPalette(page, 'Torbit: Review Pending Approvals');
    await until('the cursor on the comment', async () => (await cursor()) === '1:1');
    await page.keyboard.press('Alt+F5');
    await until('the cursor on the greeting', async () => (await cursor()) === '4:1');
    await page.keyboard.press('Control+Alt+Y');
    await until('the greeting approved, the cursor on the comment', async () => (await lensText()).includes('change 2 of 2): approved, waiting for the other changes') && (await cursor()) === '1:1');
    assert.equal(read('src/greet.js'), greet, 'nothing written before both hunks are decided');
    await page.keyboard.press('Control+Alt+N');
    await page.locator('.quick-input-widget input').waitFor({ state: 'visible' });
    await page.keyboard.press('Enter');
    await until('exactly the greeting on disk', () => read('src/greet.js') === greet.replace('Hello, ${name}!', 'Hey, ${name}!'), 30_000);
    await until('greet.js itself back in view', async () => !(await inFront()).inline, 30_000);

    // README.md still waits: Alt+F5 from the file goes there; Ctrl+Alt+Y approves it.
    assert.equal(read('README.md'), readme);
    await page.keyboard.press('Alt+F5');
    await until('README.md inline again', async () => (await inFront()).label === 'README.md' && (await lens('Approve').count()) === 1, 30_000);
    await page.keyboard.press('Control+Alt+Y');
    await until('README.md written', () => read('README.md') === polished, 30_000);
    await until('nothing waiting', async () => !/approval/.test(await statusBarText(page)), 30_000);
    assert.equal(read('src/greet.js'), greet.replace('Hello, ${name}!', 'Hey, ${name}!'));
    await until('every turn answered', () => stub.requests.filter((r) => r.method === 'POST' && (r.body.messages as { role: string }[]).at(-1)?.role === 'tool').length >= 4, 30_000);
  });
});
