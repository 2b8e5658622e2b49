// A skill contract's memory limit on a command, as the operating system enforces it: the data
// segment (RLIMIT_DATA, `ulimit -d`: the heap and every private writable mapping) set by /bin/sh
// just before it execs the program, so the program and every child it starts inherit it. Not the
// address space (RLIMIT_AS): V8 reserves gigabytes of it up front that it never uses, so Node
// would not even start under a realistic one. A Node program's JavaScript heap is capped as well
// (--max-old-space-size). The argv is passed to sh as positional parameters, never as shell text.
// The time limit is the command's timeout (runCommand.ts), which stops the whole process group.
// Windows has no such limit.
import type { CommandLimits } from './session';

/** The script sh runs: set the limit, then become the program ("$@" is the argv, unquoted by nothing). */
const LIMIT_SCRIPT = 'ulimit -d "$1" || exit 125; shift; exec "$@"';

export function limitedSpawn(command: string, args: string[], env: NodeJS.ProcessEnv, limits: CommandLimits | undefined): { command: string; args: string[]; env: NodeJS.ProcessEnv } {
  if (!limits || process.platform === 'win32') return { command, args, env };
  const kb = limits.memoryMB * 1024;
  const nodeEnv = limits.node
    ? { ...env, NODE_OPTIONS: `${env.NODE_OPTIONS ? `${env.NODE_OPTIONS} ` : ''}--max-old-space-size=${Math.max(8, Math.floor(limits.memoryMB * 0.75))}` }
    : env;
  return { command: '/bin/sh', args: ['-c', LIMIT_SCRIPT, 'torbit-skill-limit', String(kb), command, ...args], env: nodeEnv };
}
