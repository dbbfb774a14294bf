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

/**
 * 1.1.0: a tracking record reaches the log only once the workflow task that produced it has committed. The live
 * writer (stages/track.ts) writes each queued batch with a regular recordTrackingBatch activity instead of a local
 * activity inside the task: the activity is scheduled by the task's completion, so a task that times out (a worker
 * killed or starved) writes nothing, and its retry, which may see more events and take another path, writes only
 * what its own committed history holds. Retries reuse the same input, so the sink's keys still skip repeats.
 * Checked at every write: a run whose history wrote with local activities keeps them for the writes it replays and
 * takes the regular activity from its next new write on.
 */
export const PATCH_TRACKING_WRITTEN_AFTER_COMMIT = 'tracking-written-after-commit';

/**
 * 1.1.0 (routing): the API starts a journey run only with an event that can open a cycle in it and signals the other
 * events only to a run that exists (api/routing.ts). A fresh run therefore first reads from customer:<id> what
 * happened before it existed (a local activity: holds, open escalations, the last NPS, opt-outs, an earlier closed
 * run of its id) and applies it through its plan's rules; events arriving meanwhile wait for it. Checked once, when a
 * run starts without carried state: a run whose history started before keeps going as it did.
 */
export const PATCH_JOURNEY_START_READS_CUSTOMER_FACTS = 'journey-start-reads-customer-facts';

/**
 * 1.1.0: referrer updates and in-product prompts (issue 19, parts 3 and 6). A run whose plan declares
 * track.referrerUpdates reserves a contact slot and emails the advocate once per referral and stage (moved when the
 * cap refuses); a motion delivered in-product posts a prompt with its ask, withdrawn at once by a bad signal. Checked
 * where a run first issues one of these commands: histories without the marker took none of them (their plans could
 * not declare either), so there the old path (email only, no update) holds.
 */
export const PATCH_REFERRER_UPDATES_AND_PROMPTS = 'referrer-updates-and-prompts';

/**
 * 1.1.0: a journey that declares an `experiment` assigns each customer qualified for its motion an arm or control
 * (a hash, sticky in the run's state), applies the arm's overrides, holds control out at the moment of the ask (no
 * slot, no send, no reward) and shows the arm in current details and the JourneyExperimentArm search attribute.
 * Checked once, when a run whose plan declares an experiment starts; plans without one never reach it.
 */
export const PATCH_EXPERIMENT_ARMS = 'experiment-arms';

/**
 * 1.1.0: the 1:1 motion through a CRM provider (issue 19 parts 4-5). An owner-outreach ask becomes an owner task:
 * sent in the owner's zone and working hours (traits.ownerTimezone / ownerWorkingHours) without a customer contact
 * slot, through the createOwnerTask activity (CRM webhook or the owner's email); with invite.ownerTask the run
 * then waits for the owner's answer (owner_task.completed / declined, or no answer by a timer) and does what the
 * plan says. Referral stages are written back to the CRM (writeReferralRecord, a writer beside the stage loop).
 * Checked once, when the run starts: a run whose history started without it keeps emailing the owner with a
 * contact slot, in the customer's zone, until it hands over.
 */
export const PATCH_OWNER_TASK_OUTCOME = 'owner-task-outcome';

/**
 * 1.1.0: an action event (what a motion's Activate waits for) that reaches a run where no stage can act on it is
 * recorded as action.ignored, with the reason, instead of dropped without a trace: one that Listen takes out of the
 * inbox (no ask is open: the cycle ended, e.g. its ask could not go out, before the action came), and one an ended run
 * hears (journey/ignored-actions.ts). Found by the chaos subset (chaos-009's case_study.published). Checked where such
 * an action is discarded: a history that discarded one without the marker wrote nothing there, and replays so.
 */
export const PATCH_JOURNEY_RECORDS_IGNORED_ACTIONS = 'journey-records-ignored-actions';

/**
 * 1.1.0: an accepted event a run hears but does not apply leaves a record and a note, never vanishes
 * (journey/unapplied-events.ts): a listen event whose condition fails is event.ignored (condition-false); an owner
 * task answer naming another task, or one already answered, is event.ignored (unknown-task, already-answered); the
 * inbox, bounded by count and bytes, records each event it drops as event.dropped (inbox-full). An action the
 * customer took before an opt-out was applied (earlier in the inbox, or in the same workflow task) is honoured: its
 * reward is issued once, its holds kept, but nothing is sent (thanks.withheld); one that comes after the opt-out
 * was applied is action.ignored (opted-out). Checked where each fork is reached: a history that passed such a point
 * without the marker took the old path there, and replays so.
 */
export const PATCH_JOURNEY_RECORDS_UNAPPLIED_EVENTS = 'journey-records-unapplied-events';

/**
 * 1.1.0: a referral.submitted that carries a referral code and reaches a run that has ended or whose customer opted
 * out is refused: recorded as event.ignored (code-revoked), never as a referral (no referral.submitted record, no CRM
 * referral record, not taken as an action). The run refuses what the referral page refuses (a code whose run ended or
 * opted out is revoked, api/pages/advocate-lookup.ts): the page now sends a submission while it asks the Temporal
 * server whether the code still works, instead of after, so the run is what keeps a revoked code's referral out.
 * Checked only where such a referral arrives; a history that took one without the marker recorded it, and replays so.
 */
export const PATCH_JOURNEY_REFUSES_REVOKED_CODE_REFERRALS = 'journey-refuses-revoked-code-referrals';

/**
 * 1.1.0 (issue 16, history per cycle): a journey run's bookkeeping goes out in fewer commands. Search attributes
 * changed in one workflow activation are upserted once, when its work has settled (journey/visibility.ts), instead
 * of once per change (a fresh run's first task made 4, beside the SDK's own upsert at each patch marker). The live
 * tracking writer does not write while an activity the run awaits is in flight (a slot, a send, a reward, a ledger
 * or CRM write): the facts of a chain of effects go out in one write once the run waits for a timer or an event, or
 * after TRACKING_DEFER_MS if an effect is still in flight then (stages/track.ts). Checked once, when the run starts: a run whose history started without it keeps
 * upserting and writing as it did until it hands over.
 */
export const PATCH_JOURNEY_BOOKKEEPING_BATCHED = 'journey-bookkeeping-batched';

/**
 * 1.1.0 (issue 16, history per cycle): a reward the advocate's ledger granted on a fresh claim as held (claimReward
 * writes the advocate's own entries held, with their release time) is not written held a second time (holdReward):
 * only the rewards the claim did not write (the referred friend's, in the friend's ledger) are. One customer:<id>
 * update fewer (5 history events) per referral whose conversion comes after the referral. Checked where the hold is
 * written; a history that wrote the repeat without the marker replays so.
 */
export const PATCH_REWARD_CLAIM_WRITES_THE_HOLD = 'reward-claim-writes-the-hold';

/**
 * 1.1.0 (issue 16, history per cycle): a run this code starts records one marker for every 1.1.0 patch above instead
 * of one per patch. Each `patched()` call that answers true writes a marker and, beside it, the SDK's own
 * `TemporalChangeVersion` upsert (core does that at every patch marker; no option turns it off): a fresh NPS-promoter
 * run paid 10 history events for its 5 markers. Asked first, when the run starts. Where it is present, every id in
 * PATCHES_MARKED_ONCE is on without a marker of its own (journey/patch-check.ts); where it is absent (a history this
 * code did not start), each of those ids is asked at its own place, exactly as before, so those histories replay
 * unchanged. A patch added after this one is never covered by it: it is asked at its place, with its own marker.
 */
export const PATCH_JOURNEY_1_1_PATHS_MARKED_ONCE = 'journey-1-1-paths-marked-once';

/** The patches PATCH_JOURNEY_1_1_PATHS_MARKED_ONCE stands for: exactly those before it, never a later one. */
export const PATCHES_MARKED_ONCE: ReadonlySet<string> = new Set([
  PATCH_TRACKING_WRITTEN_LIVE,
  PATCH_TRACKING_WRITTEN_AFTER_COMMIT,
  PATCH_JOURNEY_START_READS_CUSTOMER_FACTS,
  PATCH_REFERRER_UPDATES_AND_PROMPTS,
  PATCH_EXPERIMENT_ARMS,
  PATCH_OWNER_TASK_OUTCOME,
  PATCH_JOURNEY_RECORDS_IGNORED_ACTIONS,
  PATCH_JOURNEY_RECORDS_UNAPPLIED_EVENTS,
  PATCH_JOURNEY_REFUSES_REVOKED_CODE_REFERRALS,
  PATCH_JOURNEY_BOOKKEEPING_BATCHED,
  PATCH_REWARD_CLAIM_WRITES_THE_HOLD,
]);
