// The demo driver: plays the generated population's events against the HTTP API on a demo clock, as a
// backend would send them. Each event has a deterministic id, so resending after a crash or a restart is a
// no-op; progress is saved so a second `npm start` continues where the first stopped.
import { demoEventId, type DemoCustomer } from './population.ts';
import { readProgress, writeProgress, type DemoProgress } from './progress-file.ts';

export interface DriverOptions {
  apiUrl: string;
  apiKey: string;
  customers: DemoCustomer[];
  progressFile: string;
  log: (line: string) => void;
  /** Called about every `reportEverySeconds` with the demo state, to print what is going on. */
  report?: (state: DriverState) => Promise<void> | void;
  reportEverySeconds?: number;
  tickMs?: number;
}

export interface DriverState {
  demoSeconds: number;
  eventsSent: number;
  eventsTotal: number;
  customersStarted: number;
  refused: number;
  done: boolean;
}

type SendOutcome = 'sent' | 'refused' | 'retry';

export class DemoDriver {
  private progress: DemoProgress;
  private stopped = false;
  private loop: Promise<void> | undefined;
  private readonly resumedAt = Date.now();
  private readonly baseSeconds: number;

  constructor(private readonly opts: DriverOptions) {
    this.progress = readProgress(opts.progressFile);
    this.baseSeconds = this.progress.elapsedSeconds;
  }

  demoSeconds(): number {
    return this.baseSeconds + (Date.now() - this.resumedAt) / 1000;
  }

  state(): DriverState {
    const eventsTotal = this.opts.customers.reduce((n, c) => n + c.steps.length, 0);
    const eventsSent = this.opts.customers.reduce((n, c) => n + Math.min(this.progress.sent[c.id] ?? 0, c.steps.length), 0);
    return {
      demoSeconds: Math.round(this.demoSeconds()),
      eventsSent,
      eventsTotal,
      customersStarted: this.opts.customers.filter((c) => (this.progress.sent[c.id] ?? 0) > 0).length,
      refused: this.progress.refused.length,
      done: eventsSent === eventsTotal,
    };
  }

  start(): Promise<void> {
    if (this.baseSeconds > 0)
      this.opts.log(`resuming the demo at ${Math.round(this.baseSeconds)}s (${this.state().eventsSent} events already sent)`);
    this.loop ??= this.run();
    return this.loop;
  }

  /** Stops after the event in flight and saves where the demo is. */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
    this.save();
  }

  private save() {
    this.progress.elapsedSeconds = this.demoSeconds();
    writeProgress(this.opts.progressFile, this.progress);
  }

  private async run(): Promise<void> {
    let lastReport = 0;
    while (!this.stopped) {
      await this.sendDueEvents();
      this.save();
      const state = this.state();
      const reportEvery = (this.opts.reportEverySeconds ?? 10) * 1000;
      if (this.opts.report && (Date.now() - lastReport >= reportEvery || state.done)) {
        lastReport = Date.now();
        await Promise.resolve(this.opts.report(state)).catch((err) => this.opts.log(`progress report failed: ${err.message}`));
      }
      if (state.done) {
        this.opts.log(`all ${state.eventsTotal} demo events sent; the journeys play on (timeouts, reward holds, cool-downs)`);
        return;
      }
      await new Promise((r) => setTimeout(r, this.opts.tickMs ?? 250));
    }
  }

  private async sendDueEvents(): Promise<void> {
    const now = this.demoSeconds();
    for (const customer of this.opts.customers) {
      for (;;) {
        if (this.stopped) return;
        const index = this.progress.sent[customer.id] ?? 0;
        const step = customer.steps[index];
        if (!step || customer.startsAt + step.at > now) break;
        const outcome = await this.send(customer, index);
        if (outcome === 'retry') return; // the API is busy or not up: try again on the next tick
        this.progress.sent[customer.id] = index + 1;
      }
    }
  }

  private async send(customer: DemoCustomer, index: number): Promise<SendOutcome> {
    const step = customer.steps[index];
    const eventId = demoEventId(customer.id, index, step);
    const aboutReferred = step.aboutCustomer !== undefined;
    const body = {
      id: eventId,
      type: step.type,
      customerId: step.aboutCustomer ?? customer.id,
      occurredAt: new Date().toISOString(),
      data: step.data,
      ...(aboutReferred ? {} : { traits: customer.traits }),
    };
    let res: Response;
    try {
      res = await fetch(`${this.opts.apiUrl}/v1/events`, {
        method: 'POST',
        headers: { authorization: `Bearer ${this.opts.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(15_000),
      });
    } catch {
      return 'retry';
    }
    const answer = await res.text();
    if (res.status === 429 || res.status >= 500) return 'retry';
    if (res.status >= 400 && res.status !== 409) {
      this.progress.refused.push({ eventId, status: res.status, answer: answer.slice(0, 500) });
      this.opts.log(`the API refused ${eventId} (${res.status}): ${answer.slice(0, 200)}`);
      return 'refused';
    }
    this.opts.log(`${customer.id} [${customer.scenario.id}] ${step.type}${aboutReferred ? ` (about ${step.aboutCustomer})` : ''}`);
    return 'sent';
  }
}
