// `torbit checkpoint create|list|restore`: the same checkpoint service the extension uses, over
// the workspace in the current directory. A restore shows what it will change first; user work
// or a moved HEAD needs --yes (or a "y" at the prompt on a terminal).
import * as path from 'node:path';
import { createInterface } from 'node:readline/promises';
import type { Backend } from '../backend';
import { RestoreMode, type CheckpointView, type RestorePreview } from '../protocol';
import { RestoreRefused, type Checkpoints } from '../checkpoints/service';
import { stderrLogger } from '../logger';
import { openWorkspaceBackend, tellNotices } from './backend';
import { readWorkspaceSettings, UsageError } from './settings';
import type { Command, CommandIo } from './commands';
import { EXIT } from './exitCodes';

/** A restore that needs confirmation it did not get (EXIT.needsConfirmation): nothing was changed. */
export class NeedsConfirmation extends Error {}

async function open(io: CommandIo, values: Record<string, unknown>): Promise<{ backend: Backend; cps: Checkpoints }> {
  const backend = await openWorkspaceBackend({ cwd: io.cwd, env: io.env, verbose: values.verbose === true, mode: 'migrate' });
  backend.requireDb();
  const seen = backend.notices.length;
  const cps = await backend.checkpoints({ maxFileBytes: readWorkspaceSettings(io.cwd).checkpointMaxFileBytes, log: stderrLogger(values.verbose === true) });
  tellNotices(backend, seen);
  return { backend, cps };
}

export function describeCheckpoint(c: CheckpointView): string {
  const what = c.label ?? (c.turnTitle ? `"${c.turnTitle}"` : '');
  return `${String(c.id).padStart(4)}  ${c.createdAt}  ${c.kind.padEnd(15)} ${String(c.files).padStart(6)} file(s)  ${c.turns === null ? '' : `${c.turns} turn(s)  `}${what}`.trimEnd();
}

export function describePreview(p: RestorePreview): string[] {
  const lines = [`Restoring checkpoint ${p.checkpoint.id} (${p.checkpoint.kind}, ${p.checkpoint.createdAt}), mode ${p.mode}:`];
  if (p.mode !== 'conversation') {
    if (!p.files.length && !p.folders.create.length && !p.folders.remove.length) lines.push('  files: nothing to change');
    const user = new Set(p.userWork.map((u) => path.join(u.folder, u.path)));
    for (const f of p.files) lines.push(`  ${f.action.padEnd(6)} ${f.path}${user.has(path.join(f.folder, f.path)) ? '   <- changed outside Torbit\'s turns' : ''}`);
    for (const d of p.folders.create) lines.push(`  mkdir  ${d}`);
    for (const d of p.folders.remove) lines.push(`  rmdir  ${d}`);
    for (const u of p.unrestorable) lines.push(`  cannot restore ${u.path}: ${u.reason}`);
    for (const h of p.headMoved) lines.push(`  HEAD of ${h.folder} moved: then ${h.then}, now ${h.now}`);
  }
  if (p.conversation) lines.push(`  conversation: keeps ${p.conversation.keep} turn(s), takes out ${p.conversation.hide}, brings back ${p.conversation.bringBack}`);
  return lines;
}

async function confirm(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) return false;
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await rl.question(`${question} [y/N] `)).trim());
  } finally {
    rl.close();
  }
}

export const checkpointCommand: Command = {
  summary: 'Checkpoints of the workspace: take one, list them, restore one (files, conversation or both)',
  usage: 'torbit checkpoint create [--label L] | list [--json] | restore <id> [--mode files|conversation|both] [--yes]',
  positionals: true,
  options: { label: { type: 'string' }, mode: { type: 'string' }, yes: { type: 'boolean', short: 'y' }, json: { type: 'boolean' }, verbose: { type: 'boolean' } },
  optionHelp: [
    ['--label L', 'create: a name for the checkpoint'],
    ['--mode M', 'restore: files, conversation or both (default both)'],
    ['--yes, -y', 'restore: confirm overwriting work done outside Torbit\'s turns, and a moved HEAD'],
    ['--json', 'machine-readable output'],
    ['--verbose', 'log what the backend does to stderr'],
  ],
  extraHelp: [
    'A restore first prints what it will change.',
    'Every restore first takes a checkpoint of the state it replaces: restoring that one undoes it.',
  ],
  exits: [['ok', 'done'], ['failed', 'no such checkpoint, or the restore was refused'], ['usage', 'no or an unknown action, a bad option'], ['needsConfirmation', 'restore: it needs confirmation (--yes) and changed nothing']],
  async run(values, io, positionals = []) {
    const [action, ...args] = positionals;
    if (!action || !['create', 'list', 'restore'].includes(action)) throw new UsageError('checkpoint needs create, list or restore');
    if (action !== 'restore' && args.length) throw new UsageError(`unexpected argument ${args[0]}`);
    const mode = RestoreMode.safeParse(values.mode ?? 'both');
    if (!mode.success) throw new UsageError('--mode is files, conversation or both');
    const id = action === 'restore' ? Number(args[0]) : 0;
    if (action === 'restore' && (args.length !== 1 || !Number.isInteger(id) || id <= 0)) throw new UsageError('checkpoint restore needs one checkpoint id (see torbit checkpoint list)');
    const { backend, cps } = await open(io, values);
    try {
      if (action === 'create') {
        const c = await cps.create({ label: values.label as string | undefined });
        io.out(values.json ? JSON.stringify(c, null, 2) : `checkpoint ${c.id} taken: ${c.files} file(s)`);
        return EXIT.ok;
      }
      if (action === 'list') {
        const list = await cps.list();
        io.out(values.json ? JSON.stringify(list, null, 2) : list.length ? list.map(describeCheckpoint).join('\n') : 'no checkpoints yet');
        return EXIT.ok;
      }
      let preview: RestorePreview;
      try {
        preview = await cps.preview(id, mode.data);
      } catch (err) {
        if (err instanceof RestoreRefused) throw new UsageError(err.message);
        throw err;
      }
      if (!values.json) for (const l of describePreview(preview)) process.stderr.write(`${l}\n`);
      const needs = preview.userWork.length > 0 || preview.headMoved.length > 0;
      let yes = values.yes === true;
      if (needs && !yes) yes = await confirm(`${preview.userWork.length} file(s) changed outside Torbit's turns${preview.headMoved.length ? ' and a moved HEAD' : ''}: restore anyway?`);
      if (needs && !yes) {
        const why = preview.headMoved.length
          ? `HEAD of ${preview.headMoved[0]!.folder} moved since checkpoint ${id} (then ${preview.headMoved[0]!.then}, now ${preview.headMoved[0]!.now})`
          : `${preview.userWork.length} file(s) were changed outside Torbit's turns since checkpoint ${id}`;
        throw new NeedsConfirmation(`${why}: nothing was changed; run again with --yes to restore anyway`);
      }
      try {
        const r = await cps.restore({
          checkpointId: id, mode: mode.data, confirmHeadMoved: yes,
          confirmUserWork: yes ? preview.userWork.map((u) => path.join(u.folder, u.path)) : [],
        });
        io.out(values.json ? JSON.stringify(r, null, 2)
          : `restored checkpoint ${id} (${mode.data}): ${r.written} file(s) written, ${r.removed} removed. To undo: torbit checkpoint restore ${r.backupCheckpointId}`);
        return EXIT.ok;
      } catch (err) {
        // The workspace changed between the preview and the restore.
        if (err instanceof RestoreRefused) throw new NeedsConfirmation(`${err.message} (nothing was changed)`);
        throw err;
      }
    } finally {
      await backend.close();
    }
  },
};
