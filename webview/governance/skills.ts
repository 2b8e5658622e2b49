// The Agent Skills section: every skill found (the workspace's skill folders and the person's own
// ~/.agents/skills), valid or not with the loader's codes, what its contract declares, and the
// sha256 of its SKILL.md. A workspace skill's name opens its SKILL.md.
import type { SkillView } from '../../server/protocol';
import { h, post } from '../common/api';
import type { Section } from './sections';

function permissions(s: SkillView): string {
  const c = s.contract;
  if (!c) return s.valid ? 'no contract: runs under the policy alone' : '';
  const cmds = c.permissions.commands.map((a) => a.join(' '));
  return [
    `contract ${c.version}: ${c.permissions.categories.join(', ') || 'no categories'}`,
    ...(cmds.length ? [`commands: ${cmds.join('; ')}`] : []),
    ...(c.sideEffects.length ? [`side effects: ${c.sideEffects.join(', ')}`] : []),
    `limits: ${c.limits.maxSeconds} s, ${c.limits.maxMemoryMB} MB`,
  ].join(' · ');
}

export function skillsSection(section: Section) {
  const box = h('ul', { class: 'skills', 'data-testid': 'skills' });
  const error = h('div', { class: 'notice' });
  section.body.append(error, box);
  return (list: SkillView[], err: string | null, open: boolean): void => {
    error.textContent = err ?? '';
    box.replaceChildren(...list.map((s, index) => {
      const name = s.scope === 'workspace'
        ? h('a', { href: '#', class: 'skill-name', 'data-testid': 'skill-open', title: `Open ${s.path}` }, s.name)
        : h('span', { class: 'skill-name' }, s.name);
      name.addEventListener('click', (e) => { e.preventDefault(); post({ type: 'openSkill', index }); });
      const state = s.shadowedBy ? `not used: ${s.shadowedBy} comes first` : s.valid ? 'valid' : `invalid: ${[...new Set(s.problems.map((p) => p.code))].join(', ')}`;
      return h('li', { 'data-testid': 'skill', 'data-name': s.name, 'data-valid': String(s.valid) },
        h('div', { class: 'skill-head' }, name, ' ', h('span', { class: 'skill-state', 'data-testid': 'skill-state' }, state), h('span', { class: 'skill-source' }, ` · ${s.source}`)),
        ...(s.description ? [h('div', { class: 'skill-description' }, s.description)] : []),
        ...(permissions(s) ? [h('div', { class: 'skill-permissions', 'data-testid': 'skill-permissions' }, permissions(s))] : []),
        // The loader's messages usually start with their field already.
        ...s.problems.map((p) => h('div', { class: 'skill-problem' }, `${p.code}: ${p.message.startsWith(p.field) ? p.message : `${p.field}: ${p.message}`}`)),
        ...(s.sha256 ? [h('div', { class: 'skill-hash' }, 'sha256 ', h('code', {}, s.sha256))] : []));
    }));
    if (!list.length) box.append(h('li', { class: 'empty' }, 'No skills: a folder with a SKILL.md under .agents/skills, .claude/skills, .github/skills or .torbit/skills (or ~/.agents/skills) is one.'));
    const invalid = list.filter((s) => !s.valid).length;
    section.count(list.length, { attention: invalid > 0, title: invalid ? `${invalid} of ${list.length} invalid` : `${list.length} skill(s)` });
    if (open) section.open();
  };
}
