// Splits a command line the way a POSIX shell would split words, without running anything, and
// notes any shell syntax (pipes, redirections, substitutions, separators) found outside quotes.
import { argvLine } from '../protocol/approvalWords';

export interface ParsedCommand {
  argv: string[];
  /** Shell syntax outside quotes, e.g. ['>', '$('] : such a command always asks. */
  shellSyntax: string[];
}

const OPERATORS = ['&&', '||', '>>', '<<', '$(', '${', '|', '>', '<', ';', '&', '`', '\n'];

export function parseCommandLine(line: string): ParsedCommand {
  const argv: string[] = [];
  const shellSyntax: string[] = [];
  let cur = '';
  let inWord = false;
  let quote: '"' | "'" | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null; else cur += c;
      continue;
    }
    if (quote === '"') {
      if (c === '"') quote = null;
      else if (c === '\\' && i + 1 < line.length && '"\\$`\n'.includes(line[i + 1]!)) cur += line[++i];
      else {
        if (c === '$' && (line[i + 1] === '(' || line[i + 1] === '{')) shellSyntax.push(`$${line[i + 1]}`);
        if (c === '`') shellSyntax.push('`');
        cur += c;
      }
      continue;
    }
    if (c === "'" || c === '"') { quote = c; inWord = true; continue; }
    if (c === '\\' && i + 1 < line.length) { cur += line[++i]; inWord = true; continue; }
    if (c === ' ' || c === '\t') {
      if (inWord) { argv.push(cur); cur = ''; inWord = false; }
      continue;
    }
    const op = OPERATORS.find((o) => line.startsWith(o, i));
    if (op) {
      shellSyntax.push(op === '\n' ? 'newline' : op);
      cur += op;
      i += op.length - 1;
    } else {
      cur += c;
    }
    inWord = true;
  }
  if (inWord || quote) argv.push(cur);
  if (quote) shellSyntax.push(`unclosed ${quote}`);
  return { argv, shellSyntax: [...new Set(shellSyntax)] };
}

/** Shell syntax inside already-split arguments (the run_command tool passes argv, not a line). */
export function shellSyntaxIn(argv: readonly string[]): string[] {
  const found: string[] = [];
  for (const a of argv) {
    for (let i = 0; i < a.length; i++) {
      const op = OPERATORS.find((o) => a.startsWith(o, i));
      if (!op) continue;
      found.push(op === '\n' ? 'newline' : op);
      i += op.length - 1;
    }
  }
  return [...new Set(found)];
}

/**
 * An argv as one line a person reads (a card, an approval): an argument with spaces, quotes or
 * shell syntax is shown JSON-quoted, so `a;b` never looks like two commands.
 */
export function formatArgv(argv: readonly string[], cwd = '.'): string {
  const line = argvLine(argv);
  return cwd !== '.' ? `${line}  (in ${cwd})` : line;
}
