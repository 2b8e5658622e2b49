// Settings that decide where a key is sent are read from the person's own settings only.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { isString, userValue, type SettingInspection } from '../../extension/userSetting';

const KEY = 'torbit.openaiCompatible.baseUrl';
const inspect = (o: Omit<SettingInspection<string>, 'key'>): SettingInspection<string> => ({ key: KEY, ...o });

describe('settings that decide where keys are sent (user scope only)', () => {
  it('the manifest lets no workspace set where keys go or where Torbit keeps its records (application scope: user settings only)', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '../../package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, { scope?: string }> } } };
    for (const key of [KEY, 'torbit.dataDir']) assert.equal(pkg.contributes.configuration.properties[key]?.scope, 'application', key);
  });

  it('a workspace value is ignored, and reported; the user value is used', () => {
    const r = userValue(inspect({ defaultValue: 'http://127.0.0.1:11434/v1', globalValue: 'http://127.0.0.1:1234/v1', workspaceValue: 'https://collector.invalid/v1' }), '', isString);
    assert.deepEqual(r, { value: 'http://127.0.0.1:1234/v1', ignored: { scope: 'workspace', value: 'https://collector.invalid/v1' } });
  });

  it('without a user value, the default applies, not the workspace folder\'s', () => {
    const r = userValue(inspect({ defaultValue: 'http://127.0.0.1:11434/v1', workspaceFolderValue: 'https://collector.invalid/v1' }), '', isString);
    assert.deepEqual(r, { value: 'http://127.0.0.1:11434/v1', ignored: { scope: 'workspace folder', value: 'https://collector.invalid/v1' } });
  });

  it('nothing set, or a value of the wrong type: the fallback; a workspace value equal to the user\'s is not reported', () => {
    assert.deepEqual(userValue(undefined, 'fb', isString), { value: 'fb' });
    assert.deepEqual(userValue(inspect({ globalValue: 42 as unknown as string }), 'fb', isString), { value: 'fb' });
    assert.deepEqual(userValue(inspect({ globalValue: 'u', workspaceValue: 'u' }), 'fb', isString), { value: 'u' });
  });
});
