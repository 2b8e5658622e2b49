import * as assert from 'node:assert/strict';
import { checkRows, ROW_CHARS, wrapWords } from '../../extension/eas/diagnosticRows';
import type { PipelineCheck } from '../../server/protocol';

const TOKEN_FIX = 'Run "Torbit: Set Expo Token" (kept in VS Code\'s secret storage), or set EXPO_TOKEN in the environment VS Code starts from. Create a token at expo.dev → Account settings → Access tokens.';

describe('EAS diagnostics quick pick rows', () => {
  it('wraps between words into lines no longer than the width, losing no word and keeping their order', () => {
    const lines = wrapWords(TOKEN_FIX, 40);
    assert.ok(lines.length > 3);
    for (const l of lines) assert.ok(l.length <= 40, l);
    assert.equal(lines.join(' '), TOKEN_FIX.replace(/\s+/g, ' '));
  });

  it('keeps a word longer than the width whole, on a line of its own', () => {
    assert.deepEqual(wrapWords('set node_modules/.bin/eas-cli-with-a-long-name now', 10), ['set', 'node_modules/.bin/eas-cli-with-a-long-name', 'now']);
    assert.deepEqual(wrapWords('   ', 10), []);
  });

  it('puts what was found beside the title when it fits, and the fix in rows of their own under it', () => {
    const c: PipelineCheck = { id: 'expo-token', title: 'EXPO_TOKEN', state: 'fail', detail: 'not set', fix: TOKEN_FIX };
    const rows = checkRows(c);
    assert.deepEqual(rows[0], { label: '✗ EXPO_TOKEN', description: 'not set', check: 'expo-token' });
    assert.match(rows[1]!.description!, /^Fix: Run "Torbit: Set Expo Token"/);
    assert.equal(rows.slice(1).map((r) => r.description).join(' '), `Fix: ${TOKEN_FIX}`);
    for (const r of rows) {
      assert.ok(`${r.label}  ${r.description ?? ''}`.length <= ROW_CHARS + 2, `fits: ${r.label} ${r.description}`);
      assert.equal(r.check, 'expo-token');
    }
  });

  it('moves a long finding under the title, and a passing check has no fix rows', () => {
    const detail = 'an App Store Connect API key (EXPO_ASC_API_KEY_PATH, EXPO_ASC_KEY_ID, EXPO_ASC_ISSUER_ID)';
    const rows = checkRows({ id: 'ios-credentials', title: 'iOS submit credentials', state: 'ok', detail, fix: null });
    assert.deepEqual(rows[0], { label: '✓ iOS submit credentials', check: 'ios-credentials' });
    assert.equal(rows.slice(1).map((r) => r.description).join(' '), detail);
    assert.ok(rows.slice(1).every((r) => r.label === '' && r.description!.length <= ROW_CHARS));
  });
});
