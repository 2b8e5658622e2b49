// `git status --porcelain=v1 --branch -z` read into the summary git_status reports (the same
// categories simple-git's StatusSummary used: a file can be staged and modified at once).

export interface StatusSummary {
  current: string | null;
  tracking: string | null;
  ahead: number;
  behind: number;
  staged: string[];
  modified: string[];
  deleted: string[];
  created: string[];
  not_added: string[];
  renamed: { from: string; to: string }[];
  conflicted: string[];
  clean: boolean;
}

const CONFLICTS = new Set(['DD', 'AU', 'UD', 'UA', 'DU', 'AA', 'UU']);

function branchLine(s: StatusSummary, line: string): void {
  // "## main...origin/main [ahead 1, behind 2]", "## No commits yet on main", "## HEAD (no branch)"
  const head = line.replace(/ \[[^\]]*\]$/, '');
  const ahead = /\[.*ahead (\d+)/.exec(line);
  const behind = /\[.*behind (\d+)/.exec(line);
  s.ahead = ahead ? Number(ahead[1]) : 0;
  s.behind = behind ? Number(behind[1]) : 0;
  const initial = /^No commits yet on (.+)$/.exec(head) ?? /^Initial commit on (.+)$/.exec(head);
  if (initial) { s.current = initial[1]!; return; }
  if (head.startsWith('HEAD (no branch)')) return;
  const [local, tracking] = head.split('...');
  s.current = local || null;
  s.tracking = tracking || null;
}

export function parseStatus(out: string): StatusSummary {
  const s: StatusSummary = { current: null, tracking: null, ahead: 0, behind: 0, staged: [], modified: [], deleted: [], created: [], not_added: [], renamed: [], conflicted: [], clean: true };
  const fields = out.split('\0');
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i]!;
    if (f.startsWith('## ')) { branchLine(s, f.slice(3)); continue; }
    if (f.length < 4) continue;
    const x = f[0]!;
    const y = f[1]!;
    const file = f.slice(3);
    s.clean = false;
    if (x === '?' && y === '?') { s.not_added.push(file); continue; }
    if (x === '!') continue;
    if (CONFLICTS.has(x + y)) { s.conflicted.push(file); continue; }
    if (x === 'R' || x === 'C') {
      // -z: the rename's source is the next field.
      const from = fields[++i] ?? '';
      s.renamed.push({ from, to: file });
      if (y === 'M') s.modified.push(file);
      continue;
    }
    if (x === 'A') { s.created.push(file); s.staged.push(file); }
    if (x === 'M') { s.modified.push(file); s.staged.push(file); }
    if (x === 'D') { s.deleted.push(file); s.staged.push(file); }
    if (y === 'M' && x !== 'M') s.modified.push(file);
    if (y === 'D' && x !== 'D') s.deleted.push(file);
    if (y === 'A') s.created.push(file);
  }
  return s;
}
