import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { COMMAND_IDS } from '../../extension/commands/ids';
import { BUILTIN_SLASH_COMMANDS, ShipParams, WebviewCommand } from '../../server/protocol';

const root = path.join(__dirname, '../..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

describe('extension manifest', () => {
  it('contributes exactly the commands the extension registers, each titled for the "Torbit" category', () => {
    const contributed = pkg.contributes.commands as { command: string; title: string; category: string }[];
    assert.deepEqual(contributed.map((c) => c.command).sort(), [...COMMAND_IDS].sort());
    for (const c of contributed) {
      assert.equal(c.category, 'Torbit', c.command);
      assert.ok(!c.title.startsWith('Torbit'), `${c.command}: the category already prefixes "Torbit: "`);
    }
  });

  it('binds keys only to registered commands, only while a hunk waits, and README lists each with its key', () => {
    const bindings = pkg.contributes.keybindings as { command: string; key: string; mac?: string; when: string }[];
    const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');
    const titles = new Map((pkg.contributes.commands as { command: string; title: string }[]).map((c) => [c.command, c.title]));
    assert.deepEqual(bindings.map((b) => b.command).sort(), ['torbit.approval.approveCurrent', 'torbit.approval.nextHunk', 'torbit.approval.previousHunk', 'torbit.approval.rejectCurrent']);
    for (const b of bindings) {
      assert.ok((COMMAND_IDS as readonly string[]).includes(b.command), b.command);
      assert.match(b.when, /\btorbit\.(hasPendingHunks|fileHasPendingHunks)\b/, `${b.command} is bound only while something waits`);
      const key = (k: string) => k.split('+').map((p) => p[0]!.toUpperCase() + p.slice(1)).join('+');
      assert.ok(readme.includes(`Torbit: ${titles.get(b.command)} (`) && readme.includes(key(b.key)), `README lists ${b.command} with ${key(b.key)}`);
      if (b.mac) assert.ok(readme.includes(key(b.mac)), `README lists ${b.command}'s macOS key`);
    }
  });

  it('lets webviews run only commands that exist', () => {
    for (const c of WebviewCommand.options) assert.ok((COMMAND_IDS as readonly string[]).includes(c), c);
  });

  it('gives every setting a torbit.* key, a description, a default and a scope', () => {
    const props = pkg.contributes.configuration.properties as Record<string, Record<string, unknown>>;
    assert.ok(Object.keys(props).length >= 3);
    for (const [key, p] of Object.entries(props)) {
      assert.match(key, /^torbit\./);
      assert.ok(p.description || p.markdownDescription, `${key} has a description`);
      assert.ok('default' in p, `${key} has a default`);
      assert.ok(p.scope, `${key} has a scope`);
    }
  });

  it('gives Ship\'s settings the protocol\'s defaults, and keeps its commands from a workspace that is not trusted', () => {
    const props = pkg.contributes.configuration.properties as Record<string, { default: unknown }>;
    const defaults = ShipParams.parse({ shipId: 'x' });
    assert.deepEqual(
      ['testCommand', 'testTimeoutSeconds', 'maxAttempts', 'healPaths', 'remote'].map((k) => props[`torbit.ship.${k}`]?.default),
      [defaults.testCommand, defaults.testTimeoutSeconds, defaults.attempts, defaults.healPaths, defaults.remote]);
    for (const k of ['torbit.ship.testCommand', 'torbit.ship.remote']) assert.ok(pkg.capabilities.untrustedWorkspaces.restrictedConfigurations.includes(k), k);
  });

  it('has the containers, both views, lazy activation and the workspace capabilities', () => {
    assert.equal(pkg.contributes.viewsContainers.activitybar[0].title, 'Torbit');
    assert.deepEqual(pkg.contributes.views.torbit.map((v: { id: string }) => v.id), ['torbit.chat']);
    // Governance in a panel container of its own: the chat keeps the side bar's height, and both show at once.
    assert.deepEqual(pkg.contributes.viewsContainers.panel.map((c: { id: string }) => c.id), ['torbit-governance']);
    assert.deepEqual(pkg.contributes.views['torbit-governance'].map((v: { id: string }) => v.id), ['torbit.governance']);
    assert.ok(!pkg.activationEvents.includes('*'), 'never activates eagerly');
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, 'limited');
    assert.ok('virtualWorkspaces' in pkg.capabilities);
    for (const f of ['publisher', 'displayName', 'description', 'license', 'repository', 'categories', 'keywords']) assert.ok(pkg[f], f);
    assert.ok(fs.existsSync(path.join(root, pkg.icon)), 'the icon exists');
    assert.match(pkg.engines.vscode, /^\^1\.\d+\.0$/);
  });

  it('has a walkthrough whose every step completes by doing it: a context key the extension sets when the person does the step', () => {
    const [w, ...more] = pkg.contributes.walkthroughs as { id: string; steps: { id: string; media: { markdown?: string }; completionEvents: string[] }[] }[];
    assert.ok(w && more.length === 0, 'one walkthrough');
    const source = fs.readFileSync(path.join(root, 'extension/walkthrough.ts'), 'utf8');
    assert.ok(source.includes(`'${pkg.publisher}.${pkg.name}#${w.id}'`), 'extension/walkthrough.ts opens this walkthrough by its full id');
    const extensionSource = fs.globSync('extension/**/*.ts', { cwd: root }).map((f) => fs.readFileSync(path.join(root, f), 'utf8')).join('\n');
    assert.deepEqual(w.steps.map((s) => s.id), ['model', 'prompt', 'approve', 'audit']);
    for (const s of w.steps) {
      assert.ok(s.completionEvents.includes(`onContext:torbit.walkthrough.${s.id}`), `${s.id} completes on its context key`);
      assert.ok(!s.completionEvents.some((e) => e.startsWith('onCommand:')), `${s.id}: running a command is not doing the step (it may be cancelled)`);
      assert.ok(extensionSource.includes(`walkthrough.did('${s.id}')`), `the extension marks ${s.id} done somewhere`);
      assert.ok(s.media.markdown && fs.existsSync(path.join(root, s.media.markdown)), `${s.id}'s page exists`);
    }
  });

  it('runs every built-in slash command as a command the manifest contributes', () => {
    const contributed = new Set((pkg.contributes.commands as { command: string }[]).map((c) => c.command));
    for (const c of BUILTIN_SLASH_COMMANDS) assert.ok(contributed.has(c.command), `/${c.name} runs ${c.command}, which is not contributed`);
  });
});
