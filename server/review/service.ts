// Review bundles and model reviews for a workspace: what the CLI and the backend's requests share.
import type { LanguageModel } from 'ai';
import { createModel, MissingKeyError, parseModelRef, type ModelFactory, type ModelSpec } from '../agent/models';
import type { AuditLog } from '../audit/log';
import type { BundleParams, BundleResult, ReviewParams, ReviewResult, StoredVerdict } from '../protocol/review';
import type { Db } from '../store/sqlite';
import { currentRange, describeRange, repoRoot, ReviewError } from './baseline';
import { buildBundle } from './bundle';
import { isSimulated, reviewBundle } from './reviewer';
import { bundleOutDir } from './outDir';
import { ReviewRepo } from './store';
import { secretValues } from '../secrets';

/** The cap when neither the caller nor the settings give one: about what a model reviews well at once. */
export const DEFAULT_MAX_BUNDLE_BYTES = 256 * 1024;

/**
 * Builds the bundle of `folder`'s repository into `out` (inside the data directory, relative to
 * it; default: `<data dir>/reviews/<from>-<to>`). Values of the secrets registry found in `env`
 * are masked wherever they appear (`env` defaults to the process's: the backend's own).
 */
export async function createBundle(p: BundleParams & { folder: string; dataDir: string; env: NodeJS.ProcessEnv }): Promise<BundleResult> {
  const root = await repoRoot(p.folder);
  const range = await currentRange(root, p.includeWorktree);
  const maxBytes = p.maxBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 1024) throw new ReviewError('the bundle cap must be at least 1024 bytes');
  const out = bundleOutDir(p.dataDir, p.out, `${range.from ? range.from.slice(0, 12) : 'root'}-${range.to.slice(0, 12)}${range.worktree ? '-worktree' : ''}`);
  return buildBundle({ root, range, maxBytes, out, known: secretValues(p.env) });
}

export interface ReviewDeps {
  db: Db;
  audit: AuditLog;
  dataDir: string;
  env: NodeJS.ProcessEnv;
  /** How models are made (tests inject mocks: their verdicts are simulated). */
  modelFactory?: ModelFactory;
  signal?: AbortSignal;
}

/** Bundles the range of `folder`'s repository, has the model review it, stores and audits the verdict. */
export async function reviewChanges(d: ReviewDeps, p: ReviewParams & { folder: string }): Promise<ReviewResult> {
  if (!p.model) throw new ReviewError('a review needs a model: set torbit.model (provider:model)');
  let spec: ModelSpec;
  try {
    spec = parseModelRef(p.model, p.baseUrl);
  } catch (err) {
    throw new ReviewError((err as Error).message);
  }
  const factory = d.modelFactory ?? createModel;
  let model: LanguageModel;
  try {
    model = factory(spec, d.env);
  } catch (err) {
    if (err instanceof MissingKeyError) throw new ReviewError(err.message);
    throw err;
  }
  const bundle = await createBundle({ folder: p.folder, dataDir: d.dataDir, maxBytes: p.maxBytes, includeWorktree: p.includeWorktree, env: d.env });
  const verdict = await reviewBundle({ model, provider: spec.provider, modelId: spec.modelId, simulated: isSimulated(model, spec.modelId, factory === createModel), signal: d.signal }, bundle);
  const root = bundle.root;
  const reviews = new ReviewRepo(d.db);
  let stored: StoredVerdict | undefined;
  await d.audit.append(async () => {
    stored = await reviews.insert(root, verdict);
    return {
      kind: 'review', actor: 'model',
      data: {
        reviewId: stored.id, repo: root, range: describeRange(verdict.meta.range), from: verdict.meta.range.from, to: verdict.meta.range.to,
        worktree: verdict.meta.range.worktree, verdict: verdict.verdict, blockers: verdict.blockers.length, simulated: verdict.meta.simulated,
        provider: verdict.meta.provider, model: verdict.meta.model, reviewed: verdict.meta.reviewed,
      },
    };
  });
  return { review: stored!, bundle };
}
