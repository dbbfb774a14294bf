// Every activity the worker registers, built from injected dependencies so tests can swap them.
// Each area owns its own factory: email (activities/email), journey effects (activities/journey).
import { writeToOutbox, type OutboxMessage } from './outbox.ts';

export interface ActivityDeps {
  /** Where the embedded defaults keep their files: outbox, tracking log. */
  dataDir: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    async writeOutboxEmail(message: OutboxMessage): Promise<{ written: boolean }> {
      return { written: await writeToOutbox(deps.dataDir, message) };
    },
  };
}
