// A loaded skill as a turn's checkpoint keeps it (name, where, sha256 and the SKILL.md text it
// loaded), and the skills a replay serves from those records instead of what the disk holds now.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import * as z from 'zod';
import { evaluateSkill, USER_SOURCE, type Skill } from './discover';

export const SkillRecord = z.object({
  name: z.string().min(1).max(64),
  scope: z.enum(['workspace', 'user']),
  /** SKILL.md as the tools named it. */
  path: z.string().min(1),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  text: z.string(),
}).strict();
export type SkillRecord = z.infer<typeof SkillRecord>;

/**
 * The recorded skills as a replay loads them. `folderOf` turns a workspace skill's folder (as the
 * tools named it) into its path in the replay's copy of the workspace, undefined when it is not
 * there. A record whose text does not match its sha256 is left out (the database was changed).
 */
export function recordedSkills(records: readonly SkillRecord[], o: { userDir: string; folderOf: (displayDir: string) => string | undefined; knownTools: readonly string[] }): Skill[] {
  const out: Skill[] = [];
  for (const r of records) {
    const bytes = Buffer.from(r.text, 'utf8');
    if (createHash('sha256').update(bytes).digest('hex') !== r.sha256) continue;
    const displayDir = path.posix.dirname(r.path);
    const dir = r.scope === 'user' ? path.join(o.userDir, r.name) : o.folderOf(displayDir);
    if (!dir) continue;
    out.push(evaluateSkill({
      name: r.name, description: null, scope: r.scope, source: r.scope === 'user' ? USER_SOURCE : path.posix.dirname(displayDir), folder: null,
      path: r.path, sha256: null, valid: false, problems: [], contract: null, allowedTools: null, shadowedBy: null,
    }, dir, displayDir, bytes, o.knownTools));
  }
  return out;
}
