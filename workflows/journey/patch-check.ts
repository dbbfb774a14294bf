// Asking whether a 1.1.0 patch is on, with one marker per run (patch journey-1-1-paths-marked-once, workflows/patches.ts).
import { patched } from '@temporalio/workflow';
import { PATCHES_MARKED_ONCE, PATCH_JOURNEY_1_1_PATHS_MARKED_ONCE } from '../patches.ts';

/** Asked once, first thing in a run: whether its history carries the one marker that stands for every 1.1.0 patch. */
export function pathsMarkedOnce(): boolean {
  return patched(PATCH_JOURNEY_1_1_PATHS_MARKED_ONCE);
}

/**
 * `patched(id)` for a run: true without a marker of its own when the run carries the one marker and `id` is one of
 * those it stands for; otherwise patched(id) itself, asked at the same place as before the one marker existed.
 */
export function isPatched(run: { pathsMarkedOnce: boolean }, id: string): boolean {
  return (run.pathsMarkedOnce && PATCHES_MARKED_ONCE.has(id)) || patched(id);
}
