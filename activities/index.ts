// Every activity the worker registers, built from injected dependencies so tests can swap them.
import { writeToOutbox, type OutboxMessage } from './outbox.ts';

export interface ActivityDeps {
  dataDir: string;
}

export function createActivities(deps: ActivityDeps) {
  return {
    async writeOutboxEmail(message: OutboxMessage): Promise<{ written: boolean }> {
      return { written: await writeToOutbox(deps.dataDir, message) };
    },
  };
}
