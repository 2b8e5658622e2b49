import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InitOptions, parseFromWebview, parseToWebview, rpc, Status } from '../../server/protocol';

const okStatus = {
  version: '0.1.0', pid: 42, uptimeMs: 10, node: 'v24.0.0', workspace: '/w', dataDir: '/w/.torbit-data',
  dataDirSource: 'workspace', environment: 'dev', schemaVersion: 1,
  store: { state: 'ok', path: '/w/.torbit-data/torbit.db', schemaVersion: 1, pendingMigrations: 0, journalMode: 'wal' },
};

describe('protocol', () => {
  it('names every request and notification torbit/… once, each with a sender', () => {
    const defs = Object.values(rpc as Record<string, unknown>).filter((d): d is { method: string; sender: string } =>
      typeof d === 'object' && d !== null && 'kind' in d);
    assert.equal(defs.length, Object.keys(rpc).length, 'requests.ts holds message definitions only');
    assert.ok(defs.length >= 1);
    const methods = defs.map((d) => d.method);
    assert.equal(new Set(methods).size, methods.length, 'no method is defined twice');
    for (const d of defs) {
      assert.match(d.method, /^torbit\/[a-zA-Z/]+$/);
      assert.ok(d.sender === 'extension' || d.sender === 'server');
    }
  });

  it('torbit/status takes no params and refuses unknown ones', () => {
    assert.ok(rpc.status.params.safeParse(undefined).success);
    assert.ok(rpc.status.params.safeParse({}).success);
    assert.equal(rpc.status.params.safeParse({ verbose: true }).success, false);
    assert.equal(rpc.status.params.safeParse([1, 2]).success, false);
  });

  it('Status accepts each store state and rejects malformed ones', () => {
    assert.ok(Status.safeParse(okStatus).success);
    assert.ok(Status.safeParse({ ...okStatus, schemaVersion: null, store: { state: 'absent', path: '/x' } }).success);
    assert.ok(Status.safeParse({ ...okStatus, schemaVersion: null, store: { state: 'error', path: '/x', code: 'corrupt', message: 'm' } }).success);
    assert.equal(Status.safeParse({ ...okStatus, store: { state: 'error', path: '/x', code: 'melted', message: 'm' } }).success, false);
    assert.equal(Status.safeParse({ ...okStatus, pid: -1 }).success, false);
    assert.equal(Status.safeParse({ ...okStatus, dataDirSource: 'elsewhere' }).success, false);
  });

  it('InitOptions fills defaults, and is strict about unknown keys and wrong types', () => {
    const d = InitOptions.parse({});
    assert.deepEqual([d.workspaceFolders, d.dataDirSetting, d.trusted], [[], '', false]);
    assert.deepEqual(d.agent, { maxSteps: 25, maxRetries: 2, commandTimeoutSeconds: 300, maxOutputBytes: 200_000, approvalTimeoutSeconds: 600, budgetUsd: 0, budgetTokens: 0, prices: {} });
    assert.equal(InitOptions.safeParse({ agent: { maxSteps: 0 } }).success, false);
    assert.equal(InitOptions.safeParse({ workspaceFolders: '/w' }).success, false);
    assert.equal(InitOptions.safeParse({ apiKey: 'sk-…' }).success, false);
  });

  it('parses each webview → extension message and refuses anything else with a reason', () => {
    assert.deepEqual(parseFromWebview({ type: 'ready' }), { ok: true, message: { type: 'ready' } });
    assert.deepEqual(parseFromWebview({ type: 'prompt', text: '  hi  ' }), { ok: true, message: { type: 'prompt', text: 'hi' } });
    assert.ok(parseFromWebview({ type: 'runCommand', command: 'torbit.showLogs' }).ok);
    for (const action of ['allowForSession', 'alwaysAllow']) assert.ok(parseFromWebview({ type: 'approval', approvalId: 'a', action }).ok, action);
    const cases: [unknown, RegExp][] = [
      [{ type: 'prompt', text: '   ' }, /prompt is empty/],
      [{ type: 'prompt' }, /text/],
      [{ type: 'runCommand', command: 'workbench.action.terminal.new' }, /command/],
      [{ type: 'deleteEverything' }, /type/],
      [{ type: 'ready', extra: 1 }, /extra/],
      // An approval's buttons name the approval, never a scope or a rule: the extension looks those up.
      [{ type: 'approval', approvalId: 'a', action: 'allowForSession', scope: { kind: 'command', argvPrefix: ['rm'] } }, /scope/],
      [{ type: 'approval', approvalId: 'a', action: 'alwaysAllow', rule: { match: 'prefix', argv: ['rm'] } }, /rule/],
      ['ready', /object|expected/i],
      [null, /object|expected/i],
    ];
    for (const [raw, why] of cases) {
      const r = parseFromWebview(raw);
      assert.equal(r.ok, false, `accepted ${JSON.stringify(raw)}`);
      if (!r.ok) assert.match(r.error, why);
    }
  });

  it('takes a Governance view\'s Revoke and audit filter only in their shape: an allowance id, a kind of the audit log', () => {
    assert.deepEqual(parseFromWebview({ type: 'revokeAllowance', allowanceId: 'a1' }), { ok: true, message: { type: 'revokeAllowance', allowanceId: 'a1' } });
    assert.ok(parseFromWebview({ type: 'auditQuery', kind: 'decision' }).ok);
    const cases: [unknown, RegExp][] = [
      [{ type: 'revokeAllowance' }, /allowanceId/],
      [{ type: 'revokeAllowance', allowanceId: '' }, /allowanceId/],
      [{ type: 'revokeAllowance', allowanceId: 'a1', all: true }, /all/],
      // The outcomes (ok, error, create…) are no kinds of record.
      [{ type: 'auditQuery', kind: 'ok' }, /kind/],
      [{ type: 'auditQuery', outcome: 'approved' }, /outcome/],
    ];
    for (const [raw, why] of cases) {
      const r = parseFromWebview(raw);
      assert.equal(r.ok, false, `accepted ${JSON.stringify(raw)}`);
      if (!r.ok) assert.match(r.error, why);
    }
  });

  it('parses each extension → webview message', () => {
    assert.ok(parseToWebview({ type: 'backend', state: 'ready', status: okStatus }).ok);
    assert.ok(parseToWebview({ type: 'notice', level: 'warning', text: 't' }).ok);
    assert.equal(parseToWebview({ type: 'backend', state: 'exploded' }).ok, false);
  });

  it('depends on nothing but zod, so the webview can import it', () => {
    const dir = path.join(__dirname, '../../server/protocol');
    for (const f of fs.readdirSync(dir)) {
      const src = fs.readFileSync(path.join(dir, f), 'utf8');
      for (const m of src.matchAll(/from '([^']+)'/g)) {
        assert.ok(m[1] === 'zod' || m[1]!.startsWith('./'), `${f} imports ${m[1]}`);
      }
    }
  });
});
