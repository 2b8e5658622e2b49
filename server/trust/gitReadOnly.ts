// The read-only git forms the built-in default allows (policy rules with match "read-only-git"):
// a subcommand that only reads, followed only by options from its table and by revisions or
// paths inside the workspace. Anything else (an option that writes a file, such as --output, or
// runs a program, such as --ext-diff, --textconv or --show-signature; a global option before the
// subcommand, such as -c or -C; an absolute path or one leaving the workspace) falls through to the
// next rule and, in the default, asks.
//
// git also reads the repository's own config, and a hostile .git/config can name programs git
// runs while it only reads (core.fsmonitor on `git status`, an external diff or textconv driver on
// `git diff`/`log -p`/`show`). A command allowed by such a rule is therefore run through
// readOnlyGit (server/git.ts), which switches every one of those off: see runCommand.ts.

/** An option allowed as is, or (ending in "=") with any value after the "=". */
type Table = readonly string[];

const OUTPUT: Table = [
  '--stat', '--shortstat', '--numstat', '--name-only', '--name-status', '--summary', '--patch', '-p', '--no-patch', '-s',
  '--no-color', '--color=never', '--no-ext-diff', '--no-textconv', '--abbrev-commit', '--oneline', '--format=', '--pretty=', '--pretty',
  '--diff-filter=', '-M', '--find-renames', '--no-renames', '-w', '--ignore-all-space', '--ignore-space-change', '-U', '--unified=',
  '--word-diff', '--minimal', '--patience', '--histogram', '--relative', '-R', '--date=', '--decorate', '--decorate=', '--no-decorate',
];

const TABLES: Readonly<Record<string, { options: Table; positional: boolean }>> = {
  status: {
    options: ['-s', '--short', '-b', '--branch', '-sb', '--porcelain', '--porcelain=v1', '--porcelain=v2', '--long', '-z',
      '-uno', '-unormal', '-uall', '-u', '--untracked-files', '--untracked-files=no', '--untracked-files=normal', '--untracked-files=all',
      '--ignored', '--ignored=traditional', '--ignored=matching', '--ignored=no', '--ahead-behind', '--no-ahead-behind', '--show-stash', '--renames', '--no-renames'],
    positional: true,
  },
  log: {
    options: [...OUTPUT, '-n', '--max-count=', '--skip=', '--graph', '--all', '--branches', '--tags', '--remotes', '--no-merges', '--merges',
      '--first-parent', '--reverse', '--since=', '--until=', '--after=', '--before=', '--author=', '--committer=', '--grep=', '-i',
      '--regexp-ignore-case', '--follow', '--topo-order', '--date-order'],
    positional: true,
  },
  diff: { options: [...OUTPUT, '--cached', '--staged', '--quiet', '--exit-code', '--check'], positional: true },
  show: { options: [...OUTPUT, '--quiet'], positional: true },
  'rev-parse': {
    options: ['--show-toplevel', '--abbrev-ref', '--short', '--short=', '--verify', '--quiet', '-q', '--git-dir', '--is-inside-work-tree',
      '--show-prefix', '--show-cdup', '--symbolic-full-name', '--absolute-git-dir'],
    positional: true,
  },
  // Listing only: a positional token would create a branch, so none is allowed.
  branch: { options: ['-a', '--all', '-r', '--remotes', '-v', '-vv', '--verbose', '--list', '--show-current', '--no-color', '--color=never'], positional: false },
};

/** The subcommands the table knows (a rule naming another never matches). */
export const READ_ONLY_GIT_SUBCOMMANDS = Object.keys(TABLES);

/**
 * Whether argv is `git <sub> …` with `<sub>` = ruleArgv[1] and only table options and safe
 * positionals after it. The rule's own argv must be exactly [git, sub].
 */
export function isReadOnlyGit(argv: readonly string[], ruleArgv: readonly string[]): boolean {
  if (ruleArgv.length !== 2 || ruleArgv[0] !== 'git' || argv[0] !== 'git' || argv[1] !== ruleArgv[1]) return false;
  const table = TABLES[ruleArgv[1]!];
  if (!table) return false;
  let pathsOnly = false;
  for (const t of argv.slice(2)) {
    if (!pathsOnly && t === '--') { pathsOnly = true; continue; }
    if (!pathsOnly && t.startsWith('-')) {
      if (!optionAllowed(t, table.options)) return false;
      continue;
    }
    if (!table.positional || !safePositional(t)) return false;
  }
  return true;
}

function optionAllowed(t: string, options: Table): boolean {
  // %G… placeholders verify signatures: git runs gpg.program, which the repository's config names.
  if (t.includes('%G')) return false;
  if (options.includes(t)) return true;
  // -n5, -U3, -5: counts.
  if (/^-(n|U)?\d+$/.test(t)) return options.includes('-n') || options.includes('-U');
  const eq = t.indexOf('=');
  return eq > 0 && options.includes(t.slice(0, eq + 1));
}

/**
 * A revision or a path inside the workspace: never absolute, never leaving it (`git diff /a /b`
 * outside a repository compares any two files), never empty. `A..B` ranges are revisions.
 */
function safePositional(t: string): boolean {
  if (t === '' || t.includes('\\') || /^[/~]/.test(t) || /^[A-Za-z]:/.test(t)) return false;
  return !/(^|\/)\.\.(\/|$)/.test(t);
}
