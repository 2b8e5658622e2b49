// The model's review of a bundle, or of each packet: every answer is checked against a schema,
// and the verdicts of the packets make one (BLOCKED when any is). A mock, test or demo model's
// verdict is marked simulated: it never passes finish or the gate.
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateText, Output, type LanguageModel } from 'ai';
import * as z from 'zod';
import { Blocker, Verdict, type BundleResult, type ReviewedFile } from '../protocol/review';

/** What the model must answer for one bundle or packet. */
export const ModelVerdict = z.object({
  verdict: z.enum(['APPROVED', 'BLOCKED']),
  blockers: z.array(Blocker).describe('Empty when APPROVED. Each: the file (repository-relative path), the line in its new version, severity, and why.'),
  summary: z.string().describe('One or two sentences: what the change does and what the review found.'),
});
export type ModelVerdict = z.infer<typeof ModelVerdict>;

export const REVIEW_SYSTEM = [
  'You review a code change before it is pushed. The change comes as a git patch (or one packet of it),',
  'opened by lines starting with "#" that give the range, the files and their stats. Files listed as',
  'binary, or redacted (a secret file holding only secret data: its name and size are given), are not',
  'shown: do not guess their content. Values shown as [masked: …] (a private key block, a token, a',
  'credential) were replaced by Torbit; everything else in the patch is the real change: review it all,',
  'including lines next to a masked value.',
  'Answer BLOCKED when the change has a defect that must be fixed first: a bug, a security problem,',
  'data loss, a broken build, or a secret in the code. Name each one as a blocker with the file, the line',
  'in the new version of the file, a severity (error for what must be fixed; warning or info otherwise)',
  'and a message that says what is wrong and how to fix it. Answer APPROVED when nothing must be fixed',
  '(warnings and notes may still be listed). Do not block on style alone.',
  // Said in words too: not every provider is given the schema (OpenAI-compatible servers without structured outputs).
  'Answer with one JSON object and nothing else:',
  '{"verdict": "APPROVED" or "BLOCKED", "summary": "…", "blockers": [{"file": "path/in/repo", "line": 1, "severity": "error" or "warning" or "info", "message": "…"}]}',
].join('\n');

/** Models whose verdicts are not a real review: ai/test's mocks, Torbit's own test stubs and demo. */
export function isSimulated(model: LanguageModel, modelId: string, factoryIsReal: boolean): boolean {
  if (!factoryIsReal) return true;
  if (typeof model === 'string') return false;
  const provider = model.provider.toLowerCase();
  return provider.startsWith('mock') || provider.includes('test') || /^(mock|test|torbit-demo)/i.test(modelId) || /^mock/i.test(model.modelId);
}

/** A path as the model may write it: without git's a/ b/ prefixes or a leading ./ or /. */
function normalize(file: string): string {
  return file.trim().replace(/^["']|["']$/g, '').replace(/^(a|b)\//, '').replace(/^\.?\//, '');
}

/** What the review showed of each file: finish and the push gate check it. */
export function reviewedFiles(bundle: BundleResult): ReviewedFile[] {
  return bundle.files.map((f) => ({
    path: f.path, from: f.from,
    shown: f.kind === 'text' ? 'shown' : f.kind === 'binary' ? 'binary' : 'excluded',
    ...(f.kind === 'redacted' && f.reason ? { reason: f.reason } : {}),
  }));
}

export interface ReviewDeps {
  model: LanguageModel;
  provider: string;
  modelId: string;
  simulated: boolean;
  signal?: AbortSignal;
  maxRetries?: number;
}

/** Reviews `bundle` (the bundle, or each of its packets in order) and returns the verdict. */
export async function reviewBundle(d: ReviewDeps, bundle: BundleResult): Promise<Verdict> {
  const units = bundle.mode === 'bundle' ? [bundle.main] : bundle.packets.map((p) => path.join(bundle.dir, p.name));
  const known = new Set(bundle.files.map((f) => f.path));
  const blockers: Verdict['blockers'] = [];
  const summaries: string[] = [];
  const reviewed: string[] = [];
  let blocked = false;
  for (const [i, unit] of units.entries()) {
    const text = fs.readFileSync(unit); // a bundle or a packet: at most about the cap
    reviewed.push(createHash('sha256').update(text).digest('hex'));
    const { output } = await generateText({
      model: d.model,
      system: REVIEW_SYSTEM,
      prompt: units.length > 1 ? `Packet ${i + 1} of ${units.length}:\n\n${text.toString('utf8')}` : text.toString('utf8'),
      output: Output.object({ schema: ModelVerdict }),
      abortSignal: d.signal,
      maxRetries: d.maxRetries ?? 2,
    });
    const v = ModelVerdict.parse(output);
    if (v.verdict === 'BLOCKED') blocked = true;
    for (const b of v.blockers) {
      const file = normalize(b.file);
      blockers.push({ ...b, file, message: known.has(file) ? b.message : `${b.message} (the review named ${b.file}, which is not in the range)` });
    }
    if (v.summary.trim()) summaries.push(units.length > 1 ? `packet ${i + 1}: ${v.summary.trim()}` : v.summary.trim());
  }
  // A BLOCKED answer without a blocker, or an APPROVED one with an error, is not a verdict to act on.
  const verdict = blocked ? 'BLOCKED' : 'APPROVED';
  const checked = Verdict.safeParse({
    verdict, blockers, summary: summaries.join('\n'),
    meta: { provider: d.provider, model: d.modelId, time: new Date().toISOString(), range: bundle.range, simulated: d.simulated, reviewed, files: reviewedFiles(bundle) },
  });
  if (!checked.success) throw new Error(`the model's review is not a usable verdict: ${checked.error.issues[0]?.message ?? 'invalid'}`);
  return checked.data;
}
