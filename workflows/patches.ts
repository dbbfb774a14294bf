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
 * 1.1.0 (routing): the API starts a journey run only with an event that can open a cycle in it and signals the other
 * events only to a run that exists (api/routing.ts). A fresh run therefore first reads from customer:<id> what
 * happened before it existed (a local activity: holds, open escalations, the last NPS, opt-outs, an earlier closed
 * run of its id) and applies it through its plan's rules; events arriving meanwhile wait for it. Checked once, when a
 * run starts without carried state: a run whose history started before keeps going as it did.
 */
export const PATCH_JOURNEY_START_READS_CUSTOMER_FACTS = 'journey-start-reads-customer-facts';

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
