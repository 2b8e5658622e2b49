// Review bundles for a workspace: the one entry the CLI and the backend's requests share.
import * as path from 'node:path';
import type { BundleParams, BundleResult } from '../protocol/review';
import { currentRange, repoRoot, ReviewError } from './baseline';
import { buildBundle } from './bundle';

/** The cap when neither the caller nor the settings give one: about what a model reviews well at once. */
export const DEFAULT_MAX_BUNDLE_BYTES = 256 * 1024;

/** Builds the bundle of `folder`'s repository into `out` (default: `<data dir>/reviews/<from>-<to>`). */
export async function createBundle(p: BundleParams & { folder: string; dataDir: string }): Promise<BundleResult> {
  const root = await repoRoot(p.folder);
  const range = await currentRange(root, p.includeWorktree);
  const maxBytes = p.maxBytes ?? DEFAULT_MAX_BUNDLE_BYTES;
  if (!Number.isInteger(maxBytes) || maxBytes < 1024) throw new ReviewError('the bundle cap must be at least 1024 bytes');
  const out = p.out ? path.resolve(p.folder, p.out) : path.join(p.dataDir, 'reviews', `${range.from ? range.from.slice(0, 12) : 'root'}-${range.to.slice(0, 12)}${range.worktree ? '-worktree' : ''}`);
  return buildBundle({ root, range, maxBytes, out });
}
