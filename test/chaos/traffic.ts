// The traffic of the fault-injection suite: generated customers (the demo's scenarios, scripts/demo/scenarios.json)
// sending their events through the real HTTP API as a backend would, and Postmark's webhooks (an unsubscribe) for
// some of the customers who were emailed. A caller that meets 429, 503, 504 or no answer sends the same event
// again (same id) until it is taken: that retry is the contract the API's 503 promises. Every answer is recorded.
import { demoPopulation, demoEventId, type DemoCustomer } from '../../scripts/demo/population.ts';
import type { FakePostmark } from '../postmark/server.ts';
import { CHAOS_API_KEY, WEBHOOK_AUTH } from './cluster.ts';

export interface SentEvent {
  id: string;
  type: string;
  customerId: string;
  /** The customer whose scenario sent it (a referred friend's events are about the friend). */
  owner: string;
  via: 'api' | 'postmark-webhook';
  /** Final HTTP status (202/200 taken, 409 duplicate, 4xx refused). */
  status: number;
  /** When the API said it took the event (ms). */
  acceptedAt: number;
  /** Answers before the one that took it: 503, 429, 504 or 'network'. */
  refusals: (number | 'network')[];
}

export interface Traffic {
  customers: DemoCustomer[];
  events: SentEvent[];
  /** Customers who unsubscribed through Postmark (SubscriptionChange webhook) after their first email. */
  unsubscribed: Set<string>;
  done(): boolean;
  /**
   * Traffic while Temporal is down: a passive NPS answer from a few customers already under way, and an unsubscribe
   * through Postmark's webhook for one customer already emailed. Sent at once; each caller retries until taken.
   */
  duringOutage(): void;
  /** Resolves when every event of every customer has been taken (or refused for good). */
  finished: Promise<void>;
}

export interface TrafficOptions {
  apiUrl: string;
  /** Every API (default [apiUrl]): each request, and each retry, goes to the next one, as a load balancer would. */
  apiUrls?: string[];
  postmark: FakePostmark;
  count: number;
  /** Seconds between two customers' first events. */
  spacingSeconds: number;
  /** How many real seconds one journey day lasts (the scenario times are written for 2 s). */
  daySeconds: number;
  /** Every n-th customer unsubscribes through Postmark once emailed (0: none). */
  unsubscribeEvery: number;
  /** The scenarios whose customers may unsubscribe (default UNSUBSCRIBING). */
  unsubscribeScenarios?: string[];
  prefix?: string;
  log?: (line: string) => void;
}

const RETRYABLE = new Set([429, 502, 503, 504]);
/**
 * Scenarios whose customers may unsubscribe once emailed: none of them is paid for a referral, so the checks'
 * payout expectations hold. milestone-review and support-praise-community have an action of their own, which may
 * still be on its way when the unsubscribe lands: honoured if the run heard it before it applied the opt-out, else
 * recorded as action.ignored (workflows/journey/opt-out-honour.ts; the race the full run once exposed, bench/README.md).
 */
export const UNSUBSCRIBING = ['promoter-silent', 'milestone-review', 'support-praise-community'];

/**
 * At most this many requests in flight, as a backend's sender pool would: without a bound, hundreds of callers
 * retrying at once while Temporal recovers keep a single-node dev server saturated (a retry storm).
 */
const MAX_IN_FLIGHT = 8;
let inFlight = 0;
const waiting: (() => void)[] = [];
async function slot<T>(fn: () => Promise<T>): Promise<T> {
  if (inFlight >= MAX_IN_FLIGHT) await new Promise<void>((r) => waiting.push(r));
  inFlight++;
  try {
    return await fn();
  } finally {
    inFlight--;
    waiting.shift()?.();
  }
}

/** Posts until the answer is not a "try again": returns the final status and the refusals before it. Backs off with
 *  jitter (and at least the Retry-After the API names). */
async function postUntilTaken(
  url: () => string,
  headers: Record<string, string>,
  body: unknown,
): Promise<{ status: number; refusals: SentEvent['refusals'] }> {
  const refusals: SentEvent['refusals'] = [];
  for (let delay = 1000; ; delay = Math.min(delay * 2, 16_000)) {
    let retryAfterMs = 0;
    const status = await slot(async () => {
      try {
        const res = await fetch(url(), {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...headers },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(30_000),
        });
        await res.arrayBuffer();
        retryAfterMs = Number(res.headers.get('retry-after') ?? 0) * 1000;
        return res.status;
      } catch {
        return 'network' as const;
      }
    });
    if (status !== 'network' && !RETRYABLE.has(status)) return { status, refusals };
    refusals.push(status);
    await new Promise((r) => setTimeout(r, Math.max(retryAfterMs, delay * (0.5 + Math.random()))));
  }
}

export function startTraffic(opts: TrafficOptions): Traffic {
  const prefix = opts.prefix ?? 'chaos';
  const unsubscribing = new Set(opts.unsubscribeScenarios ?? UNSUBSCRIBING);
  // Zones where it is daytime now: the contact policy copy has no quiet hours, but keep asks inside send windows.
  const customers = demoPopulation(opts.count, opts.spacingSeconds, prefix);
  const events: SentEvent[] = [];
  const unsubscribed = new Set<string>();
  const started = Date.now();
  const timeScale = opts.daySeconds / 2;
  const apis = opts.apiUrls?.length ? opts.apiUrls : [opts.apiUrl];
  let nextApi = 0;
  const toApi = (path: string) => () => `${apis[nextApi++ % apis.length]}${path}`;
  let pending = customers.length;

  const sendEvent = async (customer: DemoCustomer, index: number) => {
    const step = customer.steps[index];
    const id = demoEventId(customer.id, index, step).replace(/^demo:/, `${prefix}:`);
    const body = {
      id,
      type: step.type,
      customerId: step.aboutCustomer ?? customer.id,
      occurredAt: new Date().toISOString(),
      data: step.data,
      ...(step.aboutCustomer ? {} : { traits: customer.traits }),
    };
    const { status, refusals } = await postUntilTaken(toApi('/v1/events'), { authorization: `Bearer ${CHAOS_API_KEY}` }, body);
    events.push({
      id,
      type: step.type,
      customerId: body.customerId,
      owner: customer.id,
      via: 'api',
      status,
      acceptedAt: Date.now(),
      refusals,
    });
    if (status >= 400 && status !== 409) opts.log?.(`the API refused ${id} for good: ${status}`);
  };

  /** Postmark reports that the recipient unsubscribed from the customer's first email (the link in the email). */
  const unsubscribe = async (customer: DemoCustomer) => {
    const deadline = Date.now() + 300_000;
    let message;
    while (!(message = opts.postmark.accepted.find((m) => m.body.Metadata?.customer === customer.id))) {
      if (Date.now() > deadline) return;
      await new Promise((r) => setTimeout(r, 1000));
    }
    unsubscribed.add(customer.id);
    const payload = {
      RecordType: 'SubscriptionChange',
      MessageID: message.MessageID,
      ServerID: 1,
      MessageStream: 'outbound',
      ChangedAt: new Date().toISOString(),
      Recipient: customer.traits.email,
      Origin: 'Recipient',
      SuppressSending: true,
      SuppressionReason: 'ManualSuppression',
      Tag: message.body.Tag,
      Metadata: message.body.Metadata,
    };
    const basic = Buffer.from(`${WEBHOOK_AUTH.username}:${WEBHOOK_AUTH.password}`).toString('base64');
    const { status, refusals } = await postUntilTaken(toApi('/v1/webhooks/postmark'), { authorization: `Basic ${basic}` }, payload);
    const id = `postmark:subscription:${payload.MessageID}:${payload.ChangedAt}`;
    events.push({
      id,
      type: 'customer.opted_out',
      customerId: customer.id,
      owner: customer.id,
      via: 'postmark-webhook',
      status,
      acceptedAt: Date.now(),
      refusals,
    });
  };

  const runCustomer = async (customer: DemoCustomer, n: number) => {
    const at = (seconds: number) => started + (customer.startsAt + seconds * timeScale) * 1000;
    const chosen = opts.unsubscribeEvery > 0 && n % opts.unsubscribeEvery === 0 && unsubscribing.has(customer.scenario.id);
    const extra = chosen ? unsubscribe(customer) : undefined;
    for (let i = 0; i < customer.steps.length; i++) {
      const wait = at(customer.steps[i].at) - Date.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await sendEvent(customer, i);
    }
    await extra;
  };

  const extras: Promise<void>[] = [];
  let outages = 0;
  const duringOutage = () => {
    outages++;
    const begun = customers.filter((c) => Date.now() >= started + c.startsAt * 1000);
    for (const customer of begun.slice(-3)) {
      const body = {
        id: `${prefix}:${customer.id}:outage-${outages}:nps.submitted`,
        type: 'nps.submitted',
        customerId: customer.id,
        occurredAt: new Date().toISOString(),
        data: { score: 8, comment: 'sent while Temporal was down' },
      };
      extras.push(
        postUntilTaken(toApi('/v1/events'), { authorization: `Bearer ${CHAOS_API_KEY}` }, body).then(({ status, refusals }) => {
          events.push({
            id: body.id,
            type: body.type,
            customerId: customer.id,
            owner: customer.id,
            via: 'api',
            status,
            acceptedAt: Date.now(),
            refusals,
          });
        }),
      );
    }
    const emailed = new Set(opts.postmark.accepted.map((m) => m.body.Metadata?.customer));
    const target = customers.find((c) => unsubscribing.has(c.scenario.id) && emailed.has(c.id) && !unsubscribed.has(c.id));
    if (target) extras.push(unsubscribe(target));
  };
  const finished = Promise.all(customers.map((c, n) => runCustomer(c, n).finally(() => pending--)))
    .then(() => Promise.all(extras))
    .then(() => undefined);
  return { customers, events, unsubscribed, done: () => pending === 0, duringOutage, finished };
}
