// Every live patch id of the workflow code, with the release that introduced it (docs/versioning.md: one id per
// change, born, deprecated and removed as one). A run whose history passed a patched point without the patch's
// marker keeps the old behaviour there; a run that reaches it fresh takes the new one.

/**
 * 1.1.0: every tracking record is written as its fact happens (a local activity in the same workflow task, a writer
 * beside the stage loop, unwritten records carried over continue-as-new, a hold's end recorded when it comes)
 * instead of queued in the run and written at Track, before a handover and in an ended run. Checked once, when
 * the run starts: a run whose history 1.0.0 started keeps writing at those points until it hands over.
 */
export const PATCH_TRACKING_WRITTEN_LIVE = 'tracking-written-live';
