// The skills' request: every skill found, valid or not with its codes, for the Governance view.
import { rpc } from '../protocol';
import { handler, type Handler } from '../rpc';
import type { ServerCtx } from '../ctx';
import { ALL_TOOLS } from '../agent/tools';
import { discoverSkills, namedRoots, userSkillsDir } from './discover';

export const skillHandlers: readonly Handler<ServerCtx>[] = [
  // Listing reads and checks files, runs nothing: restricted mode may serve it (and lists the
  // repository's skills, which its turns do not load).
  handler(rpc.skillsList, (ctx: ServerCtx) => {
    const roots = namedRoots(ctx.ready.folders);
    return { skills: discoverSkills({ roots, userDir: userSkillsDir(ctx.env), includeWorkspace: true, knownTools: ALL_TOOLS.map((t) => t.name) }).map((s) => s.view) };
  }),
];
