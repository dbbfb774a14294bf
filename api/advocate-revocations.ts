// Who can no longer refer, said at once inside this API process: an opt-out this process took (the operator's
// route, the unsubscribe link, an accepted event that suppresses) tells every listener (the referral page's code
// lookup drops the advocate's cached answers), so this process never shows the form on a code it just revoked.
// Another API process learns it from the run: its cached answer lives at most 15 s, and its submissions check the
// run first (api/pages/advocate-lookup.ts, confirm). Keyed by the API's context, so two APIs in one process (tests,
// benches) stay apart.
import type { ApiContext } from './context.ts';

type Listener = (customerId: string) => void;
const listeners = new WeakMap<ApiContext, Set<Listener>>();

export function onAdvocateRevoked(ctx: ApiContext, listener: Listener): void {
  let set = listeners.get(ctx);
  if (!set) listeners.set(ctx, (set = new Set()));
  set.add(listener);
}

export function advocateRevoked(ctx: ApiContext, customerId: string): void {
  for (const listener of listeners.get(ctx) ?? []) listener(customerId);
}

/** Accepted events that opt out or suppress (customer.opted_out, a bounce, a spam complaint, a journey's suppress
 *  rules) revoke at once too: the run may end or opt out on them, and the next visitor's lookup asks the run. */
export function revokeOnSuppressingEvents(ctx: ApiContext): void {
  ctx.ingest.whenAccepted((event, journeys) => {
    if (event.type === 'customer.opted_out' || journeys.some((j) => j.roles.includes('suppress'))) advocateRevoked(ctx, event.customerId);
  });
}
