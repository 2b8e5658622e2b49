// Every request of the protocol is served exactly once, and says what it needs of the workspace.
import * as assert from 'node:assert/strict';
import { rpc, type WorkspaceNeed } from '../../server/protocol';
import { HANDLERS } from '../../server/handlers';

/** What every request definition says of itself. */
interface RequestInfo { kind: 'request'; method: string; sender: string; workspace: WorkspaceNeed }
const requests = (Object.values(rpc) as Array<{ kind: string }>).filter((d): d is RequestInfo => d.kind === 'request');

// Written out on purpose: a new request fails this test until someone decides, here and in the
// protocol, whether restricted mode may serve it (docs/security.md, "One trust gate").
const TRUSTED = [
  'torbit/policy/accept', 'torbit/policy/proposeRule', 'torbit/policy/writeRule',
  'torbit/review/finish', 'torbit/review/installGate', 'torbit/review/ship',
  'torbit/eas/writeConfig', 'torbit/eas/start', 'torbit/eas/builds', 'torbit/runs/cancel',
  'torbit/checkpoint/restore', 'torbit/replay/turn',
];
const ANY = [
  'torbit/status',
  'torbit/chat/send', 'torbit/chat/stop', 'torbit/commands/list', 'torbit/session/list', 'torbit/session/get', 'torbit/change/get',
  'torbit/policy/get', 'torbit/audit/list', 'torbit/audit/export', 'torbit/audit/bundles', 'torbit/audit/verify',
  'torbit/approval/list', 'torbit/approval/get', 'torbit/approval/decide', 'torbit/allowance/list', 'torbit/allowance/revoke',
  'torbit/review/bundle', 'torbit/review/run',
  'torbit/eas/diagnose', 'torbit/eas/proposeConfig', 'torbit/runs/list', 'torbit/runs/log',
  'torbit/checkpoint/list', 'torbit/checkpoint/create', 'torbit/checkpoint/preview', 'torbit/checkpoint/forTurn', 'torbit/checkpoint/file',
  'torbit/skills/list',
];

describe('the backend\'s handlers and the trust gate', () => {
  it('serves every extension → server request exactly once, and nothing the protocol does not define', () => {
    const served = HANDLERS.map((h) => h.def.method);
    assert.deepEqual([...served].sort(), [...new Set(served)].sort(), 'a request is registered twice');
    const fromExtension = requests.filter((d) => d.sender === 'extension').map((d) => d.method);
    assert.deepEqual([...served].sort(), [...fromExtension].sort());
    for (const h of HANDLERS) assert.ok(requests.some((d) => d === (h.def as unknown)), `${h.def.method} is not the protocol's own definition`);
  });

  it('has every request declare whether it needs a trusted workspace, as decided here', () => {
    for (const d of requests) assert.ok(d.workspace === 'any' || d.workspace === 'trusted', `${d.method} says neither`);
    const declared = (w: string) => requests.filter((d) => d.workspace === w).map((d) => d.method).sort();
    assert.deepEqual(declared('trusted'), [...TRUSTED].sort(), 'the requests that need a trusted workspace changed: update docs/security.md and this list');
    assert.deepEqual(declared('any'), [...ANY].sort(), 'a request restricted mode may serve was added or removed: decide, and update docs/security.md and this list');
  });
});
