// A turn's instructions as the database keeps them (turns.instructions): the chat's view plus the
// text each file gave the model, so a replay asks with the recorded text instead of reading the
// files again. Checked when read back: the database is data on disk like any other.
import * as z from 'zod';
import { InstructionFile, TurnInstructions } from '../../protocol';
import type { InstructionRef } from '../../checkpoints/manifest';

export const RecordedInstructions = TurnInstructions.extend({
  files: z.array(InstructionFile.extend({ text: z.string() }).strict()),
}).strict();
export type RecordedInstructions = z.infer<typeof RecordedInstructions>;

/** What the chat and the transcript show: everything but the text. */
export function viewOf(r: RecordedInstructions): TurnInstructions {
  return { ...r, files: r.files.map(({ text: _text, ...f }) => f) };
}

/** A stored column back as a record, or undefined when absent or not one (an older or damaged row). */
export function parseRecorded(json: string | null | undefined): RecordedInstructions | undefined {
  if (!json) return undefined;
  try {
    const r = RecordedInstructions.safeParse(JSON.parse(json));
    return r.success ? r.data : undefined;
  } catch {
    return undefined;
  }
}

/** The files, hashes and what was left out, as the audit log and checkpoints list them. */
export function refsOf(r: { files: readonly InstructionFile[] }): InstructionRef[] {
  return r.files.map((f) => ({ source: f.source, path: f.path, sha256: f.sha256, tokens: f.tokens, step: f.step }));
}

/** What the prompt's audit record says of the instructions: each file by hash, what was left out and why. */
export function auditOf(r: Pick<TurnInstructions, 'files' | 'leftOut' | 'restricted'>): Record<string, unknown> {
  return {
    files: refsOf(r),
    leftOut: r.leftOut.map((l) => ({ path: l.path, kind: l.kind, reason: l.reason, ...(l.tokens !== undefined ? { tokens: l.tokens } : {}) })),
    restricted: r.restricted,
  };
}
