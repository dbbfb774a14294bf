// Every activity the worker registers, built from injected dependencies so tests can swap them.
// Each area owns its own factory: email (activities/email), journey effects (activities/journey).
import { writeToOutbox, type OutboxMessage } from './outbox.ts';
import { createEmailActivities, emailDepsFromEnv, type EmailDeps } from './email/index.ts';

export interface ActivityDeps {
  /** Where the embedded defaults keep their files: outbox, tracking log. */
  dataDir: string;
  /** Email transport and hooks; default: from the environment (POSTMARK_SERVER_TOKEN, else the outbox in dataDir). */
  email?: EmailDeps;
}

export function createActivities(deps: ActivityDeps) {
  return {
    ...createEmailActivities(deps.email ?? emailDepsFromEnv(deps.dataDir)),
    async writeOutboxEmail(message: OutboxMessage): Promise<{ written: boolean }> {
      return { written: await writeToOutbox(deps.dataDir, message) };
    },
  };
}
