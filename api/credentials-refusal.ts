// Temporal refusing the API's credentials while it runs (an API key revoked or expired, a client certificate
// withdrawn): every event is answered 503 (EventNotTaken, sent again by its sender once fixed), and this says why in
// the log, naming the settings, at most once per interval, so a refusal on every event does not flood it.
import { CREDENTIAL_SETTINGS, credentialsRefusal } from '../worker/temporal-connect.ts';

export class CredentialsRefusalLog {
  private lastAt = -Infinity;
  private since = 0;

  constructor(
    private readonly log: (line: string) => void,
    private readonly intervalMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Looks at a failed Temporal call: logs when it was a refusal of the credentials and the interval has passed. */
  seen(err: unknown): void {
    const refusal = credentialsRefusal(err);
    if (refusal === undefined) return;
    this.since++;
    if (this.now() - this.lastAt < this.intervalMs) return;
    this.log(
      `Temporal refused the API's credentials (${CREDENTIAL_SETTINGS}): ${refusal}; ${this.since} call(s) refused since the last line, ` +
        'events are answered 503 until the credentials are fixed',
    );
    this.lastAt = this.now();
    this.since = 0;
  }
}
