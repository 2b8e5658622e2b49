import { spawn } from 'node:child_process';
import * as fs from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { z } from 'zod';
import { readOnlyGit } from '../../git';
import { stopTree } from '../../killTree';
import { formatArgv } from '../../trust/commandLine';
import { limitedSpawn } from '../../skills/limits';
import { ToolError } from '../workspace';
import { capText, defineTool } from './spec';

interface CommandResult {
  command: string;
  args: string[];
  cwd: string;
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  /** The skill contract whose time limit stopped it, when one did. */
  limitedBy?: string;
  durationMs: number;
  output: string;
  truncated: boolean;
}

export const runCommand = defineTool({
  name: 'run_command',
  description: 'Run a program in the workspace, without a shell: give the program and its arguments separately, '
    + 'e.g. {"command":"npm","args":["test"]}. Pipes, redirections and globs are not interpreted. Returns the exit code and output.',
  input: z.object({
    command: z.string().min(1).describe('the program, e.g. "npm" or "git"'),
    args: z.array(z.string()).default([]),
    cwd: z.string().default('.').describe('workspace-relative working directory'),
    timeoutSeconds: z.number().int().min(1).max(3600).optional(),
  }),
  effect: 'run',
  propose: async (i, ctx) => ({ kind: 'command', argv: [i.command, ...i.args], cwd: await ctx.workspace.resolve(i.cwd) }),
  summarize: (i) => formatArgv([i.command, ...i.args], i.cwd),
  async execute(i, ctx, run) {
    if (i.command.includes('\0') || i.args.some((a) => a.includes('\0'))) throw new ToolError('the command contains a NUL byte');
    const dir = await ctx.workspace.resolve(i.cwd);
    if (!(await fs.stat(dir.abs).then((s) => s.isDirectory(), () => false))) throw new ToolError(`${dir.display} is not a directory`);
    const granted = ctx.guard.consume(run.toolCallId);
    // Allowed as read-only git: the repository's config may not run a program (core.fsmonitor,
    // diff and textconv drivers, filters, pager), since nobody approved this command by hand.
    const spawned = granted?.readOnlyGit && i.command === 'git'
      ? await readOnlyGit(dir.abs, i.args, ctx.commandEnv)
      : { args: i.args, env: ctx.commandEnv };
    // A skill contract in use holds the command to its limits (and checks its scripts once more).
    const limits = ctx.skills?.prepare([i.command, ...i.args], dir.abs);
    await ctx.beforeChange();
    const timeoutMs = Math.min((i.timeoutSeconds ?? Infinity) * 1000, ctx.limits.commandTimeoutMs, limits?.timeoutMs ?? Infinity);
    const limitedBy = limits && limits.timeoutMs <= timeoutMs ? limits.skills.join(', ') : undefined;
    const launch = limitedSpawn(i.command, spawned.args, spawned.env, limits);
    const max = ctx.limits.maxOutputBytes;
    const started = Date.now();
    return await new Promise<CommandResult>((resolve, reject) => {
      const child = spawn(launch.command, launch.args, {
        cwd: dir.abs, env: launch.env, shell: false, detached: process.platform !== 'win32', stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true,
      });
      let output = '';
      let streamed = 0;
      let timedOut = false;
      let canceled = false;
      const take = (s: string) => {
        // Keep at most twice the cap in memory; capText trims to the cap at the end.
        output += s;
        if (output.length > max * 2) output = output.slice(0, Math.floor(max * 0.5)) + output.slice(-Math.floor(max * 1.5));
        if (streamed < max) {
          const piece = s.slice(0, max - streamed);
          streamed += piece.length;
          run.output(piece);
          if (streamed >= max) run.output('\n[output capped; the rest is summarized in the result]\n');
        }
      };
      // One redacted stream for stdout and stderr as they interleave (the card shows them as one),
      // so a secret split across writes is still caught; what it holds back comes out at close.
      const redacted = ctx.redact.pipe(take);
      const decoders = [new StringDecoder('utf8'), new StringDecoder('utf8')] as const;
      const onData = (i: 0 | 1) => (d: Buffer) => redacted.write(decoders[i].write(d));
      child.stdout.on('data', onData(0));
      child.stderr.on('data', onData(1));
      const stop = (why: 'timeout' | 'cancel') => {
        if (why === 'timeout') timedOut = true; else canceled = true;
        stopTree(child.pid);
      };
      const timer = setTimeout(() => stop('timeout'), timeoutMs);
      const onAbort = () => stop('cancel');
      run.signal.addEventListener('abort', onAbort, { once: true });
      child.once('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        run.signal.removeEventListener('abort', onAbort);
        reject(err.code === 'ENOENT'
          ? new ToolError(`command not found: ${i.command}. run_command starts a program directly, without a shell; pass the program and its arguments separately`)
          : new ToolError(`could not start ${i.command}: ${err.message}`));
      });
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        run.signal.removeEventListener('abort', onAbort);
        redacted.write(decoders[0].end() + decoders[1].end());
        redacted.end();
        if (canceled) { reject(new Error('the command was stopped')); return; }
        const capped = capText(output, max);
        resolve({
          command: i.command, args: i.args, cwd: dir.display, exitCode: code, signal: signal ?? null, timedOut, ...(timedOut && limitedBy ? { limitedBy } : {}),
          durationMs: Date.now() - started, output: capped.text, truncated: capped.truncated,
        });
      });
    });
  },
  outcome: (o) => ({
    result: o.timedOut ? `timed out after ${(o.durationMs / 1000).toFixed(1)} s${o.limitedBy ? ` (the time limit of the skill ${o.limitedBy})` : ''}` : `${o.signal ? `killed by ${o.signal}` : `exit ${o.exitCode}`} in ${(o.durationMs / 1000).toFixed(1)} s`,
  }),
});
